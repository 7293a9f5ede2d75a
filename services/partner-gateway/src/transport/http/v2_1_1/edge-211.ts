import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { formatOcpiDateTime, invalidBody, OcpiError, OcpiStatus } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import { mapReported } from '../../../edge/loss-report.js';
import type { Mapped, NotExpressible } from '../../../edge/mapped.js';
import { callerOf } from '../route-helpers.js';

/** Where every 2.1.1 route lives. */
export const V211 = '/ocpi/2.1.1';

/** A 2.1.1 body in its schema: 2001 naming the field when it does not fit. */
export function parse211<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidBody(parsed.error);
  return parsed.data;
}

/**
 * The 2.1.1 edge of one request: objects in and out of our 2.2.1 model through the mappers,
 * with what they lose reported (log, metric, and the partner's status_message).
 */
export class Edge211 {
  constructor(private readonly logger: Logger) {}

  /**
   * A partner's object into our model. Not expressible is 2001 naming the fields (nothing is
   * stored); what is lost comes back as the message of the 1000 answer.
   */
  inbound<T>(request: FastifyRequest, module: string, objectId: string, map: () => Mapped<T>): { value: T; message: string | undefined } {
    const mapped = mapReported(this.logger, { partner: callerOf(request).connection.id, module, direction: 'inbound', objectId }, map);
    if ('refused' in mapped) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `not expressible in our OCPI 2.2.1 model: ${fieldsOf(mapped.refused)}`);
    return mapped;
  }

  /** One of our objects for the partner; not expressible is answered as not there (2000 / 404). */
  outbound<T>(request: FastifyRequest, module: string, objectId: string, map: () => Mapped<T>): T {
    const mapped = this.tryOutbound(request, module, objectId, map);
    if (mapped === undefined) throw new OcpiError(OcpiStatus.CLIENT_ERROR, `${module} ${objectId} cannot be expressed in OCPI 2.1.1`, { httpStatus: 404 });
    return mapped;
  }

  /** A page of our objects: those not expressible in 2.1.1 are left out (reported), never sent wrong. */
  outboundPage<S, T>(request: FastifyRequest, module: string, items: readonly S[], idOf: (item: S) => string, map: (item: S) => Mapped<T>): T[] {
    return items.flatMap((item) => {
      const mapped = this.tryOutbound(request, module, idOf(item), () => map(item));
      return mapped === undefined ? [] : [mapped];
    });
  }

  private tryOutbound<T>(request: FastifyRequest, module: string, objectId: string, map: () => Mapped<T>): T | undefined {
    const mapped = mapReported(this.logger, { partner: callerOf(request).connection.id, module, direction: 'outbound', objectId }, map);
    return 'refused' in mapped ? undefined : mapped.value;
  }
}

const fieldsOf = (error: NotExpressible): string => error.losses.map((loss) => `${loss.field}: ${loss.reason}`).join('; ');

/** 2.1.1 PATCHes need no last_updated; our model orders writes by it: the time we received it. */
export function withLastUpdated<T extends { last_updated?: string | undefined }>(patch: T, now: Date = new Date()): T & { last_updated: string } {
  return { ...patch, last_updated: patch.last_updated ?? formatOcpiDateTime(now) };
}
