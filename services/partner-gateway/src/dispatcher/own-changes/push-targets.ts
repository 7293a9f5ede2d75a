import type { Connection } from '../../domain/connection.js';
import type { PartyRef } from '../push/index.js';

/** A partner that receives a module's pushes: its Receiver endpoint and the party we address. */
export interface PushTarget {
  partnerId: string;
  endpointUrl: string;
  to: PartyRef;
}

/**
 * Registered partners with a Receiver endpoint for the module. Pushes of our CPO objects are
 * addressed to the partner's eMSP role (the party that consumes them), else its first role.
 */
export function pushTargets(connections: Iterable<Connection>, module: string): PushTarget[] {
  const targets: PushTarget[] = [];
  for (const connection of connections) {
    if (connection.state !== 'REGISTERED') continue;
    const endpoint = connection.endpoints.find((candidate) => candidate.module === module && candidate.interfaceRole === 'RECEIVER');
    const role = connection.roles.find((candidate) => candidate.role === 'EMSP') ?? connection.roles[0];
    if (!endpoint || !role) continue;
    targets.push({ partnerId: connection.id, endpointUrl: endpoint.url, to: { countryCode: role.countryCode, partyId: role.partyId } });
  }
  return targets;
}
