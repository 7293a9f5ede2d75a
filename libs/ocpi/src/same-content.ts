import { isDeepStrictEqual } from 'node:util';

/**
 * Equal as JSON: an absent field and one set to undefined are the same, key order does not
 * matter. What a partner or the store round-trips is compared this way.
 */
export function sameContent(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(plain(a), plain(b));
}

const plain = (value: unknown): unknown => (value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown));
