/**
 * A simulated OCPI partner platform for end-to-end tests, written from the spec on its own (it
 * imports none of our libs), so it does not share the gateway's bugs. It can be the Receiver
 * of a handshake (it mints a token A, we register with it) and the Sender (it registers with
 * us from our versions URL and a token A we minted). It speaks one version: 2.2.1 (default) or
 * 2.1.1 (`version: '2.1.1'`: flat credentials, endpoints without role, raw tokens, no
 * X-Request-ID/X-Correlation-ID/routing headers, 2.1.1 AuthorizationInfo and CommandResponse).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { commandProblem211, credentials211, endpoints211, lists211, readCredentials211, readLocationReferences211, TOKEN_TYPES_211, type Credentials211 } from './sim-partner-v211.js';

/** The OCPI version a simulated partner speaks. */
export type SimOcpiVersion = '2.2.1' | '2.1.1';

export interface SimPartnerOptions {
  name?: string;
  countryCode: string;
  partyId: string;
  /** 2.1.1 has no Hub: a HUB in 2.1.1 mode is refused at start. */
  role: 'CPO' | 'EMSP' | 'HUB';
  /**
   * The version it speaks (default 2.2.1): it serves `/ocpi/<version>/…` only, and reads a peer
   * (registering with it, or registered by it) in that version only (3002 when the peer's
   * versions list lacks it).
   */
  version?: SimOcpiVersion;
  /** Versions advertised in /ocpi/versions (default `[version]`; only `version` is served). */
  versions?: string[];
  /** How it encodes the tokens it sends (default base64 in 2.2.1, plain in 2.1.1, where tokens go raw). */
  authMode?: 'base64' | 'plain';
  port?: number;
}

export interface SimResult {
  httpStatus: number;
  body: unknown;
  headers: Record<string, string>;
}

interface Credentials {
  token: string;
  url: string;
  roles: { role: string; party_id: string; country_code: string; business_details: { name: string } }[];
}

/** A version details endpoint as the peer listed it: 2.1.1 endpoints have no role. */
interface Endpoint {
  identifier: string;
  role?: string;
  url: string;
}

export interface SimPartner {
  /** The OCPI version it speaks. */
  readonly version: SimOcpiVersion;
  readonly versionsUrl: string;
  readonly baseUrl: string;
  issueTokenA(): string;
  registerWith(peerVersionsUrl: string, tokenA: string): Promise<SimResult>;
  updateCredentials(): Promise<SimResult>;
  getCredentials(): Promise<SimResult>;
  unregister(): Promise<SimResult>;
  callPeer(method: string, url: string, body?: unknown, token?: string): Promise<SimResult>;
  readonly state: SimState;
  /** Objects this partner's Sender interfaces serve, per module (e.g. `published.locations`). */
  readonly published: Record<string, unknown[]>;
  faults: { versionsStatus?: number; versionsBody?: unknown; detailsBody?: unknown; credentialsPostStatusCode?: number };
  /** How its Receiver interfaces answer pushes (chaos tests change it); `{ mode: 'none' }` accepts them. */
  readonly receiverFault: ReceiverFault;
  /** Closes its port (every open connection too): calls to it fail to connect until `comeUp`. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeUp(): Promise<void>;
  /** How it answers real-time authorization (as eMSP) and commands (as CPO); tests change it. */
  readonly behaviour: SimBehaviour;
  /**
   * The URL of one of the peer's endpoints (after registerWith), e.g. `peerEndpoint('commands', 'RECEIVER')`.
   * In 2.1.1 endpoints have no role (one interface per module on a connection): `role` is ignored.
   */
  peerEndpoint(identifier: string, role: 'SENDER' | 'RECEIVER'): string;
  close(): Promise<void>;
}

/**
 * A Receiver that misbehaves: `error500` answers HTTP 500; `rateLimited` HTTP 429 with
 * `Retry-After: retryAfterSeconds`; `slow` keeps the push (as a partner that stored it) but
 * answers 1000 only after `delayMs`, past the caller's deadline; `truncated` keeps it and
 * answers HTTP 200 with half an envelope (invalid JSON). Only pushes to `modules` (all when
 * absent) are affected.
 */
