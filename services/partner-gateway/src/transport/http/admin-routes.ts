import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { HubClientInfoStore } from '../../adapters/hub-client-info-store.js';
import { z } from 'zod';
import { isAppError } from '@voltmesh/errors';
import { OcpiError, zodErrorMessage } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import { connectToPartner } from '../../application/connect-to-partner.js';
import type { GatewayContext } from '../../application/context.js';
import { createInvitation, disconnectPartner } from '../../application/manage-connections.js';
import type { RequestPullSync } from '../../dispatcher/pull/index.js';
import type { Connection } from '../../domain/connection.js';

const authMode = z.enum(['base64', 'plain']).default('base64');
/** The partner's role should it speak OCPI 2.1.1, whose credentials name none. */
const role211 = z.enum(['CPO', 'EMSP']).optional();
/** The IANA zone of a 2.1.1 CPO's locations that name none. */
const timeZone211 = z
  .string()
  .max(255)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'time_zone_211 must be an IANA time zone, e.g. Europe/Amsterdam')
  .optional();
const invitationBody = z.object({ label: z.string().max(100).optional(), auth_mode: authMode, role_211: role211, time_zone_211: timeZone211 }).default({ auth_mode: 'base64' });
const connectBody = z.object({
  versions_url: z.url({ protocol: /^https?$/ }).max(255),
  token_a: z.string().regex(/^[\x21-\x7e]{1,64}$/, 'token_a must be 1-64 printable ASCII characters without spaces'),
  auth_mode: authMode,
  label: z.string().max(100).optional(),
  role_211: role211,
  time_zone_211: timeZone211,
});
const syncBody = z.object({ full: z.boolean().optional() }).default({});

/**
 * The operators' API (separate port): invite partners, connect to partners, list and end
 * connections. Bearer token compared in constant time. Answers plain JSON (not OCPI).
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  context: GatewayContext,
  adminToken: string,
  logger: Logger,
  ports: { requestSync?: RequestPullSync | undefined; hubClientInfo?: Pick<HubClientInfoStore, 'list'> | undefined } = {},
): void {
  const expected = digest(adminToken);
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/healthz') return undefined;
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!timingSafeEqual(digest(presented), expected)) {
      return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', message: 'admin bearer token required' } });
    }
    return undefined;
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.post('/admin/invitations', async (request, reply) => {
    const body = invitationBody.parse(request.body ?? {});
    const invitation = await createInvitation(context, { authMode: body.auth_mode, ...(body.label ? { label: body.label } : {}), ...(body.role_211 ? { role211: body.role_211 } : {}), ...(body.time_zone_211 ? { timeZone211: body.time_zone_211 } : {}) });
    return reply.code(201).send({
      connection_id: invitation.connection.id,
      token_a: invitation.tokenA,
      versions_url: invitation.versionsUrl,
    });
  });

  app.post('/admin/connections', async (request, reply) => {
    const body = connectBody.parse(request.body);
    const connection = await connectToPartner(context, {
      versionsUrl: body.versions_url,
      tokenA: body.token_a,
      authMode: body.auth_mode,
      ...(body.label ? { label: body.label } : {}),
      ...(body.role_211 ? { role211: body.role_211 } : {}),
      ...(body.time_zone_211 ? { timeZone211: body.time_zone_211 } : {}),
    });
    return reply.code(201).send(connectionJson(connection));
  });

  app.get('/admin/connections', async () => ({ connections: (await context.store.list()).map(connectionJson) }));

  // What hubs report about the parties behind them (HubClientInfo): OFFLINE parties get no pushes.
  app.get('/admin/hub-client-info', async () => ({
    client_info: (await ports.hubClientInfo?.list())?.map((held) => ({ hub_connection_id: held.hub_connection_id, ...held.info, received_at: held.received_at.toISOString() })) ?? [],
  }));

  app.get('/admin/connections/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const connection = await context.store.get(id);
    return connection ? connectionJson(connection) : reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no connection ${id}` } });
  });

  app.delete('/admin/connections/:id', async (request) => {
    const { id } = request.params as { id: string };
    const result = await disconnectPartner(context, id);
    return {
      connection: connectionJson(result.connection),
      partner_unregistered: result.partnerUnregistered,
      ...(result.partnerError ? { partner_error: result.partnerError } : {}),
    };
  });

  // The dispatcher runs the sync; this only asks for it (202) through the injected port.
  app.post('/admin/connections/:id/sync', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = syncBody.parse(request.body ?? {});
    if (!ports.requestSync) return reply.code(503).send({ error: { code: 'UNAVAILABLE', message: 'pull sync is not available in this process' } });
    const sync = await ports.requestSync(id, { full: body.full === true });
    if (sync.modules.length === 0) {
      return reply.code(409).send({ error: { code: 'FAILED_PRECONDITION', message: `connection ${id} offers no Sender endpoint that we pull` } });
    }
    return reply.code(202).send({ connection_id: sync.connectionId, modules: sync.modules, full: sync.full, status: 'requested' });
  });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof z.ZodError) {
      return reply.code(400).send({ error: { code: 'INVALID_ARGUMENT', message: zodErrorMessage(error) } });
    }
    if (error instanceof OcpiError) {
      // A handshake that failed at the partner: 502 with the OCPI status that names the cause.
      const status = error.ocpiStatus >= 3000 ? 502 : 400;
      return reply.code(status).send({ error: { code: 'HANDSHAKE_FAILED', ocpi_status: error.ocpiStatus, message: error.message } });
    }
    if (isAppError(error) && error.code === 'NOT_FOUND') {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: error.message } });
    }
    const statusCode = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (statusCode < 500) return reply.code(statusCode).send({ error: { code: 'BAD_REQUEST', message: error.message } });
    logger.error({ err: error, url: request.url }, 'admin API error');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });
}

function digest(value: string): Buffer {
  // Equal-length digests let timingSafeEqual compare tokens of any length.
  return createHash('sha256').update(value).digest();
}

function connectionJson(connection: Connection) {
  return {
    id: connection.id,
    state: connection.state,
    initiator: connection.initiator,
    label: connection.label,
    auth_mode: connection.authMode,
    version: connection.version,
    role_211: connection.role211,
    time_zone_211: connection.timeZone211,
    versions_url: connection.versionsUrl,
    roles: connection.roles.map((role) => ({
      role: role.role,
      country_code: role.countryCode,
      party_id: role.partyId,
      business_name: role.businessName,
    })),
    endpoints: connection.endpoints.map((endpoint) => ({ identifier: endpoint.module, role: endpoint.interfaceRole, url: endpoint.url })),
    created_at: connection.createdAt.toISOString(),
    updated_at: connection.updatedAt.toISOString(),
  };
}
