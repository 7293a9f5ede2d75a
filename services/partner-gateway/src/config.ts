import { z } from 'zod';
import { flag, grpcServiceEnv, ownParties, parseEnv, port, positiveInt } from '@voltmesh/config';

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
  /** The most a client may take to send a whole request (headers and body): slower ones get HTTP 408 and are disconnected. */
  REQUEST_TIMEOUT_MS: positiveInt(30_000),
  TRUST_PROXY: flag(false),
  /** The locations service (reads of the Sender interface, checks before partner PATCHes). */
  LOCATIONS_GRPC_ADDRESS: z.string().default('127.0.0.1:50051'),
  /** The tariffs service (reads of the Sender interface and of partners' tariffs). */
  TARIFFS_GRPC_ADDRESS: z.string().default('127.0.0.1:50054'),
  /** The authorization service (tokens: partner writes' checks, our Sender interface, real-time authorization). */
  AUTHORIZATION_GRPC_ADDRESS: z.string().default('127.0.0.1:50052'),
  /** The sessions service (commands in both roles; sessions: Receiver checks, Sender pages, charging preferences). */
  SESSIONS_GRPC_ADDRESS: z.string().default('127.0.0.1:50053'),
  /** The billing service (CDRs: partner CPOs' CDRs stored before we answer, our CPO's CDR pages). */
  BILLING_GRPC_ADDRESS: z.string().default('127.0.0.1:50055'),
  /** The most a partner eMSP gets to answer a real-time authorization we ask for (PartnerService.AuthorizeToken). */
  RTA_TIMEOUT_MS: positiveInt(2_000),
  /** Seconds our CPO announces in CommandResponse.timeout: how long the CSMS has before we report TIMEOUT. */
  COMMAND_TIMEOUT_S: positiveInt(30),
  /** Commands one partner may send per minute on average (per gateway replica), and in a burst. */
  COMMAND_RATE_PER_MINUTE: positiveInt(120),
  COMMAND_RATE_BURST: positiveInt(20),
  /** Seconds our CPO announces in ChargingProfileResponse.timeout: how long the CSMS has before the request times out. */
  CHARGING_PROFILE_TIMEOUT_S: positiveInt(30),
  /** Charging-profile requests (PUT, GET, DELETE) one partner may send per minute on average (per replica), and in a burst. */
  CHARGING_PROFILE_RATE_PER_MINUTE: positiveInt(120),
  CHARGING_PROFILE_RATE_BURST: positiveInt(20),
  /** Only tokens a partner pushed to us may start or reserve (OCPI lets eMSPs use others; the operator decides). */
  REQUIRE_KNOWN_COMMAND_TOKENS: flag(true),
  /**
   * Partner-supplied URLs (versions and endpoint URLs, response_urls) may point at private or
   * loopback addresses: local runs and tests only. Off, every call checks the address it connects to.
   */
  ALLOW_PRIVATE_PARTNER_URLS: flag(false),
  /** How long a registration token (token A of an invitation, our token B while we connect) works. */
  REGISTRATION_TOKEN_TTL_MS: positiveInt(259_200_000),
  /** How long a token replaced by a credentials PUT still opens functional modules (0: revoked with the PUT). */
  CREDENTIALS_ROTATION_GRACE_MS: z.coerce.number().int().min(0).default(60_000),
  /** Requests one partner connection may make per minute on average to one module (per replica), and in a burst; beyond: HTTP 429. */
  PARTNER_RATE_PER_MINUTE: positiveInt(60_000),
  PARTNER_RATE_BURST: positiveInt(2_000),
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
  /** Our locations, read when a push embeds one (a 2.1.1 Session). */
  LOCATIONS_GRPC_ADDRESS: gatewayEnv.shape.LOCATIONS_GRPC_ADDRESS,
  SERVICE_DEADLINE_MS: gatewayEnv.shape.SERVICE_DEADLINE_MS,
  DIRECTORY_RELOAD_MS: positiveInt(60_000),
  OWN_PARTIES: gatewayEnv.shape.OWN_PARTIES,
  /** Deadline of one call to a partner (a pushed object, a pulled page). */
  PARTNER_TIMEOUT_MS: positiveInt(10_000),
  /** The longest wait before a failed push to a partner is tried again (full-jitter backoff from 1 s). */
  PUSH_BACKOFF_MAX_MS: positiveInt(300_000),
  /** Incremental pull of each partner Sender module this often (OCPI advises hours). */
  PULL_INTERVAL_MS: positiveInt(3_600_000),
  /** Page size we ask partners for when pulling. */
  PULL_PAGE_LIMIT: positiveInt(100),
  /** How often the dispatcher looks for due or requested pulls. */
  PULL_POLL_MS: positiveInt(5_000),
  ALLOW_PRIVATE_PARTNER_URLS: gatewayEnv.shape.ALLOW_PRIVATE_PARTNER_URLS,
  /** An outbound command older than this is not sent (keep it under the sessions service's DELIVERY_WAIT_MS). */
  COMMAND_SEND_WINDOW_MS: positiveInt(50_000),
});

export type DispatcherConfig = z.output<typeof dispatcherEnv>;

export function loadDispatcherConfig(env: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  return parseEnv(dispatcherEnv, env);
}
