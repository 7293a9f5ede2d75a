import { z } from 'zod';
import { invalidArgument } from '@voltmesh/errors';
import { chargingPeriodSchema, formatOcpiDateTime, objectId, parseJsonText, parseOcpiDateTime, sessionStatusSchema, type ChargingPeriod } from '@voltmesh/ocpi';
import type { SessionStatus } from '../domain/session.js';

/** Parsing of SessionService request fields: every failure is INVALID_ARGUMENT naming the field. */

/** A required OCPI id (CiString 36), upper case. */
export function idField(value: string, field: string): string {
  if (!value) throw invalidArgument(`${field}: required`);
  const parsed = objectId.safeParse(value);
  if (!parsed.success) throw invalidArgument(`${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** An instant as OCPI DateTime (UTC, `Z` optional) or RFC 3339 with an offset; returned in our OCPI form. */
export function instantField(value: string, field: string): string {
  if (!value) throw invalidArgument(`${field}: required`);
  const date = parseOcpiDateTime(value) ?? (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/.test(value) ? new Date(value) : undefined);
  if (!date || Number.isNaN(date.getTime())) throw invalidArgument(`${field}: must be an RFC 3339 date-time, e.g. 2026-01-01T10:00:00Z`);
  return formatOcpiDateTime(date);
}

/** Energy so far as a decimal string (kWh); empty means unchanged. */
export function kwhField(value: string, field: string): number | undefined {
  if (!value) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value.trim())) throw invalidArgument(`${field}: must be a non-negative decimal number of kWh, e.g. 12.5`);
  return Number(value.trim());
}

/** An OCPI SessionStatus among `allowed`; empty gives `fallback`. */
export function statusField<S extends SessionStatus>(value: string, allowed: readonly S[], field: string, fallback: S): S;
export function statusField<S extends SessionStatus>(value: string, allowed: readonly S[], field: string): S | undefined;
export function statusField<S extends SessionStatus>(value: string, allowed: readonly S[], field: string, fallback?: S): S | undefined {
  if (!value) return fallback;
  const parsed = sessionStatusSchema.safeParse(value.toUpperCase());
  if (!parsed.success || !(allowed as readonly string[]).includes(parsed.data)) throw invalidArgument(`${field}: must be one of ${allowed.join(', ')}`);
  return parsed.data as S;
}

/**
 * A JSON array of OCPI ChargingPeriods (empty text: none). A period without tariff_id is under
 * the session's tariff; one naming another tariff is refused: a session is priced with the tariff
 * in force at its start (a CDR is a snapshot of the start).
 */
export function periodsField(text: string, field: string, tariffId: string): ChargingPeriod[] {
  if (!text.trim()) return [];
  const parsed = z.array(chargingPeriodSchema).safeParse(parseJsonText(text, field));
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${field}${issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('')}: ${issue.message}`);
    throw invalidArgument(issues.join('; '));
  }
  return parsed.data.map((period, index) => {
    if (period.tariff_id !== undefined && period.tariff_id !== tariffId.toUpperCase()) {
      const inForce = tariffId ? `tariff ${tariffId}, in force at its start` : 'no tariff';
      throw invalidArgument(`${field}[${index}].tariff_id: ${period.tariff_id} is not the session's tariff (it has ${inForce})`);
    }
    return tariffId ? { ...period, tariff_id: tariffId.toUpperCase() } : period;
  });
}
