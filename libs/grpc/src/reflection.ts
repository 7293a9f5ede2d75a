import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { Server } from '@grpc/grpc-js';
import { descriptorSet } from '@voltmesh/proto';

let cached: ReflectionService | undefined;

/**
 * gRPC server reflection (v1 and v1alpha) over every service in /proto, so internal teams can
 * use grpcurl and friends without the .proto files at hand.
 */
export function addReflection(server: Pick<Server, 'addService'>): void {
  cached ??= new ReflectionService(loadFileDescriptorSetFromBuffer(descriptorSet()));
  cached.addToServer(server);
}
