import { Metadata, status, type sendUnaryData, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { toAppError, type ErrorCode } from '@voltmesh/errors';
import type { Logger } from '@voltmesh/telemetry';

const STATUS: Record<ErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  INTERNAL: status.INTERNAL,
};

/** The gRPC edge: an AppError becomes the matching status; unknown errors are logged once here. */
export function toServiceError(thrown: unknown, logger: Logger): Partial<ServiceError> {
  const error = toAppError(thrown);
  if (error.code === 'INTERNAL') logger.error({ err: thrown }, 'unexpected error in gRPC handler');
  return {
    code: STATUS[error.code],
    details: error.code === 'INTERNAL' ? 'internal error' : error.message,
    metadata: new Metadata(),
  };
}

/** Adapts an async handler to grpc-js's callback style, translating errors at the edge. */
export function unary<Req, Res>(
  logger: Logger,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    handler(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toServiceError(error, logger)),
    );
  };
}
