import { readFileSync } from 'node:fs';

/** The FileDescriptorSet of every proto in /proto (built by `make proto`), for gRPC server reflection. */
export function descriptorSet(): Buffer {
  return readFileSync(new URL('./gen/voltmesh.binpb', import.meta.url));
}
