/**
 * Versions order the states of one object. They are compared as plain strings, in Mongo
 * (`$lt`, binary order) and here, so they are restricted to printable ASCII where both orders
 * agree, and built with fixed widths so that string order is time order.
 */
const VERSION = /^[\x21-\x7e]{1,200}$/;

export const isValidPushVersion = (version: string): boolean => VERSION.test(version);

/**
 * `2026-03-01T10:00:00.000Z#0000000000000042`: the object's last_updated (UTC, milliseconds)
 * then a tie-breaker that grows with each change of the same instant, e.g. the Kafka offset of
 * the event (one object's events share a partition, so its offsets grow with its changes).
 */
export function pushVersion(lastUpdated: Date, sequence: number | bigint | string = 0): string {
  const time = lastUpdated.getTime();
  if (!Number.isFinite(time) || time < 0 || time > 253_402_300_799_999) throw new RangeError('pushVersion: last_updated must be between 1970 and 9999');
  const seq = BigInt(sequence);
  if (seq < 0n || seq > 9_999_999_999_999_999n) throw new RangeError('pushVersion: sequence must have at most 16 digits');
  return `${lastUpdated.toISOString()}#${seq.toString().padStart(16, '0')}`;
}
