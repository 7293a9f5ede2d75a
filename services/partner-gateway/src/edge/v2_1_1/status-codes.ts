/**
 * 2.1.1 knows status codes 1000, 2000-2003 and 3000-3003 only. Ours that it lacks are answered
 * as the nearest it has: an unknown token (2004) is a client error (2000), hub errors are
 * client (4000, 4001) or server (4002, 4003) errors.
 */
export function statusCodeFor211(code: number): number {
  if (code === 2004) return 2000;
  if (code === 4000 || code === 4001) return 2000;
  if (code === 4002 || code === 4003) return 3000;
  return code;
}
