import { lookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { isPrivateAddress } from './url-guard.js';

/** fetch as our partner calls use it (PartnerClient, the pull's page fetcher). */
export type PartnerFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Every address a host name resolves to now (the resolver of the connection about to be made). */
export type ResolveHost = (host: string) => Promise<LookupAddress[]>;

/** The error a refused connection fails with; fetch wraps it as the `cause` of its TypeError. */
export class PrivateAddressRefused extends Error {
  override readonly name = 'PrivateAddressRefused';
  readonly code = 'EPRIVATEADDRESS';

  constructor(host: string, address: string) {
    super(
      host === address
        ? `refused to connect to ${address}: a private or loopback address (ALLOW_PRIVATE_PARTNER_URLS is off)`
        : `refused to connect to ${host}: it resolves to ${address}, a private or loopback address (ALLOW_PRIVATE_PARTNER_URLS is off)`,
    );
  }
}

const resolveWithDns: ResolveHost = (host) =>
  new Promise((resolve, reject) => lookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * fetch for partner-supplied URLs (versions and endpoint URLs, response_urls). Unless private
 * addresses are allowed, the address is checked **when the socket connects**, on the very
 * address the connection uses: a checked-then-resolved-again URL could be pointed at our own
 * network between the check and the call (DNS rebinding). IP literals are checked before
 * connecting, host names in the connection's own DNS lookup; a refusal fails the call like an
 * unreachable host, so callers treat it as they treat any network error.
 */
export function partnerFetch(options: { allowPrivate: boolean; resolve?: ResolveHost }): PartnerFetch {
  if (options.allowPrivate) return (url, init) => fetch(url, init);
  const resolve = options.resolve ?? resolveWithDns;
  const guardedLookup = (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
        if (blocked) return callback(new PrivateAddressRefused(hostname, blocked.address), []);
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
        if (lookupOptions.all) return callback(null, addresses);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
  const connectSocket = buildConnector({ lookup: guardedLookup as never });
  const dispatcher = new Agent({
    // Node connects to an IP literal without a lookup: check it here.
    connect: (connectOptions, callback) => {
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && isPrivateAddress(host)) {
        callback(new PrivateAddressRefused(host, host), null);
        return;
      }
      connectSocket(connectOptions, callback);
    },
  });
  return (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
}
