import { OcpiError, OcpiStatus, pageHeaders, type PageQuery, type RoutingHeaders } from '@voltmesh/ocpi';
import { partyKey } from '../../domain/connection.js';
import type { Caller } from '../partner-registers.js';

/** A module's own objects, one page at a time (the owning service's gRPC list). */
export interface OwnObjectPages<T> {
  listOwn(page: { offset: number; limit: number; dateFrom?: string; dateTo?: string }): Promise<{ items: T[]; total: number }>;
}

/**
 * One page of our objects for a partner, with `X-Total-Count`, `X-Limit` and `Link`. Only one
 * page is ever in memory, so a partner crawling 50,000 locations costs the gateway one page.
 */
export async function listOwnPage<T>(source: OwnObjectPages<T>, maxLimit: number, query: PageQuery, requestUrl: string): Promise<{ data: T[]; headers: Record<string, string> }> {
  const page = await source.listOwn({
    offset: query.offset,
    limit: query.limit,
    ...(query.date_from ? { dateFrom: query.date_from } : {}),
    ...(query.date_to ? { dateTo: query.date_to } : {}),
  });
  return { data: page.items, headers: pageHeaders({ requestUrl, offset: query.offset, limit: query.limit, returned: page.items.length, total: page.total, maxLimit }) };
}

type Party = { countryCode: string; partyId: string };

/** What decides which eMSP a Sender request of party-specific objects (sessions, CDRs) is for. */
export interface EmspScope {
  /** Every party this platform hosts: a hub may not ask for ours. */
  ownParties: readonly Party[];
  /** `CC*PID` keys among `keys` that another registered connection holds (ConnectionStore.partiesHeldElsewhere). */
  heldElsewhere(keys: string[], exceptConnectionId: string): Promise<string[]>;
}

/**
 * The eMSP party a request for sessions or CDRs is answered for; only objects whose token
 * belongs to it are served (they carry drivers' personal data).
 * - A partner eMSP: the `OCPI-from-*` party, which must be one of its eMSP roles; without the
 *   header its only eMSP role (several: it must name one).
 * - A hub relays for parties its credentials do not list, so it must name the eMSP in
 *   `OCPI-from-*` (routing rules keep the requesting party there): not one of ours, and not
 *   a party connected to us directly by another connection. Whether that party is really
 *   behind the hub needs hub client info (not kept yet).
 * - Anyone else (a CPO-only partner): HTTP 404, as if the module were not there.
 */
export function requestingEmsp(scope: EmspScope, caller: Caller, routing: RoutingHeaders, module: string): Promise<Party> {
  return requestingParty(scope, caller, routing, module, 'EMSP');
}

/**
 * The same rules for the party a request speaks for in either role: the eMSP asking for its
 * drivers' objects, or the CPO pushing one of its objects (e.g. an ActiveChargingProfile).
 */
export async function requestingParty(scope: EmspScope, caller: Caller, routing: RoutingHeaders, module: string, role: 'EMSP' | 'CPO'): Promise<Party> {
  const { roles } = caller.connection;
  const label = role === 'EMSP' ? 'eMSP' : 'CPO';
  const ownRoles = roles.filter((held) => held.role === role);
  const isHub = roles.some((held) => held.role === 'HUB');
  if (ownRoles.length === 0 && !isHub) {
    const what = role === 'EMSP' ? 'are served to eMSPs' : 'are taken from CPOs';
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `${module} ${what}: your credentials name no ${label} role`, { httpStatus: 404 });
  }
  const from = routing.fromCountryCode && routing.fromPartyId ? { countryCode: routing.fromCountryCode, partyId: routing.fromPartyId } : undefined;
  if (!from) {
    const only = ownRoles.length === 1 ? ownRoles[0] : undefined;
    if (only) return { countryCode: only.countryCode.toUpperCase(), partyId: only.partyId.toUpperCase() };
    const why = isHub ? `a hub must name the ${label} it ${role === 'EMSP' ? 'asks' : 'speaks'} for` : `your credentials name several ${label} roles: name one`;
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-from-party-id: required, ${why}`);
  }
  const key = partyKey(from.countryCode, from.partyId);
  if (ownRoles.some((held) => partyKey(held.countryCode, held.partyId) === key)) return { countryCode: from.countryCode.toUpperCase(), partyId: from.partyId.toUpperCase() };
  const refused = (why: string) => new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-from-party-id: ${key} ${why}`);
  if (!isHub) throw refused(`is not one of your ${label} roles`);
  if (roles.some((held) => partyKey(held.countryCode, held.partyId) === key)) throw refused(`is the hub itself: name the ${label} it ${role === 'EMSP' ? 'asks' : 'speaks'} for`);
  if (scope.ownParties.some((own) => partyKey(own.countryCode, own.partyId) === key)) throw refused('is one of our own parties');
  if ((await scope.heldElsewhere([key], caller.connection.id)).length > 0) throw refused('is not a party you may ask for');
  return { countryCode: from.countryCode.toUpperCase(), partyId: from.partyId.toUpperCase() };
}

/** The party `OCPI-to-*` names, which must be one of `ours` (2001 otherwise); undefined when it names none. */
export function addressedOwnParty(routing: RoutingHeaders, ours: readonly Party[], role: string): Party | undefined {
  if (!routing.toCountryCode || !routing.toPartyId) return undefined;
  const key = partyKey(routing.toCountryCode, routing.toPartyId);
  const named = ours.find((party) => partyKey(party.countryCode, party.partyId) === key);
  if (!named) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-to-party-id: ${key} is not one of our ${role} parties`);
  return { countryCode: named.countryCode.toUpperCase(), partyId: named.partyId.toUpperCase() };
}
