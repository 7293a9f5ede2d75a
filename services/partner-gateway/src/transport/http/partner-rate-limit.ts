import { RateLimiter } from '../../adapters/rate-limiter.js';

/**
 * The request rate of every partner on every module: one token bucket per connection and
 * module (`PARTNER_RATE_PER_MINUTE`, `PARTNER_RATE_BURST`, per replica), keyed by the
 * connection the token belongs to, never by IP address (partners behind one proxy or NAT do
 * not share a bucket; one partner on many addresses does). A flood of EVSE status PATCHes
 * uses up that partner's locations bucket, not its commands or credentials.
 */
export class PartnerRateLimit {
  private readonly limiter: RateLimiter;

  constructor(perMinute: number, burst: number, now: () => number = Date.now) {
    this.limiter = new RateLimiter(perMinute, burst, now);
  }

  /** 0 when the request may go on, else the seconds until the bucket holds one again. */
  take(connectionId: string, module: string): number {
    return this.limiter.take(`${connectionId}|${module}`);
  }
}

/**
 * The module a route serves, from its pattern (never from the request path, so a partner cannot
 * make new buckets by inventing paths): `cpo/locations`, `emsp/tokens`, `credentials`,
 * `hubclientinfo`, `versions`; the fallback of modules we do not have is `cpo/:module`.
 */
export function moduleOfRoute(pattern: string | undefined): string {
  if (!pattern) return 'unknown';
  // One bucket per module whatever the version: a partner does not double its rate by calling both.
  if (pattern === '/ocpi/versions' || /^\/ocpi\/2\.(2\.1|1\.1)$/.test(pattern)) return 'versions';
  const segments = pattern.replace(/^\/ocpi\/2\.(2\.1|1\.1)\//, '').split('/');
  const [first = 'unknown', second] = segments;
  return (first === 'cpo' || first === 'emsp') && second !== undefined ? `${first}/${second}` : first;
}