export interface ReceiverFault {
  mode: 'none' | 'error500' | 'rateLimited' | 'slow' | 'truncated';
  retryAfterSeconds?: number;
  delayMs?: number;
  modules?: string[];
}

/** What a Receiver push was answered: `ok` (1000) or the fault it met. */
export type ReceivedAnswer = 'ok' | ReceiverFault['mode'];

export interface SimBehaviour {
  /** eMSP: real-time authorization answers after this delay; tokens come from `published.tokens`. */
  authorizeDelayMs: number;
  /**
   * eMSP: the AllowedType answered for a token it knows (unknown tokens get HTTP 404 with 2004;
   * in 2.1.1, which has no 2004, HTTP 404 with 2000).
   */
  authorizeAllowed: string;
  /** CPO: the CommandResponse result answered to a command, and its timeout (2.1.1 has no timeout: not sent). */
  commandResponse: string;
  commandTimeout: number;
  /**
   * CPO: the CommandResult posted to the response_url after `commandResultDelayMs`; undefined
   * posts none. In 2.1.1 the callback is a CommandResponse `{ result }`: give a CommandResponseType.
   */
  commandResult: string | undefined;
  commandResultDelayMs: number;
}

interface SimState {
  /** Token this partner uses to call the peer it registered with (the peer's token C). */
  peerToken?: string;
  /** The credentials the peer answered: 2.2.1 with roles, or the flat 2.1.1 object. */
  peerCredentials?: Credentials | Credentials211;
  peerCredentialsUrl?: string;
  /**
   * The peer that registered with this partner: the token this partner calls it with (B) and what
   * it read (`roles` is empty in 2.1.1, which has none: `credentials` is the object as sent).
   */
  registeredPeer?: { token: string; url: string; roles: unknown[]; endpoints: Endpoint[]; credentials: unknown };
  /** Tokens this partner currently accepts, with what each is good for. */
  issuedTokens: string[];
  requests: { method: string; url: string; authorization?: string; requestId?: string; correlationId?: string }[];
  /**
   * Pushes this partner's Receiver interfaces got (method, path, body, the headers that matter),
   * with how each was answered and whether the answer reached the caller before it gave up
   * (`delivered`, set when the response closes).
   */
  received: { method: string; path: string; body: unknown; headers: Record<string, string>; at: number; answer?: ReceivedAnswer; delivered?: boolean }[];
  /** The peer's endpoints, read when this partner registered with it. */
  peerEndpoints: Endpoint[];
  /** Real-time authorization requests it answered (eMSP): token uid, type, body. */
  authorizeRequests: { uid: string; type: string; body: unknown; at: number }[];
  /** Commands it got (CPO) and the results it posted back. */
  commands: { command: string; body: Record<string, unknown>; at: number }[];
  resultsPosted: { url: string; result: string; httpStatus: number; at: number }[];
}

type TokenKind = 'A' | 'B' | 'C';

const envelope = (statusCode: number, data?: unknown, message?: string) => ({
  ...(data !== undefined ? { data } : {}),
  status_code: statusCode,
  ...(message ? { status_message: message } : {}),
  timestamp: new Date().toISOString(),
});

/** The most a sim Sender page holds, whatever the client asks (its X-Limit). */
const SIM_PAGE_LIMIT = 50;
const mint = (): string => randomBytes(24).toString('base64url');

