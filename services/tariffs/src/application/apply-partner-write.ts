import { invalidArgument } from '@voltmesh/errors';
import { formatOcpiDateTime, tariffSchema, zodErrorMessage, type Tariff } from '@voltmesh/ocpi';
import { objects, type tariffs } from '@voltmesh/proto';
import { deleteTariff, putTariff, type TariffChange } from '../domain/tariff-change.js';
import type { TariffKey } from '../domain/stored-tariff.js';
import type { TariffWriter, WriteResult } from './tariff-writer.js';

/**
 * Applies a partner's tariff write from gateway.partner-tariff.v1. The gateway validated it
 * already; it is parsed again because a Kafka message is input like any other.
 */
export async function applyPartnerTariffWrite(writer: TariffWriter, write: tariffs.PartnerTariffWrite, now: () => Date = () => new Date()): Promise<WriteResult> {
  if (!write.party?.countryCode || !write.party.partyId || !write.tariffId) throw invalidArgument('PartnerTariffWrite without party or tariff_id');
  if (!write.connectionId) throw invalidArgument('PartnerTariffWrite without connection_id');
  const key = { country_code: write.party.countryCode.toUpperCase(), party_id: write.party.partyId.toUpperCase(), tariff_id: write.tariffId.toUpperCase() };
  return writer.write(key, 'PARTNER', write.connectionId, changeOf(write, key, now));
}

function changeOf(write: tariffs.PartnerTariffWrite, key: TariffKey, now: () => Date): TariffChange {
  switch (write.method) {
    case objects.WriteMethod.WRITE_METHOD_PUT: {
      const tariff = parseTariff(write.ocpiJson);
      if (tariff.country_code !== key.country_code || tariff.party_id !== key.party_id || tariff.id !== key.tariff_id) {
        throw invalidArgument(`PartnerTariffWrite tariff ${tariff.country_code}*${tariff.party_id}*${tariff.id} does not match its key ${key.country_code}*${key.party_id}*${key.tariff_id}`);
      }
      return (stored) => putTariff(stored, tariff);
    }
    case objects.WriteMethod.WRITE_METHOD_DELETE: {
      const at = deletedAt(write.receivedAt, now);
      return (stored) => deleteTariff(stored, at);
    }
    default:
      throw invalidArgument(`PartnerTariffWrite with unsupported method ${objects.writeMethodToJSON(write.method)}`);
  }
}

function parseTariff(text: string): Tariff {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw invalidArgument('PartnerTariffWrite.ocpi_json is not JSON');
  }
  const parsed = tariffSchema.safeParse(body);
  if (!parsed.success) throw invalidArgument(`PartnerTariffWrite tariff: ${zodErrorMessage(parsed.error)}`);
  return parsed.data;
}

/**
 * The deletion's time dates the tombstone. It is when the gateway accepted the DELETE; a write
 * without it (older producers) is dated now, which is later and so only refuses more stale PUTs.
 */
function deletedAt(receivedAt: string, now: () => Date): string {
  if (!receivedAt) return formatOcpiDateTime(now());
  const date = new Date(receivedAt);
  if (Number.isNaN(date.getTime())) throw invalidArgument(`PartnerTariffWrite.received_at: not an RFC 3339 date-time: ${receivedAt}`);
  return formatOcpiDateTime(date);
}
