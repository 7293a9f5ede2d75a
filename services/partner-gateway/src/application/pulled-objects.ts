import { invalidBody, OcpiError, OcpiStatus } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import type { z } from 'zod';
import type { Logger } from '@voltmesh/telemetry';
import { mapReported } from '../edge/loss-report.js';
import type { Mapped } from '../edge/mapped.js';
import { locationFrom211 } from '../edge/v2_1_1/locations.js';
import { tariffFrom211 } from '../edge/v2_1_1/tariffs.js';
import { tokenFrom211 } from '../edge/v2_1_1/tokens.js';
import type { IngressPublisher } from '../adapters/ingress-publisher.js';
import type { Connection } from '../domain/connection.js';
import { parseLocationWrite } from './receivers/location-write.js';
import { parseTariffWrite } from './receivers/tariff-write.js';
import { parseTokenWrite } from './receivers/token-write.js';

export interface PulledObjectsDeps {
  connections: { get(id: string): Promise<Connection | undefined> };
  ingress: Pick<IngressPublisher, 'locationWrite' | 'tariffWrite' | 'tokenWrite'>;
  logger: Logger;
}

/**
 * Where objects pulled from a partner's Sender interface go: through the same checks as a
 * partner PUT (its own party, the full schema) onto the same ingress topic, so the owning
 * service applies them with the same rules. An object that fails the checks is logged with
 * the reason and counted, never stored; the rest of the page goes on.
 */
export function pulledObjectsSink(deps: PulledObjectsDeps) {
  return async (context: { connectionId: string; module: string }, objects: unknown[]): Promise<void> => {
    const connection = await deps.connections.get(context.connectionId);
    if (connection?.state !== 'REGISTERED') throw new Error(`connection ${context.connectionId} is no longer registered`);
    let rejected = 0;
    // One page at a time, published in parallel: keys differ, so per-object order is unaffected.
    await Promise.all(
      objects.map(async (object) => {
        try {
          await publish(deps, connection, context.module, connection.version === '2.1.1' ? from211(deps.logger, connection, context.module, object) : object);
        } catch (error) {
          if (!(error instanceof OcpiError)) throw error;
          rejected += 1;
          deps.logger.warn({ connection_id: connection.id, module: context.module, object_id: idOf(object), reason: error.message }, 'pulled object rejected');
        }
      }),
    );
    if (rejected > 0) deps.logger.warn({ connection_id: connection.id, module: context.module, rejected, of: objects.length }, 'pulled page had invalid objects');
  };
}

async function publish(deps: PulledObjectsDeps, connection: Connection, module: string, object: unknown): Promise<void> {
  const fields = (object ?? {}) as Record<string, unknown>;
  const party = { countryCode: String(fields['country_code'] ?? ''), partyId: String(fields['party_id'] ?? '') };
  switch (module) {
    case 'locations':
      return deps.ingress.locationWrite(connection.id, parseLocationWrite(connection, 'PUT', { ...party, locationId: String(fields['id'] ?? '') }, object));
    case 'tariffs':
      return deps.ingress.tariffWrite(connection.id, parseTariffWrite(connection, 'PUT', { ...party, tariffId: String(fields['id'] ?? '') }, object));
    case 'tokens':
      // A partner eMSP's tokens, pulled by our CPO (OCPI: at start-up and every few hours).
      return deps.ingress.tokenWrite(connection.id, parseTokenWrite(connection, 'PUT', { ...party, uid: String(fields['uid'] ?? ''), type: String(fields['type'] ?? 'RFID') }, object));
    default:
      throw new Error(`no ingress for pulled module ${module}`);
  }
}

const idOf = (object: unknown): string => {
  const fields = (object ?? {}) as Record<string, unknown>;
  return String(fields['id'] ?? fields['uid'] ?? '?');
};

/**
 * A pulled 2.1.1 object in our model: its owner is the connection's party (2.1.1 objects name
 * none), losses reported; one 2.1.1 cannot map is rejected like an invalid object.
 */
function from211(logger: Logger, connection: Connection, module: string, object: unknown): unknown {
  const party = connection.roles[0];
  if (!party) throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'the connection names no party to own pulled objects');
  const owner = { countryCode: party.countryCode, partyId: party.partyId };
  const parse = <T extends z.ZodType>(schema: T): z.output<T> => {
    const parsed = schema.safeParse(object);
    if (!parsed.success) throw invalidBody(parsed.error);
    return parsed.data;
  };
  const map = (): Mapped<unknown> => {
    switch (module) {
      case 'locations':
        return locationFrom211(parse(v211.locationSchema), { ...owner, ...(connection.timeZone211 ? { timeZone: connection.timeZone211 } : {}) });
      case 'tariffs':
        return tariffFrom211(parse(v211.tariffSchema), owner);
      case 'tokens':
        return tokenFrom211(parse(v211.tokenSchema), owner);
      default:
        throw new Error(`no 2.1.1 mapping for pulled module ${module}`);
    }
  };
  const mapped = mapReported(logger, { partner: connection.id, module, direction: 'inbound', objectId: idOf(object) }, map);
  if ('refused' in mapped) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, mapped.refused.message);
  return mapped.value;
}
