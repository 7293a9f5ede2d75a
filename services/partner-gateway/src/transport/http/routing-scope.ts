import { OcpiError, OcpiStatus, parseRoutingHeaders, type RoutingHeaders } from '@voltmesh/ocpi';
import { partyKey, type Connection } from '../../domain/connection.js';

type Party = { countryCode: string; partyId: string };

/**
 * What a functional request's routing headers and object address may say, checked once for every
 * route of the partner API before its handler runs (handlers that pick a party by the headers,
 * e.g. sessions and commands, check more):
 * - the object's party (`{country_code}/{party_id}` of a client-owned object URL, or a posted
 *   CDR's) is one of the caller's roles: otherwise HTTP 404, as if nothing were there;
 * - `OCPI-from-*` names one of the caller's parties and, for an object, that object's party
 *   (a hub relays for others: it may name any party but one of ours);
 * - `OCPI-to-*` names one of our parties in the role the route serves (`/cpo/…`: our CPO);
 * - country code and party id come together.
 * A disagreement is 2001 naming the header; nothing is read or written.
 */
export function assertRequestScope(
  connection: Connection,
  headers: Record<string, string | string[] | undefined>,
  input: { ourRole: 'CPO' | 'EMSP'; ourParties: readonly (Party & { role: string })[]; owner?: Party | undefined; postedOwner?: Party | undefined },
): void {
  const { owner } = input;
  // A posted object's party is a body field (2001 when it is not the caller's: receive-cdr); the sender must still be it.
  const claimed = owner ?? input.postedOwner;
  const callerHolds = (party: Party) => connection.roles.some((role) => partyKey(role.countryCode, role.partyId) === partyKey(party.countryCode, party.partyId));
  if (owner && !callerHolds(owner)) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `party ${partyKey(owner.countryCode, owner.partyId)} is not one of your roles`, { httpStatus: 404 });
  }
  const routing = parseRoutingHeaders(headers);
  const from = pair(routing, 'from');
  const to = pair(routing, 'to');
  if (from) {
    const key = partyKey(from.countryCode, from.partyId);
    const isHub = connection.roles.some((role) => role.role === 'HUB');
    if (input.ourParties.some((own) => partyKey(own.countryCode, own.partyId) === key)) {
      throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-from-party-id: ${key} is one of our own parties`);
    }
    if (!isHub && !callerHolds(from)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-from-party-id: ${key} is not one of your roles`);
    if (!isHub && claimed && partyKey(claimed.countryCode, claimed.partyId) !== key) {
      throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-from-party-id: ${key} is not ${partyKey(claimed.countryCode, claimed.partyId)}, whose object this is`);
    }
  }
  if (to) {
    const key = partyKey(to.countryCode, to.partyId);
    if (!input.ourParties.some((own) => own.role === input.ourRole && partyKey(own.countryCode, own.partyId) === key)) {
      throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-to-party-id: ${key} is not one of our ${input.ourRole === 'CPO' ? 'CPO' : 'eMSP'} parties`);
    }
  }
}

function pair(routing: RoutingHeaders, side: 'from' | 'to'): Party | undefined {
  const countryCode = side === 'from' ? routing.fromCountryCode : routing.toCountryCode;
  const partyId = side === 'from' ? routing.fromPartyId : routing.toPartyId;
  if (countryCode === undefined && partyId === undefined) return undefined;
  if (countryCode === undefined || partyId === undefined) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-${side}-country-code and ocpi-${side}-party-id: give both or neither`);
  }
  return { countryCode, partyId };
}

/** The party owning the object a request addresses: the URL's `{country_code}/{party_id}`, or a POSTed object's own (a CDR). */
export function addressedOwner(params: unknown, body: unknown, method: string): { owner?: Party; postedOwner?: Party } {
  const fromParams = params as { country_code?: unknown; party_id?: unknown } | undefined;
  if (typeof fromParams?.country_code === 'string' && typeof fromParams.party_id === 'string') return { owner: { countryCode: fromParams.country_code, partyId: fromParams.party_id } };
  if (method === 'POST' && body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const object = body as { country_code?: unknown; party_id?: unknown };
    if (typeof object.country_code === 'string' && typeof object.party_id === 'string') return { postedOwner: { countryCode: object.country_code, partyId: object.party_id } };
  }
  return {};
}
