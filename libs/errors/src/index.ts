export { AppError, invalidArgument, notFound, failedPrecondition, unavailable, internal, isAppError, toAppError } from './app-error.js';
export type { ErrorCode } from './app-error.js';
