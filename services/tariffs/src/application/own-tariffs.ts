import { failedPrecondition, invalidArgument } from '@voltmesh/errors';
import { formatOcpiDateTime, tariffSchema, zodErrorMessage } from '@voltmesh/ocpi';
import type { tariffService } from '@voltmesh/proto';
import { deleteTariff, putTariff } from '../domain/tariff-change.js';
import type { TariffWriter, WriteResult } from './tariff-writer.js';

/** Our own tariff platform publishes one of our tariffs (whole object). */
export async function upsertOwnTariff(writer: TariffWriter, request: tariffService.UpsertTariffRequest): Promise<WriteResult> {
  let body: unknown;
  try {
    body = JSON.parse(request.ocpiJson) as unknown;
  } catch {
    throw invalidArgument('ocpi_json: not JSON');
  }
  const parsed = tariffSchema.safeParse(body);
  if (!parsed.success) throw invalidArgument(`ocpi_json: ${zodErrorMessage(parsed.error)}`);
  const tariff = parsed.data;
  const key = { country_code: tariff.country_code, party_id: tariff.party_id, tariff_id: tariff.id };
  const result = await writer.write(key, 'OWN', '', (stored) => putTariff(stored, tariff));
  if (result.stored?.deleted_at !== undefined) {
    // A caller would otherwise read "unchanged" as "stored": say why nothing happened.
    throw failedPrecondition(`tariff ${tariff.id} was deleted at ${result.stored.deleted_at}: to create it again, send a last_updated after that`);
  }
  return result;
}

/** Deletes one of our tariffs; deleting one that does not exist (any more) changes nothing. */
export async function deleteOwnTariff(writer: TariffWriter, request: tariffService.DeleteTariffRequest, now: () => Date = () => new Date()): Promise<WriteResult> {
  if (!request.party?.countryCode || !request.party.partyId) throw invalidArgument('party: required');
  if (!request.id) throw invalidArgument('id: required');
  const key = { country_code: request.party.countryCode.toUpperCase(), party_id: request.party.partyId.toUpperCase(), tariff_id: request.id.toUpperCase() };
  const at = formatOcpiDateTime(now());
  return writer.write(key, 'OWN', '', (stored) => deleteTariff(stored, at));
}
