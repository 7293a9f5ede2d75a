import { z } from 'zod';
import { grpcServiceEnv, ownParties, parseEnv, positiveInt } from '@voltmesh/config';

/** The longest response_url path we append to PUBLIC_URL (`/ocpi/2.2.1/emsp/commands/CANCEL_RESERVATION/<uuid>`). */
const RESPONSE_PATH_MAX = '/ocpi/2.2.1/emsp/commands/CANCEL_RESERVATION/'.length + 36;

const env = z.object({
  ...grpcServiceEnv({ mongoDb: 'voltmesh_sessions', grpcPort: 50053 }),
  /** Our parties (`CPO:NL*VLT,EMSP:NL*VLM`): our eMSP sends commands, our CPO receives them and runs the sessions our CSMS reports. */
  OWN_PARTIES: ownParties,
  /** Base URL partners reach our gateway on; our commands' response_urls are built on it. */
  PUBLIC_URL: z
    .url()
    .default('http://127.0.0.1:8080')
    .transform((url) => url.replace(/\/+$/, ''))
    // OCPI URLs are string(255): a longer base would make every outbound command invalid.
    .refine((url) => url.length + RESPONSE_PATH_MAX <= 255, `must leave room for the response_url path (at most ${255 - RESPONSE_PATH_MAX} characters)`),
  /** The authorization service (TokenService.GetToken: the driver's token). */
  AUTHORIZATION_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:50052'),
  /** The locations service (ReportEvseStatus: reserved and released EVSEs; GetLocation: a session's charging point). */
  LOCATIONS_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
  /** The tariffs service (GetTariff: the tariff in force at a session's start; PriceSession: its live price). */
  TARIFFS_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:50054'),
  /** The currency of a session of ours without a tariff (ISO 4217). */
  DEFAULT_CURRENCY: z
    .string()
    .default('EUR')
    .refine((value) => /^[A-Z]{3}$/.test(value), 'must be an ISO 4217 currency code, e.g. EUR'),
  /** Charging periods a session may have: every SessionChanged carries the whole session (Kafka's 1 MB message default; ~190 bytes a period). */
  SESSION_MAX_PERIODS: positiveInt(2_500),
  /** Charging periods of sealed chunks kept in memory (the sessions being updated need them for every event). */
  PERIOD_CACHE_PERIODS: positiveInt(200_000),
  /** ListSessions page size when the caller names none, and the largest served. */
  LIST_DEFAULT_LIMIT: positiveInt(50),
  LIST_MAX_LIMIT: positiveInt(1_000),
  /** Deadline of every gRPC call this service makes. */
  SERVICE_DEADLINE_MS: positiveInt(2_000),
  /** How often due work is looked for: command deadlines, reservation expiries, EVSE status retries. */
  SWEEP_INTERVAL_MS: positiveInt(1_000),
  /** How long an outbound command waits in REQUESTED for the dispatcher's answer before it is NOT_DELIVERED. */
  DELIVERY_WAIT_MS: positiveInt(60_000),
  /** How long after a save a missing CommandChanged or SessionChanged counts as lost and is republished. */
  REPUBLISH_INTERVAL_MS: positiveInt(5_000),
});

export type SessionsConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadSessionsConfig(source: NodeJS.ProcessEnv = process.env): SessionsConfig {
  return parseEnv(env, source);
}
