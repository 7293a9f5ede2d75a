import { clientInfoSchema, invalidBody, OcpiError, OcpiStatus, type ClientInfo } from '@voltmesh/ocpi';
import type { HubClientInfoStore } from '../../adapters/hub-client-info-store.js';
import type { Caller } from '../partner-registers.js';
import { assertSameIds } from './party-scope.js';

export interface ClientInfoAddress {
  countryCode: string;
  partyId: string;
}

/** Only a hub tells us which parties it connects; anyone else gets the answer an unknown URL gets. */
function requireHub(caller: Caller): void {
  if (!caller.connection.roles.some((role) => role.role === 'HUB')) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'hubclientinfo is for hubs: your credentials have no HUB role', { httpStatus: 404 });
  }
}

/**
 * HubClientInfo Receiver PUT (OCPI 2.2.1 §12): the hub reports a party's connection status.
 * The URL and the body name the same party; an older last_updated than held changes nothing.
 */
export async function receiveClientInfo(store: Pick<HubClientInfoStore, 'put'>, caller: Caller, address: ClientInfoAddress, body: unknown, now: Date): Promise<void> {
  requireHub(caller);
  const parsed = clientInfoSchema.safeParse(body);
  if (!parsed.success) throw invalidBody(parsed.error);
  assertSameIds([
    ['country_code', address.countryCode, parsed.data.country_code],
    ['party_id', address.partyId, parsed.data.party_id],
  ]);
  await store.put(caller.connection.id, parsed.data, now);
}

/** HubClientInfo Receiver GET: what this hub last reported about the party. */
export async function readClientInfo(store: Pick<HubClientInfoStore, 'get'>, caller: Caller, address: ClientInfoAddress): Promise<ClientInfo> {
  requireHub(caller);
  const held = await store.get(caller.connection.id, address.countryCode, address.partyId);
  if (!held) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `no ClientInfo for ${address.countryCode}*${address.partyId}`, { httpStatus: 404 });
  return held.info;
}
