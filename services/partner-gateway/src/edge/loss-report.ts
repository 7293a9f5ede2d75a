import { counter } from '@voltmesh/telemetry';
import type { Logger } from '@voltmesh/telemetry';
import { NotExpressible, type Loss, type Mapped } from './mapped.js';

const losses = counter('ocpi_version_mapping_losses', 'Fields a partner\'s OCPI version could not express, by partner, module and direction (refused objects included)');

export interface LossContext {
  /** The partner's connection id. */
  partner: string;
  /** The OCPI module, e.g. `locations`. */
  module: string;
  /** inbound: the partner's object into our model; outbound: ours into the partner's version. */
  direction: 'inbound' | 'outbound';
  /** The object's id, for the log. */
  objectId?: string;
}

/**
 * Reports what a version mapping lost (or why it refused an object): counted, and logged
 * naming the fields (a refusal as a warning: an object did not go; a loss at debug: most are
 * structural, e.g. every 2.2.1 CommandResponse loses its timeout in 2.1.1). Returns the text an answer to the partner carries in
 * `status_message` (undefined when nothing was lost), so the partner learns it too.
 */
export function reportLosses(logger: Logger, context: LossContext, lost: readonly Loss[], refused = false): string | undefined {
  if (lost.length === 0) return undefined;
  losses.add(lost.length, { partner: context.partner, module: context.module, direction: context.direction });
  const fields = lost.map((loss) => `${loss.field}: ${loss.reason}`);
  logger[refused ? 'warn' : 'debug'](
    { connection_id: context.partner, module: context.module, direction: context.direction, object_id: context.objectId, refused, losses: fields },
    refused ? 'object not expressible in the partner\'s OCPI version: not sent' : 'OCPI version mapping lost fields',
  );
  const what = context.direction === 'inbound' ? 'accepted; our model cannot keep' : 'your OCPI version cannot say';
  return `${what}: ${fields.join('; ')}`.slice(0, 512);
}

/** A mapping's outcome once reported: the value (and the partner's message), or why it was refused. */
export type Reported<T> = { value: T; message: string | undefined } | { refused: NotExpressible };

/**
 * Runs a version mapping and reports it (reportLosses): what it lost, or that it refused the
 * object. The caller decides what a refusal means where it stands (2001, not sent, no decision).
 */
export function mapReported<T>(logger: Logger, context: LossContext, map: () => Mapped<T>): Reported<T> {
  try {
    const { value, losses: lost } = map();
    return { value, message: reportLosses(logger, context, lost) };
  } catch (error) {
    if (!(error instanceof NotExpressible)) throw error;
    reportLosses(logger, context, error.losses, true);
    return { refused: error };
  }
}
