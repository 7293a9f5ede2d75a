import { notFound } from '@voltmesh/errors';
import { unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { partnerService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { ConnectionStore } from '../../adapters/connection-store.js';
import { connectionToProto, stateFromProto } from '../../adapters/connection-proto.js';
import { authorizeAtPartner, type AuthorizeAtPartnerDeps } from '../../application/authorize-at-partner.js';

/** PartnerService: who our partners are (never their tokens), and calls that reach a partner now. */
export function partnerServiceBinding(store: ConnectionStore, realTime: AuthorizeAtPartnerDeps, logger: Logger): GrpcServiceBinding {
  const implementation: partnerService.PartnerServiceServer = {
    listConnections: unary(logger, async (request: partnerService.ListConnectionsRequest) => {
      const connections = await store.list(stateFromProto(request.state));
      return { connections: connections.map(connectionToProto) };
    }),
    getConnection: unary(logger, async (request: partnerService.GetConnectionRequest) => {
      const connection = await store.get(request.id);
      if (!connection) throw notFound(`no connection ${request.id}`);
      return { connection: connectionToProto(connection) };
    }),
    authorizeToken: unary(logger, (request: partnerService.AuthorizeTokenRequest) => authorizeAtPartner(realTime, request)),
  };
  return {
    name: 'voltmesh.gateway.v1.PartnerService',
    definition: partnerService.PartnerServiceService,
    implementation,
  };
}
