import { Metadata, status, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import { AppError, type ErrorCode } from '@voltmesh/errors';

const CODE: Partial<Record<status, ErrorCode>> = {
  [status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [status.NOT_FOUND]: 'NOT_FOUND',
  [status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [status.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
  [status.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [status.RESOURCE_EXHAUSTED]: 'RESOURCE_EXHAUSTED',
  [status.UNAVAILABLE]: 'UNAVAILABLE',
  [status.DEADLINE_EXCEEDED]: 'DEADLINE_EXCEEDED',
  [status.CANCELLED]: 'UNAVAILABLE',
};

/** A generated unary client method in its (request, metadata, options, callback) form. */
type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/**
 * Calls a generated unary method with a deadline and turns a gRPC failure into the AppError of
 * the same code, so callers handle one error family (and the HTTP edge maps it once).
 *
 *   const reply = await callUnary(client.getLocation.bind(client), request, 2_000);
 */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, deadlineMs: number, metadata: Metadata = new Metadata()): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (!error) return resolve(response);
      const code = CODE[error.code] ?? 'INTERNAL';
      reject(new AppError(code, error.details || error.message, { cause: error }));
    });
  });
}
