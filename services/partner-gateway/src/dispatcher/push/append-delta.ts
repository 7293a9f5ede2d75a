import type { PushJob, PushMethod } from './push-job.js';

export interface PushRequest {
  method: PushMethod;
  body: unknown;
}

/**
 * What to send for a claimed state. An `appendList` job (an OCPI Session) goes whole (PUT) until
 * the partner acknowledged one state; after that as a PATCH of the top-level fields with only
 * the list items the partner lacks (OCPI 2.2.1 §6: a PATCH's charging_periods are appended).
 * A list shorter than what the partner holds cannot be expressed as an append: PUT again.
 */
export function requestFor(job: PushJob, deliveredListLength: number | undefined): PushRequest {
  if (job.appendList === undefined || deliveredListLength === undefined || typeof job.body !== 'object' || job.body === null) {
    return { method: job.method, body: job.body };
  }
  const whole = job.body as Record<string, unknown>;
  const list = whole[job.appendList];
  const items = Array.isArray(list) ? list : [];
  if (items.length < deliveredListLength) return { method: job.method, body: job.body };
  const topLevel = Object.fromEntries(Object.entries(whole).filter(([field]) => field !== job.appendList));
  const added = items.slice(deliveredListLength);
  return { method: 'PATCH', body: added.length > 0 ? { ...topLevel, [job.appendList]: added } : topLevel };
}
