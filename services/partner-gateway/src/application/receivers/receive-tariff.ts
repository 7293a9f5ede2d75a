import { OcpiError, OcpiStatus, type Tariff } from '@voltmesh/ocpi';
import type { IngressPublisher } from '../../adapters/ingress-publisher.js';
import type { Caller } from '../partner-registers.js';
import { findWritten, type WrittenLookup } from './find-written.js';
import { assertOwnParty } from './party-scope.js';
import { parseTariffWrite, type TariffAddress } from './tariff-write.js';

export interface TariffReceiverDeps {
  tariffs: { get(countryCode: string, partyId: string, id: string): Promise<Tariff | undefined> };
  ingress: Pick<IngressPublisher, 'tariffWrite'>;
  /** Finding the tariff a 2.1.1 PATCH applies to (a PUT just before it may still be on its way through Kafka). */
  written: WrittenLookup;
}

/** A partner CPO pushes (PUT) or removes (DELETE) one of its tariffs; answered after Kafka acks. */
export async function receiveTariffWrite(deps: TariffReceiverDeps, caller: Caller, method: 'PUT' | 'DELETE', address: TariffAddress, body?: unknown): Promise<void> {
  const write = parseTariffWrite(caller.connection, method, address, body);
  if (method === 'DELETE' && !(await deps.tariffs.get(address.countryCode, address.partyId, address.tariffId))) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `unknown tariff ${address.tariffId}`, { httpStatus: 404 });
  }
  await deps.ingress.tariffWrite(caller.connection.id, write, caller.correlationId);
}

/** A partner CPO reads back one of its own tariffs. */
export async function readPartnerTariff(deps: TariffReceiverDeps, caller: Caller, address: TariffAddress): Promise<Tariff> {
  assertOwnParty(caller.connection, address.countryCode, address.partyId);
  const tariff = await deps.tariffs.get(address.countryCode, address.partyId, address.tariffId);
  if (!tariff) throw new OcpiError(OcpiStatus.CLIENT_ERROR, `unknown tariff ${address.tariffId}`, { httpStatus: 404 });
  return tariff;
}

/** The partner's stored tariff a 2.1.1 PATCH applies to, found even while its PUT is still on its way (see findWritten). */
export async function tariffToPatch(deps: TariffReceiverDeps, caller: Caller, address: TariffAddress): Promise<Tariff> {
  assertOwnParty(caller.connection, address.countryCode, address.partyId);
  const unknown = () => new OcpiError(OcpiStatus.CLIENT_ERROR, `unknown tariff ${address.tariffId}`, { httpStatus: 404 });
  return findWritten(deps.written, () => deps.tariffs.get(address.countryCode, address.partyId, address.tariffId), unknown, `tariff ${address.tariffId}`);
}
