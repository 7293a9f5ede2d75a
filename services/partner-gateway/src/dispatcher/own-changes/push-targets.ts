import type { Connection } from '../../domain/connection.js';
import type { PartyRef } from '../push/index.js';

/** A partner that receives a module's pushes: its Receiver endpoint and the party we address. */
export interface PushTarget {
  partnerId: string;
  endpointUrl: string;
  to: PartyRef;
  /** The OCPI version the partner speaks (its connection's): what the push is mapped to. */
  version: string;
}

/**
 * Registered partners with a Receiver endpoint for the module, addressed to the partner's role
 * that consumes them (eMSP for our CPO objects, CPO for our tokens), else its first role.
 */
export function pushTargets(connections: Iterable<Connection>, module: string, consumerRole: 'EMSP' | 'CPO' = 'EMSP', options: { strict?: boolean } = {}): PushTarget[] {
  const targets: PushTarget[] = [];
  for (const connection of connections) {
    if (connection.state !== 'REGISTERED') continue;
    const endpoint = connection.endpoints.find((candidate) => candidate.module === module && candidate.interfaceRole === 'RECEIVER');
    // strict: only partners that hold the role get the module (our tokens go to CPOs, never to another eMSP).
    const role = connection.roles.find((candidate) => candidate.role === consumerRole) ?? (options.strict ? undefined : connection.roles[0]);
    if (!endpoint || !role) continue;
    targets.push({ partnerId: connection.id, endpointUrl: endpoint.url, to: { countryCode: role.countryCode, partyId: role.partyId }, version: versionOf(connection) });
  }
  return targets;
}

/**
 * The one partner that receives a module's pushes for an eMSP party (the owner of a session's
 * or CDR's token): the connection holding that party as eMSP, else a hub that we reach it
 * through (addressed to the party in the routing headers) if the hub reports the party
 * reachable. Undefined when no registered connection has that module's Receiver for the party.
 */
export function partyTarget(
  connections: Iterable<Connection>,
  module: string,
  party: PartyRef,
  reachableViaHub: (hubConnectionId: string, party: PartyRef) => boolean = () => true,
): PushTarget | undefined {
  const same = (countryCode: string, partyId: string) =>
    countryCode.toUpperCase() === party.countryCode.toUpperCase() && partyId.toUpperCase() === party.partyId.toUpperCase();
  let viaHub: PushTarget | undefined;
  for (const connection of connections) {
    if (connection.state !== 'REGISTERED') continue;
    const endpoint = connection.endpoints.find((candidate) => candidate.module === module && candidate.interfaceRole === 'RECEIVER');
    if (!endpoint) continue;
    if (connection.roles.some((role) => role.role === 'EMSP' && same(role.countryCode, role.partyId))) {
      return { partnerId: connection.id, endpointUrl: endpoint.url, to: { countryCode: party.countryCode.toUpperCase(), partyId: party.partyId.toUpperCase() }, version: versionOf(connection) };
    }
    if (!viaHub && connection.roles.some((role) => role.role === 'HUB') && reachableViaHub(connection.id, party)) {
      viaHub = { partnerId: connection.id, endpointUrl: endpoint.url, to: { countryCode: party.countryCode.toUpperCase(), partyId: party.partyId.toUpperCase() }, version: versionOf(connection) };
    }
  }
  return viaHub;
}

const versionOf = (connection: Connection): string => connection.version ?? '2.2.1';
