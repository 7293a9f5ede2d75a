import { invalidArgument } from '@voltmesh/errors';
import type { ConsumedEvent } from '@voltmesh/kafka';

/** Decodes a domain event; an undecodable one is INVALID_ARGUMENT, so the consumer sends it to its DLQ. */
export function decodeEvent<T>(read: () => T, event: ConsumedEvent, type: string): T {
  try {
    return read();
  } catch (error) {
    throw invalidArgument(`undecodable ${type} at offset ${event.offset}: ${String(error)}`);
  }
}
