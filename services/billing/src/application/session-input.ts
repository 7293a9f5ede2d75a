import { invalidArgument } from '@voltmesh/errors';
import { cdrLocationSchema, parseJsonField, sessionSchema, tariffSchema } from '@voltmesh/ocpi';
import { sessions } from '@voltmesh/proto';
import type { CompletedSession } from '../domain/cpo-cdr.js';

/**
 * Parsed snapshots by their JSON text: many sessions share a location and a tariff, and parsing
 * is most of a CDR's CPU. Bounded; a parse that fails is not kept (it fails again, naming the field).
 */
class SnapshotCache {
  private readonly parsed = new Map<string, unknown>();

  constructor(private readonly size: number) {}

  read<T>(text: string, parse: () => T): T {
    if (this.parsed.has(text)) return this.parsed.get(text) as T;
    const value = parse();
    this.parsed.set(text, value);
    if (this.parsed.size > this.size) this.parsed.delete(this.parsed.keys().next().value as string);
    return value;
  }
}

const snapshots = new SnapshotCache(2_000);

/**
 * The session of a SessionChanged event, if it is one our CPO bills: role CPO and OCPI status
 * COMPLETED (INVALID, ACTIVE, PENDING, RESERVATION and every EMSP-role session are not ours to
 * bill: undefined). A COMPLETED CPO session that cannot make a CDR (unreadable OCPI JSON, no
 * end_date_time, no CdrLocation snapshot, an unreadable tariff snapshot) is INVALID_ARGUMENT
 * naming the field: such an event can never be processed (the DLQ).
 */
export function completedCpoSession(event: sessions.Session): CompletedSession | undefined {
  if (event.role !== sessions.SessionRole.SESSION_ROLE_CPO || event.status.toUpperCase() !== 'COMPLETED') return undefined;
  const where = `session ${event.cpo?.countryCode ?? ''}*${event.cpo?.partyId ?? ''}*${event.id}`;
  const session = parseJsonField(sessionSchema, event.ocpiJson, `${where}: ocpi_json`);
  // The OCPI object is the truth; the status field is a copy for routing.
  if (session.status !== 'COMPLETED') return undefined;
  const { end_date_time: end } = session;
  if (!end) throw invalidArgument(`${where}: ocpi_json.end_date_time: a COMPLETED session needs one to make a CDR`);
  if (!event.cdrLocationJson) throw invalidArgument(`${where}: cdr_location_json: required (the CdrLocation snapshot of a CPO session)`);
  const cdrLocation = snapshots.read(event.cdrLocationJson, () => parseJsonField(cdrLocationSchema, event.cdrLocationJson, `${where}: cdr_location_json`));
  const tariff = event.tariffJson ? snapshots.read(event.tariffJson, () => parseJsonField(tariffSchema, event.tariffJson, `${where}: tariff_json`)) : undefined;
  return { session: { ...session, end_date_time: end }, cdrLocation, tariff, timeZone: event.timeZone };
}
