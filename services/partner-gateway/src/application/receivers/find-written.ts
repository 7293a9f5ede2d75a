import { OcpiError, OcpiStatus } from '@voltmesh/ocpi';

/**
 * How a Receiver finds the object a write needs when partner writes reach the owning service
 * through Kafka: a PUT acknowledged a moment ago may not be applied yet.
 */
export interface WrittenLookup {
  /** A miss is looked up once more after this. */
  recheckAfterMs: number;
  /** Whether the owning service has not applied every partner write published to it yet (`ConsumerProgress`). */
  writesPending(): Promise<boolean>;
}

/**
 * The object a write needs, as `find` reads it; a miss is looked up again after
 * `recheckAfterMs`. Still missing while the owning service is behind on the partner writes
 * published to it (after a restart, a Kafka outage, a burst), the object may be in one of them:
 * HTTP 503 with 3000, so the partner retries — answering "unknown" to the PATCH that follows
 * an acknowledged PUT would make a partner drop it (the chaos suite saw 24 such refusals).
 * Otherwise the object is unknown: `unknown()`.
 */
export async function findWritten<T>(lookup: WrittenLookup, find: () => Promise<T | undefined>, unknown: () => unknown, what: string): Promise<T> {
  const first = await find();
  if (first !== undefined) return first;
  await new Promise((resolve) => setTimeout(resolve, lookup.recheckAfterMs));
  const second = await find();
  if (second !== undefined) return second;
  if (await lookup.writesPending()) {
    throw new OcpiError(OcpiStatus.SERVER_ERROR, `${what} is not known yet while earlier partner writes are still being applied: retry later`, { httpStatus: 503 });
  }
  throw unknown();
}
