import { OcpiError } from './ocpi-error.js';
import { OcpiStatus } from './status-codes.js';

export const OcpiHeader = {
  requestId: 'x-request-id',
  correlationId: 'x-correlation-id',
  toPartyId: 'ocpi-to-party-id',
  toCountryCode: 'ocpi-to-country-code',
  fromPartyId: 'ocpi-from-party-id',
  fromCountryCode: 'ocpi-from-country-code',
  link: 'link',
  totalCount: 'x-total-count',
  limit: 'x-limit',
} as const;

/** Credentials tokens: printable ASCII without whitespace (U+0021..U+007E), at most 64 characters. */
const CREDENTIALS_TOKEN = /^[\x21-\x7e]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const isValidCredentialsToken = (value: string): boolean => CREDENTIALS_TOKEN.test(value);

/**
 * The credentials tokens an `Authorization: Token <x>` header may carry: the Base64-decoded
 * value (2.2.1) and the raw value (2.1.1 and lax 2.2 partners). The spec's own Base64
 * examples end in a newline (made with `echo`), so one trailing newline is trimmed.
 * Decoded first: a raw token that happens to be valid Base64 is still tried second.
 */
export function parseAuthorizationHeader(value: string | undefined): string[] {
  const match = /^token\s+(\S+)\s*$/i.exec(value ?? '');
  if (!match) return [];
  const raw = match[1]!;
  const candidates: string[] = [];
  if (raw.length % 4 === 0 && BASE64.test(raw)) {
    const decoded = Buffer.from(raw, 'base64').toString('utf8').replace(/\r?\n$/, '');
    if (isValidCredentialsToken(decoded)) candidates.push(decoded);
  }
  if (isValidCredentialsToken(raw) && !candidates.includes(raw)) candidates.push(raw);
  return candidates;
}

/** The header we send: Base64 for 2.2.x, raw for partners that expect it (per-connection setting). */
export function encodeAuthorizationHeader(token: string, mode: 'base64' | 'plain'): string {
  return `Token ${mode === 'base64' ? Buffer.from(token, 'utf8').toString('base64') : token}`;
}

export interface RoutingHeaders {
  toCountryCode?: string;
  toPartyId?: string;
  fromCountryCode?: string;
  fromPartyId?: string;
}

type HeaderBag = Record<string, string | string[] | undefined>;

/** OCPI-to/from-* headers, upper-cased (CiString); a malformed one is 2001 naming the header. */
export function parseRoutingHeaders(headers: HeaderBag): RoutingHeaders {
  const read = (name: string, length: number): string | undefined => {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === '') return undefined;
    if (!new RegExp(`^[A-Za-z0-9]{${length}}$`).test(value)) {
      throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ${name}: must be ${length} letters or digits`);
    }
    return value.toUpperCase();
  };
  const routing: RoutingHeaders = {};
  const toCountryCode = read(OcpiHeader.toCountryCode, 2);
  const toPartyId = read(OcpiHeader.toPartyId, 3);
  const fromCountryCode = read(OcpiHeader.fromCountryCode, 2);
  const fromPartyId = read(OcpiHeader.fromPartyId, 3);
  if (toCountryCode) routing.toCountryCode = toCountryCode;
  if (toPartyId) routing.toPartyId = toPartyId;
  if (fromCountryCode) routing.fromCountryCode = fromCountryCode;
  if (fromPartyId) routing.fromPartyId = fromPartyId;
  return routing;
}

/** Response routing headers: the request's to/from swapped. */
export function responseRoutingHeaders(routing: RoutingHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  if (routing.fromCountryCode) out[OcpiHeader.toCountryCode] = routing.fromCountryCode;
  if (routing.fromPartyId) out[OcpiHeader.toPartyId] = routing.fromPartyId;
  if (routing.toCountryCode) out[OcpiHeader.fromCountryCode] = routing.toCountryCode;
  if (routing.toPartyId) out[OcpiHeader.fromPartyId] = routing.toPartyId;
  return out;
}
