import { z } from 'zod';
import { flag, grpcServiceEnv, parseEnv, port, positiveInt } from '@voltmesh/config';

/** `CPO:NL*VLT,EMSP:NL*VLM`: the parties this platform hosts, each with its OCPI role. */
const ownParties = z
  .string()
  .default('CPO:NL*VLT,EMSP:NL*VLM')
  .transform((value, ctx) => {
    const parties = value.split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
      const match = /^(CPO|EMSP|HUB|NAP|NSP|OTHER|SCSP):([A-Z]{2})\*([A-Z0-9]{3})$/i.exec(item);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not ROLE:CC*PID (e.g. CPO:NL*VLT)` });
        return undefined;
      }
      return { role: match[1]!.toUpperCase(), countryCode: match[2]!.toUpperCase(), partyId: match[3]!.toUpperCase() };
    });
    return parties.filter((party) => party !== undefined);
  })
  .refine((parties) => parties.length > 0, 'at least one own party is required');

const gatewayEnv = z.object({
  ...grpcServiceEnv({ mongoDb: 'voltmesh_gateway', grpcPort: 50050 }),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port(8080),
  ADMIN_HOST: z.string().default('127.0.0.1'),
  ADMIN_PORT: port(8081),
  /** Base URL partners use to reach us; our versions URL is `${PUBLIC_URL}/ocpi/versions`. */
  PUBLIC_URL: z.url().default('http://127.0.0.1:8080').transform((url) => url.replace(/\/+$/, '')),
  /** Bearer token of the admin API; no default: every deployment sets its own. */
  ADMIN_TOKEN: z.string().min(32, 'ADMIN_TOKEN must be at least 32 characters'),
  /** 32-byte key, Base64, that encrypts credentials tokens at rest. */
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'TOKEN_ENCRYPTION_KEY must be 32 bytes in Base64'),
  OWN_PARTIES: ownParties,
  BUSINESS_NAME: z.string().max(100).default('Voltmesh'),
  BUSINESS_WEBSITE: z.url().optional(),
  /** Deadline of every call we make to a partner during a handshake. */
  PARTNER_TIMEOUT_MS: positiveInt(10_000),
  /** Largest page a partner may ask of our Sender interfaces (OCPI X-Limit). */
  PAGE_LIMIT_MAX: positiveInt(100),
  /** Largest request body accepted from a partner. */
  BODY_LIMIT_BYTES: positiveInt(1_048_576),
  TRUST_PROXY: flag(false),
  /** The locations service (reads of the Sender interface, checks before partner PATCHes). */
  LOCATIONS_GRPC_ADDRESS: z.string().default('127.0.0.1:50051'),
  /** The tariffs service (reads of the Sender interface and of partners' tariffs). */
  TARIFFS_GRPC_ADDRESS: z.string().default('127.0.0.1:50054'),
  /** Deadline of every gRPC call the gateway makes to a domain service. */
  SERVICE_DEADLINE_MS: positiveInt(5_000),
  /** How long a registered partner's token is trusted without a database read (0 turns it off). */
  AUTH_CACHE_MS: z.coerce.number().int().min(0).default(5_000),
  /** How long a location seen to exist skips the existence check of partner PATCHes (0 turns it off). */
  KNOWN_LOCATIONS_MS: z.coerce.number().int().min(0).default(60_000),
  /** A partner PATCH right after its PUT may find the PUT still in Kafka: checked again after this. */
  WRITE_RECHECK_MS: positiveInt(250),
});

export type GatewayConfig = z.output<typeof gatewayEnv>;
export type OwnParty = GatewayConfig['OWN_PARTIES'][number];

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return parseEnv(gatewayEnv, env);
}

const dispatcherEnv = z.object({
  // Same database as the gateway: the dispatcher is part of the gateway package.
  ...grpcServiceEnv({ mongoDb: 'voltmesh_gateway', grpcPort: 50059 }),
  TOKEN_ENCRYPTION_KEY: gatewayEnv.shape.TOKEN_ENCRYPTION_KEY,
  DIRECTORY_RELOAD_MS: positiveInt(60_000),
  OWN_PARTIES: gatewayEnv.shape.OWN_PARTIES,
  /** Deadline of one call to a partner (a pushed object, a pulled page). */
  PARTNER_TIMEOUT_MS: positiveInt(10_000),
  /** Incremental pull of each partner Sender module this often (OCPI advises hours). */
  PULL_INTERVAL_MS: positiveInt(3_600_000),
  /** Page size we ask partners for when pulling. */
  PULL_PAGE_LIMIT: positiveInt(100),
  /** How often the dispatcher looks for due or requested pulls. */
  PULL_POLL_MS: positiveInt(5_000),
});

export type DispatcherConfig = z.output<typeof dispatcherEnv>;

export function loadDispatcherConfig(env: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  return parseEnv(dispatcherEnv, env);
}