export async function startSimPartner(options: SimPartnerOptions): Promise<SimPartner> {
  const version = options.version ?? '2.2.1';
  const v211 = version === '2.1.1';
  if (v211 && options.role === 'HUB') throw new Error('OCPI 2.1.1 has no Hub role');
  const authMode = options.authMode ?? (v211 ? 'plain' : 'base64');
  const advertised = options.versions ?? [version];
  /** Where this version's routes live. */
  const root = `/ocpi/${version}`;
  const accepted = new Map<string, TokenKind>();
  const state: SimState = { issuedTokens: [], requests: [], received: [], peerEndpoints: [], authorizeRequests: [], commands: [], resultsPosted: [] };
  const behaviour: SimBehaviour = { authorizeDelayMs: 0, authorizeAllowed: 'ALLOWED', commandResponse: 'ACCEPTED', commandTimeout: 30, commandResult: 'ACCEPTED', commandResultDelayMs: 50 };
  const published: Record<string, unknown[]> = {};
  const faults: SimPartner['faults'] = {};
  const receiverFault: ReceiverFault = { mode: 'none' };
  // A test double: close() drops every connection at once, also one still waiting for its
  // request (an aborted call leaves such sockets: closing would otherwise wait out Node's 60 s
  // headers timeout — the tokens e2e spent a minute in close()).
  const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true }, forceCloseConnections: true });
  let baseUrl = '';

  const accept = (token: string, kind: TokenKind) => {
    accepted.set(token, kind);
    state.issuedTokens = [...accepted.keys()];
  };
  const revoke = (token: string | undefined) => {
    if (token) accepted.delete(token);
    state.issuedTokens = [...accepted.keys()];
  };
  const encode = (token: string) => `Token ${authMode === 'base64' ? Buffer.from(token).toString('base64') : token}`;
  const ownName = options.name ?? `Sim ${options.countryCode}*${options.partyId}`;
  const ownCredentials = (token: string): Credentials | Credentials211 =>
    v211
      ? credentials211(token, `${baseUrl}/ocpi/versions`, { name: ownName, countryCode: options.countryCode, partyId: options.partyId })
      : {
          token,
          url: `${baseUrl}/ocpi/versions`,
          roles: [{ role: options.role, party_id: options.partyId, country_code: options.countryCode, business_details: { name: ownName } }],
        };

  /**
   * Reads `Token <x>`: raw or Base64 (tolerating the trailing newline of the spec's examples).
   * 2.1.1 sends the token as it is: only the raw token is accepted there.
   */
  const tokenOf = (request: FastifyRequest): string | undefined => {
    const match = /^Token (\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) return undefined;
    const raw = match[1]!;
    if (v211) return accepted.has(raw) ? raw : undefined;
    const decoded = Buffer.from(raw, 'base64').toString('utf8').replace(/\n$/, '');
    if (accepted.has(decoded)) return decoded;
    return accepted.has(raw) ? raw : undefined;
  };

  async function call(method: string, url: string, token: string, body?: unknown): Promise<SimResult> {
    const response = await fetch(url, {
      method,
      headers: {
        authorization: encode(token),
        // 2.1.1 has no message ids.
        ...(v211 ? {} : { 'x-request-id': randomUUID(), 'x-correlation-id': randomUUID() }),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the raw text: the test will say what was wrong
    }
    return { httpStatus: response.status, body: parsed, headers: Object.fromEntries(response.headers.entries()) };
  }

  const dataOf = (result: SimResult): unknown => (result.body as { data?: unknown } | undefined)?.data;
  const statusOf = (result: SimResult): number | undefined => (result.body as { status_code?: number } | undefined)?.status_code;

  /** Reads a peer's endpoints of `version`: throws an OCPI status (3001/3002/3003) when it cannot. */
  async function readPeer(versionsUrl: string, token: string): Promise<Endpoint[]> {
    let versions: SimResult;
    try {
      versions = await call('GET', versionsUrl, token);
    } catch (error) {
      throw Object.assign(new Error(`peer versions unreachable: ${String(error)}`), { ocpi: 3001 });
    }
    const list = dataOf(versions);
    if (versions.httpStatus !== 200 || !Array.isArray(list)) throw Object.assign(new Error(`peer versions answered HTTP ${versions.httpStatus}`), { ocpi: 3001 });
    const offered = (list as { version: string; url: string }[]).find((entry) => entry.version === version);
    if (!offered) throw Object.assign(new Error(`peer does not offer ${version}`), { ocpi: 3002 });
    const details = await call('GET', offered.url, token);
    const endpoints = (dataOf(details) as { endpoints?: Endpoint[] } | undefined)?.endpoints;
    if (details.httpStatus !== 200 || !Array.isArray(endpoints)) throw Object.assign(new Error(`peer details answered HTTP ${details.httpStatus}`), { ocpi: 3001 });
    if (!endpoints.some((endpoint) => endpoint.identifier === 'credentials')) throw Object.assign(new Error('peer lists no credentials endpoint'), { ocpi: 3003 });
    return endpoints;
  }

  app.addHook('onRequest', async (request, reply) => {
    const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
    const entry: SimState['requests'][number] = { method: request.method, url: request.url };
    const authorization = header('authorization');
    const requestId = header('x-request-id');
    const correlationId = header('x-correlation-id');
    if (authorization) entry.authorization = authorization;
    if (requestId) entry.requestId = requestId;
    if (correlationId) entry.correlationId = correlationId;
    state.requests.push(entry);
    if (!v211) void reply.header('x-request-id', requestId ?? randomUUID()).header('x-correlation-id', correlationId ?? randomUUID());
    if (!tokenOf(request)) return reply.code(401).send(envelope(2000, undefined, 'unknown token'));
    return undefined;
  });

  app.get('/ocpi/versions', async (_request, reply) => {
    if (faults.versionsStatus) return reply.code(faults.versionsStatus).send(faults.versionsBody ?? envelope(3000, undefined, 'fault'));
    if (faults.versionsBody !== undefined) return reply.send(faults.versionsBody);
    return envelope(1000, advertised.map((version) => ({ version, url: `${baseUrl}/ocpi/${version}` })));
  });

  app.get(root, async (_request, reply) => {
    if (faults.detailsBody !== undefined) return reply.send(faults.detailsBody);
    if (v211) return envelope(1000, { version, endpoints: endpoints211(options.role as 'CPO' | 'EMSP', `${baseUrl}${root}`) });
    const module = (identifier: string, role: string) => ({ identifier, role, url: `${baseUrl}/ocpi/2.2.1/${identifier}/` });
    // OCPI names the eMSP's chargingprofiles interface Sender (it receives the CPO's ActiveChargingProfile pushes).
    const modules: Record<SimPartnerOptions['role'], { sender: string[]; receiver: string[] }> = {
      CPO: { sender: ['locations', 'tariffs', 'sessions', 'cdrs'], receiver: ['tokens', 'commands', 'chargingprofiles'] },
      EMSP: { sender: ['tokens', 'commands', 'chargingprofiles'], receiver: ['locations', 'tariffs', 'sessions', 'cdrs'] },
      HUB: { sender: ['hubclientinfo'], receiver: ['locations', 'tariffs', 'sessions', 'cdrs', 'tokens', 'commands'] },
    };
    const { sender, receiver } = modules[options.role];
    return envelope(1000, {
      version: '2.2.1',
      endpoints: [module('credentials', 'SENDER'), ...sender.map((id) => module(id, 'SENDER')), ...receiver.map((id) => module(id, 'RECEIVER'))],
    });
  });

  const registerPeer = async (request: FastifyRequest, reply: FastifyReply, expect: 'new' | 'existing') => {
    const caller = tokenOf(request)!;
    const kind = accepted.get(caller);
    const registered = kind === 'C';
    if (expect === 'new' && registered) return reply.code(405).send(envelope(2000, undefined, 'already registered'));
    if (expect === 'existing' && !registered) return reply.code(405).send(envelope(2000, undefined, 'not registered'));
    if (expect === 'new' && kind !== 'A') return reply.code(405).send(envelope(2000, undefined, 'register with a token A'));
    if (faults.credentialsPostStatusCode) return envelope(faults.credentialsPostStatusCode, undefined, 'fault');
    let peer: { token: string; url: string; roles: unknown[] };
    if (v211) {
      const flat = readCredentials211(request.body);
      // 2.1.1: a request that cannot be accepted gets an HTTP error code with the envelope (transport_and_format.md).
      if (!flat) return reply.code(400).send(envelope(2001, undefined, 'token, url, business_details, party_id and country_code are required'));
      peer = { token: flat.token, url: flat.url, roles: [] };
    } else {
      const body = request.body as Partial<Credentials> | undefined;
      if (!body || typeof body.token !== 'string' || typeof body.url !== 'string' || !Array.isArray(body.roles)) {
        return envelope(2001, undefined, 'token, url and roles are required');
      }
      peer = { token: body.token, url: body.url, roles: body.roles };
    }
    let endpoints: Endpoint[];
    try {
      endpoints = await readPeer(peer.url, peer.token);
    } catch (error) {
      return envelope((error as { ocpi?: number }).ocpi ?? 3001, undefined, (error as Error).message);
    }
    const tokenC = mint();
    revoke(caller);
    accept(tokenC, 'C');
    state.registeredPeer = { ...peer, endpoints, credentials: request.body };
    return envelope(1000, ownCredentials(tokenC));
  };

  app.post(`${root}/credentials`, (request, reply) => registerPeer(request, reply, 'new'));
  app.put(`${root}/credentials`, (request, reply) => registerPeer(request, reply, 'existing'));
  app.get(`${root}/credentials`, async (request, reply) => {
    const caller = tokenOf(request)!;
    if (accepted.get(caller) !== 'C') return reply.code(405).send(envelope(2000, undefined, 'not registered'));
    return envelope(1000, ownCredentials(caller));
  });
  app.delete(`${root}/credentials`, async (request, reply) => {
    const caller = tokenOf(request)!;
    if (accepted.get(caller) !== 'C') return reply.code(405).send(envelope(2000, undefined, 'not registered'));
    revoke(caller);
    delete state.registeredPeer;
    return envelope(1000);
  });
  /** Whether it lists the module: a 2.1.1 party answers 404 for one it does not have (2.2.1 takes anything, as it always did). */
  const listed = (module: string) => !v211 || lists211(options.role as 'CPO' | 'EMSP', module);
  // Sender interfaces: pages of what the test put in `published`, with Link and X-Total-Count.
  app.get(`${root}/:module`, async (request, reply) => {
    const { module } = request.params as { module: string };
    if (!listed(module)) return reply.code(404).send(envelope(2000, undefined, `no ${module} endpoint`));
    const query = request.query as { offset?: string; limit?: string; date_from?: string };
    const all = (published[module] ?? []).filter((object) => !query.date_from || String((object as { last_updated?: string }).last_updated) >= query.date_from);
    const offset = Number(query.offset ?? 0);
    const limit = Math.min(Number(query.limit ?? SIM_PAGE_LIMIT), SIM_PAGE_LIMIT);
    const page = all.slice(offset, offset + limit);
    void reply.header('x-total-count', String(all.length)).header('x-limit', String(SIM_PAGE_LIMIT));
    if (offset + page.length < all.length) {
      const next = new URL(`${baseUrl}${request.url}`);
      next.searchParams.set('offset', String(offset + page.length));
      next.searchParams.set('limit', String(limit));
      void reply.header('link', `<${next.toString()}>; rel="next"`);
    }
    return envelope(1000, page);
  });
  // eMSP Sender: real-time authorization of the tokens in `published.tokens`.
  app.post(`${root}/tokens/:uid/authorize`, async (request, reply) => {
    const { uid } = request.params as { uid: string };
    const type = (request.query as { type?: string }).type ?? 'RFID';
    state.authorizeRequests.push({ uid, type, body: request.body, at: Date.now() });
    if (behaviour.authorizeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.authorizeDelayMs));
    if (v211) return authorize211(uid, type, request.body, reply);
    const token = (published['tokens'] ?? []).find((candidate) => {
      const known = candidate as { uid?: string; type?: string };
      return known.uid?.toUpperCase() === uid.toUpperCase() && (known.type ?? 'RFID') === type;
    });
    if (!token) return reply.code(404).send(envelope(2004, undefined, 'unknown token'));
    const location = request.body && typeof request.body === 'object' ? request.body : undefined;
    return envelope(1000, { allowed: behaviour.authorizeAllowed, token, authorization_reference: `SIM${randomBytes(8).toString('hex')}`, ...(location ? { location } : {}) });
  });
  /**
   * 2.1.1 real-time authorization (mod_tokens.md §2.2.2): uid is a case-sensitive string(36);
   * the answer is an AuthorizationInfo `{ allowed, location? }` (no token, no reference). 2.1.1
   * says nothing of an unknown token and has no 2004: HTTP 404 (not found) with 2000.
   */
  const authorize211 = (uid: string, type: string, body: unknown, reply: FastifyReply) => {
    if (!TOKEN_TYPES_211.includes(type)) return reply.code(400).send(envelope(2001, undefined, `${type} is not a 2.1.1 TokenType`));
    const read = readLocationReferences211(body);
    if ('problem' in read) return reply.code(400).send(envelope(2001, undefined, read.problem));
    const token = (published['tokens'] ?? []).find((candidate) => {
      const known = candidate as { uid?: string; type?: string };
      return known.uid === uid && (known.type ?? 'RFID') === type;
    });
    if (!token) return reply.code(404).send(envelope(2000, undefined, 'unknown token'));
    return envelope(1000, { allowed: behaviour.authorizeAllowed, ...(read.references ? { location: read.references } : {}) });
  };
  // CPO Receiver: commands are answered, and their result posted to the response_url later. In
  // 2.1.1 only a CPO takes commands: an eMSP's commands interface takes the callbacks (below).
  if (!v211 || options.role === 'CPO') app.post(`${root}/commands/:command`, async (request, reply) => {
    const { command } = request.params as { command: string };
    const body = (request.body ?? {}) as Record<string, unknown>;
    state.commands.push({ command, body, at: Date.now() });
    const problem = v211 ? commandProblem211(command, request.body) : undefined;
    if (problem) return reply.code(400).send(envelope(2001, undefined, problem));
    const result = behaviour.commandResult;
    const responseUrl = body['response_url'];
    if (behaviour.commandResponse === 'ACCEPTED' && result && typeof responseUrl === 'string') {
      setTimeout(() => {
        const token = state.peerToken ?? state.registeredPeer?.token;
        if (!token) return;
        // 2.1.1 posts a CommandResponse again (mod_commands.md §2.2.1), 2.2.1 a CommandResult.
        call('POST', responseUrl, token, v211 ? { result } : { result, message: [] }).then(
          (answer) => state.resultsPosted.push({ url: responseUrl, result, httpStatus: answer.httpStatus, at: Date.now() }),
          () => state.resultsPosted.push({ url: responseUrl, result, httpStatus: 0, at: Date.now() }),
        );
      }, behaviour.commandResultDelayMs);
    }
    if (v211) return envelope(1000, { result: behaviour.commandResponse });
    return envelope(1000, { result: behaviour.commandResponse, timeout: behaviour.commandTimeout, message: [] });
  });
  // Receiver interfaces: every push is recorded for the test to inspect, and accepted.
  const receive = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
    const { module } = request.params as { module: string };
    if (!listed(module)) return reply.code(404).send(envelope(2000, undefined, `no ${module} endpoint`));
    const fault = receiverFault.mode !== 'none' && (!receiverFault.modules || receiverFault.modules.includes(module)) ? receiverFault.mode : 'none';
    const entry: SimState['received'][number] = { method: request.method, path: request.url, body: request.body, headers: Object.fromEntries(['x-request-id', 'x-correlation-id', 'ocpi-from-country-code', 'ocpi-from-party-id', 'ocpi-to-country-code', 'ocpi-to-party-id', 'authorization'].map((name) => [name, header(name) ?? ''])), at: Date.now(), answer: fault === 'none' ? 'ok' : fault };
    state.received.push(entry);
    reply.raw.once('close', () => {
      entry.delivered = reply.raw.writableFinished;
    });
    if (fault === 'error500') return reply.code(500).send(envelope(3000, undefined, 'simulated server error'));
    if (fault === 'rateLimited') return reply.code(429).header('retry-after', String(receiverFault.retryAfterSeconds ?? 1)).send(envelope(2000, undefined, 'simulated rate limit'));
    if (fault === 'truncated') return reply.code(200).type('application/json').send(JSON.stringify(envelope(1000)).slice(0, 12));
    if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, receiverFault.delayMs ?? 5_000));
    // A CDR POST is answered with where the CDR is kept (OCPI 2.2.1 §7.1; 2.1.1 mod_cdrs.md §2.2.2, required there too).
    const cdrId = (request.body as { id?: unknown } | undefined)?.id;
    if (request.method === 'POST' && module === 'cdrs' && typeof cdrId === 'string') void reply.header('location', `${baseUrl}${root}/cdrs/${encodeURIComponent(cdrId)}`);
    return envelope(1000);
  };
  app.route({ method: ['PUT', 'PATCH', 'POST', 'DELETE'], url: `${root}/:module/*`, handler: receive });
  // A CDR is POSTed to the endpoint itself (…/cdrs/; trailing slashes are ignored).
  app.route({ method: 'POST', url: `${root}/:module`, handler: receive });

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  baseUrl = `http://127.0.0.1:${port}`;
  let down = false;
  const goDown = async (): Promise<void> => {
    if (down) return;
    down = true;
    await new Promise<void>((resolve) => {
      app.server.close(() => resolve());
      app.server.closeAllConnections();
    });
  };
  const comeUp = async (): Promise<void> => {
    if (!down) return;
    await new Promise<void>((resolve, reject) => {
      app.server.once('error', reject);
      app.server.listen(port, '127.0.0.1', () => {
        app.server.off('error', reject);
        resolve();
      });
    });
    down = false;
  };

  const requirePeer = (): { url: string; token: string } => {
    if (!state.peerCredentialsUrl || !state.peerToken) throw new Error('not registered with a peer');
    return { url: state.peerCredentialsUrl, token: state.peerToken };
  };

  /** Sends our credentials (with a fresh token B, accepted before sending) and keeps the peer's token. */
  async function sendCredentials(method: 'POST' | 'PUT', url: string, token: string): Promise<SimResult> {
    const tokenB = mint();
    accept(tokenB, 'B');
    const result = await call(method, url, token, ownCredentials(tokenB));
    const data = dataOf(result) as Credentials | Credentials211 | undefined;
    // In 2.1.1 only the flat object is credentials.
    if (result.httpStatus === 200 && statusOf(result) === 1000 && data?.token && (!v211 || readCredentials211(data))) {
      // The previous token B (PUT) is replaced by the new one.
      for (const [existing, kind] of accepted) if (kind === 'B' && existing !== tokenB) revoke(existing);
      state.peerToken = data.token;
      state.peerCredentials = data;
      state.peerCredentialsUrl = url;
    } else {
      revoke(tokenB);
    }
    return result;
  }

  return {
    version,
    versionsUrl: `${baseUrl}/ocpi/versions`,
    baseUrl,
    state,
    published,
    faults,
    receiverFault,
    goDown,
    comeUp,
    behaviour,
    peerEndpoint(identifier, role) {
      // 2.1.1 endpoints have no role: one interface per module on a connection.
      const endpoint = state.peerEndpoints.find((candidate) => candidate.identifier === identifier && (v211 || candidate.role === role));
      if (!endpoint) throw new Error(v211 ? `the peer lists no ${identifier} endpoint` : `the peer lists no ${identifier} ${role} endpoint`);
      return endpoint.url;
    },
    issueTokenA() {
      const token = mint();
      accept(token, 'A');
      return token;
    },
    async registerWith(peerVersionsUrl, tokenA) {
      const endpoints = await readPeer(peerVersionsUrl, tokenA);
      state.peerEndpoints = endpoints;
      const credentialsUrl = endpoints.find((endpoint) => endpoint.identifier === 'credentials')!.url;
      return sendCredentials('POST', credentialsUrl, tokenA);
    },
    async updateCredentials() {
      const peer = requirePeer();
      return sendCredentials('PUT', peer.url, peer.token);
    },
    async getCredentials() {
      const peer = requirePeer();
      return call('GET', peer.url, peer.token);
    },
    async unregister() {
      const peer = requirePeer();
      const result = await call('DELETE', peer.url, peer.token);
      if (statusOf(result) === 1000) {
        for (const [token, kind] of accepted) if (kind === 'B') revoke(token);
        delete state.peerToken;
      }
      return result;
    },
    callPeer(method, url, body, token) {
      const use = token ?? state.peerToken;
      if (!use) throw new Error('no token to call the peer with');
      return call(method, url, use, body);
    },
    close: async () => {
      await comeUp();
      await app.close();
    },
  };
}
