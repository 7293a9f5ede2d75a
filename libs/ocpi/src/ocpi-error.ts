import type { z } from 'zod';
import { AppError, type ErrorCode } from '@voltmesh/errors';
import { OcpiStatus } from './status-codes.js';

/**
 * An error the OCPI edge answers as an envelope with `ocpiStatus`. OCPI-layer problems of an
 * authenticated request are HTTP 200 by the spec's general rule; `httpStatus` overrides it
 * where the spec asks for one (400 bad JSON, 401, 404, 405).
 */
export class OcpiError extends AppError {
  override readonly name = 'OcpiError';
  readonly ocpiStatus: number;
  readonly httpStatus: number;
  /** The envelope's `data` where a module answers errors with one (e.g. a REJECTED CommandResponse). */
  readonly data: unknown;

  constructor(ocpiStatus: number, message: string, options: { cause?: unknown; httpStatus?: number; data?: unknown } = {}) {
    super(appCodeFor(ocpiStatus), message, options.cause === undefined ? {} : { cause: options.cause });
    this.ocpiStatus = ocpiStatus;
    this.httpStatus = options.httpStatus ?? 200;
    this.data = options.data;
  }
}

function appCodeFor(status: number): ErrorCode {
  if (status >= 2000 && status < 3000) return 'INVALID_ARGUMENT';
  if (status === OcpiStatus.UNABLE_TO_USE_CLIENT_API) return 'UNAVAILABLE';
  if (status >= 3000 && status < 4000) return 'FAILED_PRECONDITION';
  return 'INTERNAL';
}

/** Wrong state for a credentials call (POST when registered, PUT/DELETE when not): HTTP 405. */
export const methodNotAllowed = (message: string): OcpiError => new OcpiError(OcpiStatus.CLIENT_ERROR, message, { httpStatus: 405 });

/** Zod issues as one message naming each field path, e.g. `roles[0].party_id: must be at most 3 characters`. */
export function zodErrorMessage(error: z.ZodError, maxIssues = 5): string {
  const parts = error.issues.slice(0, maxIssues).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = error.issues.length > maxIssues ? `; and ${error.issues.length - maxIssues} more` : '';
  return parts.join('; ') + more;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(body)';
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** A body that is valid JSON but not a valid object: OCPI 2001 naming the fields. */
export const invalidBody = (error: z.ZodError): OcpiError => new OcpiError(OcpiStatus.INVALID_PARAMETERS, zodErrorMessage(error));
