import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

const HealthClient = makeGenericClientConstructor(healthService, 'Health');

/** Asks a process's standard health service; resolves 'SERVING', 'NOT_SERVING', … or 'UNREACHABLE'. */
export function checkGrpcHealth(address: string, service = '', deadlineMs = 1_000): Promise<string> {
  const client = new HealthClient(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (value: { service: string }) => healthService.Check!.requestSerialize(value),
      (buffer: Buffer) => healthService.Check!.responseDeserialize(buffer) as { status?: string | number },
      { service },
      { deadline: Date.now() + deadlineMs },
      (error: ServiceError | null, response?: { status?: string | number }) => {
        client.close();
        resolve(error ? 'UNREACHABLE' : String(response?.status ?? 'UNKNOWN'));
      },
    );
  });
}
