import assert from 'node:assert/strict';
import type { ServiceError, status } from '@grpc/grpc-js';

/** Promisified unary call of a generated client's method (no deadline: tests have their own timeouts). */
export function grpcCall<Req, Res>(method: (request: Req, callback: (error: Error | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(error) : resolve(response))));
}

/** For assert.rejects: a gRPC failure with this status whose message matches. */
export const grpcError = (code: status, message: RegExp) => (error: unknown) => {
  assert.equal((error as ServiceError).code, code, String(error));
  assert.match((error as ServiceError).details, message);
  return true;
};
