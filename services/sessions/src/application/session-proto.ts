import type { ChargingPeriod } from '@voltmesh/ocpi';
import { sessions, type tariffService } from '@voltmesh/proto';
import { toOcpiSession, type Money, type SessionPrice, type SessionRecord, type SessionRole } from '../domain/session.js';

const ROLES: Record<SessionRole, sessions.SessionRole> = {
  CPO: sessions.SessionRole.SESSION_ROLE_CPO,
  EMSP: sessions.SessionRole.SESSION_ROLE_EMSP,
};

/** The role a request names; UNSPECIFIED (or unknown) means both. */
export function rolesOf(role: sessions.SessionRole): SessionRole[] {
  if (role === sessions.SessionRole.SESSION_ROLE_CPO) return ['CPO'];
  if (role === sessions.SessionRole.SESSION_ROLE_EMSP) return ['EMSP'];
  return ['CPO', 'EMSP'];
}

/** The contract's Session: the record at one revision with all its periods. */
export function toSessionProto(record: SessionRecord, rev: number, periods: readonly ChargingPeriod[]): sessions.Session {
  const facts = record.cpoFacts;
  return {
    role: ROLES[record.role],
    ocpiJson: JSON.stringify(toOcpiSession(record, periods)),
    revision: String(rev),
    updatedAt: record.updatedAt,
    cpo: { countryCode: record.cpo.countryCode, partyId: record.cpo.partyId },
    id: record.id,
    emsp: { countryCode: record.emsp.countryCode, partyId: record.emsp.partyId },
    contractId: record.contractId,
    status: record.ocpi.status,
    connectionId: record.connectionId,
    cdrLocationJson: facts ? JSON.stringify(facts.cdrLocation) : '',
    tariffJson: facts?.tariffJson ?? '',
    timeZone: facts?.timeZone ?? '',
    price: facts?.price ? toPriceProto(facts.price) : undefined,
    periodCount: periods.length,
  };
}

/** The engine's Price without its per-period breakdown (partial in resumed pricing, and large): see README. */
export function fromPriceProto(price: tariffService.Price): SessionPrice {
  const money = (value: tariffService.Money | undefined): Money => ({ exclVat: value?.exclVat ?? '0', inclVat: value?.inclVat ?? '0' });
  return {
    currency: price.currency,
    totalCost: money(price.totalCost),
    totalEnergyCost: money(price.totalEnergyCost),
    totalTimeCost: money(price.totalTimeCost),
    totalParkingCost: money(price.totalParkingCost),
    totalFixedCost: money(price.totalFixedCost),
    totalReservationCost: money(price.totalReservationCost),
    totalEnergy: price.totalEnergy,
    totalTime: price.totalTime,
    totalParkingTime: price.totalParkingTime,
  };
}

function toPriceProto(price: SessionPrice): tariffService.Price {
  return { ...price, breakdownJson: '' };
}
