import { partners } from '@voltmesh/proto';
import type { Connection } from '../domain/connection.js';

const STATE: Record<Connection['state'], partners.ConnectionState> = {
  PENDING: partners.ConnectionState.CONNECTION_STATE_PENDING,
  REGISTERED: partners.ConnectionState.CONNECTION_STATE_REGISTERED,
  UNREGISTERED: partners.ConnectionState.CONNECTION_STATE_UNREGISTERED,
};

export function stateFromProto(state: partners.ConnectionState): Connection['state'] | undefined {
  return (Object.keys(STATE) as Connection['state'][]).find((key) => STATE[key] === state);
}

/** The connection as the proto contract shows it: no tokens, ever. */
export function connectionToProto(connection: Connection): partners.PartnerConnection {
  return {
    id: connection.id,
    state: STATE[connection.state],
    initiator: connection.initiator === 'US' ? partners.Initiator.INITIATOR_US : partners.Initiator.INITIATOR_PARTNER,
    version: connection.version ?? '',
    versionsUrl: connection.versionsUrl ?? '',
    roles: connection.roles.map((role) => ({
      role: role.role,
      party: { countryCode: role.countryCode, partyId: role.partyId },
      businessName: role.businessName,
    })),
    endpoints: connection.endpoints.map((endpoint) => ({
      module: endpoint.module,
      interfaceRole: endpoint.interfaceRole,
      url: endpoint.url,
    })),
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
  };
}
