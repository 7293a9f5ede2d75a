import type { OwnParty } from '../config.js';
import type { Role211 } from './connection.js';

export type InterfaceRole = 'SENDER' | 'RECEIVER';

export interface OwnEndpoint {
  identifier: string;
  role: InterfaceRole;
  /** Path under `/ocpi/<version>`, always ending in `/` (URL templates append ids directly). */
  path: string;
}

/**
 * Every interface our platform offers in 2.2.1, per role: the CPO side under `/cpo/`, the
 * eMSP side under `/emsp/` (ARCHITECTURE.md §3). Modules are implemented issue by issue;
 * the details document already names all of them so partners can store one endpoint map.
 */
const CPO_ENDPOINTS: OwnEndpoint[] = [
  { identifier: 'locations', role: 'SENDER', path: 'cpo/locations/' },
  { identifier: 'sessions', role: 'SENDER', path: 'cpo/sessions/' },
  { identifier: 'cdrs', role: 'SENDER', path: 'cpo/cdrs/' },
  { identifier: 'tariffs', role: 'SENDER', path: 'cpo/tariffs/' },
  { identifier: 'tokens', role: 'RECEIVER', path: 'cpo/tokens/' },
  { identifier: 'commands', role: 'RECEIVER', path: 'cpo/commands/' },
  { identifier: 'chargingprofiles', role: 'RECEIVER', path: 'cpo/chargingprofiles/' },
];

const EMSP_ENDPOINTS: OwnEndpoint[] = [
  { identifier: 'locations', role: 'RECEIVER', path: 'emsp/locations/' },
  { identifier: 'sessions', role: 'RECEIVER', path: 'emsp/sessions/' },
  { identifier: 'cdrs', role: 'RECEIVER', path: 'emsp/cdrs/' },
  { identifier: 'tariffs', role: 'RECEIVER', path: 'emsp/tariffs/' },
  { identifier: 'tokens', role: 'SENDER', path: 'emsp/tokens/' },
  { identifier: 'commands', role: 'SENDER', path: 'emsp/commands/' },
  { identifier: 'chargingprofiles', role: 'SENDER', path: 'emsp/chargingprofiles/' },
];

/** Configuration modules: one per platform, whatever roles it hosts. */
const PLATFORM_ENDPOINTS: OwnEndpoint[] = [
  { identifier: 'credentials', role: 'SENDER', path: 'credentials/' },
  { identifier: 'hubclientinfo', role: 'RECEIVER', path: 'hubclientinfo/' },
];

export function ownEndpoints(parties: readonly OwnParty[]): OwnEndpoint[] {
  const roles = new Set(parties.map((party) => party.role));
  return [
    ...PLATFORM_ENDPOINTS,
    ...(roles.has('CPO') ? CPO_ENDPOINTS : []),
    ...(roles.has('EMSP') ? EMSP_ENDPOINTS : []),
  ];
}

/** Modules 2.1.1 does not have. */
const NOT_IN_211 = new Set(['chargingprofiles', 'hubclientinfo']);

/**
 * What a 2.1.1 partner sees: 2.1.1 lists one URL per module, so a connection shows the side
 * of ours opposite to the partner's role (a partner CPO gets our eMSP interfaces), plus
 * credentials. None when we host no party in that role.
 */
export function ownEndpoints211(parties: readonly OwnParty[], partnerRole: Role211): OwnEndpoint[] {
  const ourRole = partnerRole === 'CPO' ? 'EMSP' : 'CPO';
  if (!parties.some((party) => party.role === ourRole)) return [];
  const side = ourRole === 'CPO' ? CPO_ENDPOINTS : EMSP_ENDPOINTS;
  return [...PLATFORM_ENDPOINTS, ...side].filter((endpoint) => !NOT_IN_211.has(endpoint.identifier));
}

/**
 * The interface role a 2.1.1 partner's module has (2.1.1 details name none): the one our own
 * endpoints have in the partner's role; credentials and modules we do not know count as Sender.
 */
export function interfaceRole211(partnerRole: Role211, identifier: string): InterfaceRole {
  const side = partnerRole === 'CPO' ? CPO_ENDPOINTS : EMSP_ENDPOINTS;
  return side.find((endpoint) => endpoint.identifier === identifier)?.role ?? 'SENDER';
}
