import type { z } from 'zod';
import { invalidArgument, type AppError } from '@voltmesh/errors';
import { zodErrorMessage } from './ocpi-error.js';

/**
 * OCPI objects travel between processes as JSON text inside protobuf messages and events. These
 * read such a field; a failure names the field (and, with a schema, the path inside it). The
 * error is INVALID_ARGUMENT unless the caller says whose fault it is (e.g. INTERNAL for a reply
 * from our own service).
 */
export function parseJsonText(text: string, field: string, fail: (message: string) => AppError = invalidArgument): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fail(`${field}: not JSON`);
  }
}

export function parseJsonField<T extends z.ZodType>(schema: T, text: string, field: string, fail: (message: string) => AppError = invalidArgument): z.output<T> {
  const parsed = schema.safeParse(parseJsonText(text, field, fail));
  if (!parsed.success) throw fail(`${field}: ${zodErrorMessage(parsed.error)}`);
  return parsed.data;
}
