import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from '@voltmesh/telemetry';
import { observeServerMethods } from './observe.js';
import { addReflection } from './reflection.js';

export interface GrpcServiceBinding {
  /** Fully qualified name, e.g. `voltmesh.gateway.v1.PartnerService`, reported by health. */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface RunningGrpcServer {
  port: number;
  /** Marks the process (service "") and each bound service SERVING or NOT_SERVING. */
  setServing(serving: boolean): void;
  /** Stops accepting calls, lets in-flight ones finish within `graceMs`, then forces. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a gRPC server with the standard `grpc.health.v1.Health` service and server
 * reflection. Health starts
 * NOT_SERVING; the caller flips it once its dependencies (Mongo, Kafka) are ready.
 */
export async function startGrpcServer(options: {
  host: string;
  port: number;
  services: GrpcServiceBinding[];
  logger: Logger;
}): Promise<RunningGrpcServer> {
  const server = new Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
  const names = ['', ...options.services.map((service) => service.name)];
  const health = new HealthImplementation(Object.fromEntries(names.map((name) => [name, 'NOT_SERVING' as const])));
  health.addToServer(server);
  addReflection(server);
  for (const service of options.services) {
    server.addService(service.definition, observeServerMethods(service.definition, service.implementation));
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  options.logger.info({ port }, 'gRPC server listening');

  const setServing = (serving: boolean): void => {
    for (const name of names) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
  };

  return {
    port,
    setServing,
    async stop(graceMs = 5_000) {
      setServing(false);
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
