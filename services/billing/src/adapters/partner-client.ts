import { credentials } from '@grpc/grpc-js';
import { unavailable } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { partners, partnerService } from '@voltmesh/proto';
import type { PartnerConnections } from '../application/ports.js';
import type { PartnerConnectionInfo } from '../domain/settlement.js';

const STATE: Record<partners.ConnectionState, PartnerConnectionInfo['state']> = {
  [partners.ConnectionState.CONNECTION_STATE_REGISTERED]: 'REGISTERED',
  [partners.ConnectionState.CONNECTION_STATE_PENDING]: 'PENDING',
  [partners.ConnectionState.CONNECTION_STATE_UNREGISTERED]: 'UNREGISTERED',
  [partners.ConnectionState.CONNECTION_STATE_UNSPECIFIED]: 'UNSPECIFIED',
  [partners.ConnectionState.UNRECOGNIZED]: 'UNSPECIFIED',
};

/**
 * The gateway's PartnerService.ListConnections (every state: a partner unregistered since still
 * has CDRs to settle), with a deadline. Any failure is UNAVAILABLE: a settlement grouped without
 * the connections would silently differ from one grouped with them.
 */
export class PartnerClient implements PartnerConnections {
  private readonly client: partnerService.PartnerServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new partnerService.PartnerServiceClient(address, credentials.createInsecure(), observedClient);
  }

  async listConnections(): Promise<PartnerConnectionInfo[]> {
    let reply: partnerService.ListConnectionsResponse;
    try {
      reply = await callUnary<partnerService.ListConnectionsRequest, partnerService.ListConnectionsResponse>(
        this.client.listConnections.bind(this.client),
        { state: partners.ConnectionState.CONNECTION_STATE_UNSPECIFIED },
        this.deadlineMs,
      );
    } catch (error) {
      throw unavailable(`the gateway's PartnerService.ListConnections failed (${error instanceof Error ? error.message : String(error)}): settlement needs the partner connections`, error);
    }
    return reply.connections.map((connection) => ({
      id: connection.id,
      state: STATE[connection.state],
      created_at: connection.createdAt,
      roles: connection.roles.flatMap(({ role, party }) =>
        party?.countryCode && party.partyId ? [{ role: role.toUpperCase(), party: { country_code: party.countryCode.toUpperCase(), party_id: party.partyId.toUpperCase() } }] : [],
      ),
    }));
  }

  close(): void {
    this.client.close();
  }
}
