/**
 * Delay before retry number `failures` (1 = after the first failure): uniformly random in
 * [0, min(cap, base * 2^(failures-1))] ("full jitter"), so partners that failed together do
 * not come back together.
 */
export function fullJitterBackoff(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 52);
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * A Retry-After header (RFC 9110: delay in seconds or an HTTP date) as milliseconds from
 * `now`; undefined when absent or unreadable. A date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the IMF-fixdate family and its obsolete forms carry a weekday name or GMT; refuse
  // whatever else Date.parse would guess at (e.g. "5.5" or "1 hour").
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
