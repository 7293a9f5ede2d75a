import { notFound } from '@voltmesh/errors';
import { unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { partnerService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { ConnectionStore } from '../../adapters/connection-store.js';
import { connectionToProto, stateFromProto } from '../../adapters/connection-proto.js';

/** PartnerService: internal teams see who our partners are (never their tokens). */
export function partnerServiceBinding(store: ConnectionStore, logger: Logger): GrpcServiceBinding {
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
  };
  return {
    name: 'voltmesh.gateway.v1.PartnerService',
    definition: partnerService.PartnerServiceService,
    implementation,
  };
}
