import type { Logger } from '@voltmesh/telemetry';
import { startGrpcServer, type GrpcServiceBinding } from './server.js';

export interface HostedService {
  stop(): Promise<void>;
}

/**
 * Serves a process's gRPC services once its dependencies are connected, and stops in the
 * order a graceful shutdown needs: health NOT_SERVING, drain calls, then close the
 * dependencies (Kafka, Mongo) in reverse order of opening.
 */
export async function hostGrpcServices(options: {
  host: string;
  port: number;
  services: GrpcServiceBinding[];
  logger: Logger;
  /** Closers of what the services use, in the order they were opened. */
  dependencies: Array<() => Promise<void>>;
  /** Stops intake (consumers, HTTP) before gRPC drains. */
  beforeDrain?: () => Promise<void>;
}): Promise<HostedService> {
  const server = await startGrpcServer(options);
  server.setServing(true);
  return {
    async stop() {
      server.setServing(false);
      await options.beforeDrain?.();
      await server.stop();
      for (const close of [...options.dependencies].reverse()) await close();
    },
  };
}
