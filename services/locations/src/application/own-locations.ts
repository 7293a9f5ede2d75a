import { invalidArgument, notFound } from '@voltmesh/errors';
import { formatOcpiDateTime, locationSchema, statusSchema, zodErrorMessage, type Evse } from '@voltmesh/ocpi';
import type { locationService } from '@voltmesh/proto';
import { patchEvse, putLocation, type Patch } from '../domain/location-merge.js';
import type { LocationWriter, WriteResult } from './location-writer.js';

/** Our CSMS publishes one of our locations (whole object). */
export async function upsertOwnLocation(writer: LocationWriter, request: locationService.UpsertLocationRequest): Promise<WriteResult> {
  let body: unknown;
  try {
    body = JSON.parse(request.ocpiJson) as unknown;
  } catch {
    throw invalidArgument('ocpi_json: not JSON');
  }
  const parsed = locationSchema.safeParse(body);
  if (!parsed.success) throw invalidArgument(`ocpi_json: ${zodErrorMessage(parsed.error)}`);
  const location = parsed.data;
  const key = { country_code: location.country_code, party_id: location.party_id, location_id: location.id };
  return writer.write(key, 'OWN', '', (stored) => putLocation(stored, location));
}

/** Our CSMS reports an EVSE's status: an EVSE PATCH of status and last_updated. */
export async function reportEvseStatus(writer: LocationWriter, request: locationService.ReportEvseStatusRequest, now: () => Date = () => new Date()): Promise<WriteResult> {
  if (!request.party?.countryCode || !request.party.partyId) throw invalidArgument('party: required');
  if (!request.locationId) throw invalidArgument('location_id: required');
  if (!request.evseUid) throw invalidArgument('evse_uid: required');
  const status = statusSchema.safeParse(request.status);
  if (!status.success) throw invalidArgument(`status: ${zodErrorMessage(status.error)}`);
  // Internal callers may send any RFC 3339 form (offsets included); OCPI gets UTC.
  const reported = request.at ? new Date(request.at) : now();
  if (Number.isNaN(reported.getTime())) throw invalidArgument('at: must be an RFC 3339 date-time');
  const at = formatOcpiDateTime(reported);
  const key = { country_code: request.party.countryCode.toUpperCase(), party_id: request.party.partyId.toUpperCase(), location_id: request.locationId };
  const patch: Patch<Evse> = { status: status.data, last_updated: at };
  return writer.write(key, 'OWN', '', (stored) => {
    if (!stored) throw notFound(`unknown location ${request.locationId}`);
    return patchEvse(stored, request.evseUid, patch);
  });
}
