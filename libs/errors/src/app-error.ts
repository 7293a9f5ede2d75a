/**
 * One error family for the whole mesh. Codes mirror gRPC status codes so the three edges
 * (gRPC, OCPI/HTTP, Kafka consumer runner) translate them without guessing.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL';

/** Codes worth a retry with backoff; the rest go to the DLQ or back to the caller as-is. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED']);

export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: ErrorCode;
  /** Extra, safe-to-expose facts (never secrets): field names, ids. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

export const invalidArgument = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('INVALID_ARGUMENT', message, details ? { details } : {});
export const notFound = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('NOT_FOUND', message, details ? { details } : {});
export const failedPrecondition = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('FAILED_PRECONDITION', message, details ? { details } : {});
export const unavailable = (message: string, cause?: unknown): AppError =>
  new AppError('UNAVAILABLE', message, { cause });
export const internal = (message: string, cause?: unknown): AppError => new AppError('INTERNAL', message, { cause });

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Wraps anything thrown into an AppError; unknown errors become INTERNAL with the original as cause. */
export function toAppError(value: unknown): AppError {
  if (value instanceof AppError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new AppError('INTERNAL', message, { cause: value });
}
