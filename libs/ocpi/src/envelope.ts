import { z } from 'zod';
import { formatOcpiDateTime } from './datetime.js';
import { OcpiStatus } from './status-codes.js';

export interface OcpiResponse<T> {
  data?: T;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

/** A 1000 answer; `data` omitted when the module defines none (2.2.1-d2 advice). */
export function ocpiSuccess<T>(data?: T, message?: string, now: Date = new Date()): OcpiResponse<T> {
  return {
    ...(data !== undefined ? { data } : {}),
    status_code: OcpiStatus.SUCCESS,
    ...(message ? { status_message: message } : {}),
    timestamp: formatOcpiDateTime(now),
  };
}

/** An error answer: no `data`, the status and a message that says what to fix. */
export function ocpiErrorBody(statusCode: number, message: string, now: Date = new Date()): OcpiResponse<never> {
  return { status_code: statusCode, status_message: message, timestamp: formatOcpiDateTime(now) };
}

/**
 * Parses a partner's envelope. Tolerant where real partners bend the spec: `data` and
 * `status_message` may be absent or null, `timestamp` is not checked, unknown fields pass.
 * `data` is left to the caller (its schema depends on the status).
 */
export function ocpiEnvelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({
    data: data.nullish(),
    status_code: z.number().int(),
    status_message: z.string().nullish().transform((value) => value ?? undefined),
    timestamp: z.unknown().optional(),
  });
}
