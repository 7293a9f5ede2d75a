import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { credentials, loadPackageDefinition, type ClientDuplexStream, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createLogger } from '@voltmesh/telemetry';
import { checkGrpcHealth } from './health-client.js';
import { startGrpcServer } from './server.js';

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
}

/** A reflection client as grpcurl would use it, from the reflection proto that @grpc/reflection ships. */
function reflectionClient(address: string) {
  const require = createRequire(import.meta.url);
  const protoDir = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto');
  const definition = loadSync(join(protoDir, 'grpc/reflection/v1/reflection.proto'), { keepCase: true, includeDirs: [protoDir] });
  const grpcPackage = loadPackageDefinition(definition) as unknown as { grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } } };
  return new grpcPackage.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
}

function ask(client: ReturnType<typeof reflectionClient>, request: Record<string, string>): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const stream = (client as unknown as { ServerReflectionInfo(): ClientDuplexStream<unknown, ReflectionResponse> }).ServerReflectionInfo();
    stream.on('data', (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.write(request);
  });
}

test('every gRPC server offers health (NOT_SERVING until ready) and server reflection over our protos', async () => {
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [], logger: createLogger('test', 'silent') });
  const address = `127.0.0.1:${server.port}`;
  const client = reflectionClient(address);
  try {
    assert.equal(await checkGrpcHealth(address), 'NOT_SERVING');
    server.setServing(true);
    assert.equal(await checkGrpcHealth(address), 'SERVING');

    const services = await ask(client, { list_services: '' });
    const names = services.list_services_response?.service.map((service) => service.name) ?? [];
    assert.ok(names.includes('voltmesh.gateway.v1.PartnerService'), names.join(', '));

    const files = await ask(client, { file_containing_symbol: 'voltmesh.gateway.v1.PartnerConnection' });
    assert.ok((files.file_descriptor_response?.file_descriptor_proto.length ?? 0) > 0, '(files.file_descriptor_response?.file_descriptor_proto.length ?? 0) > 0');
  } finally {
    client.close();
    await server.stop();
  }
});
