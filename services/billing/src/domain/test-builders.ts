import { aCdrLocation, aSession, aTariff } from '@voltmesh/testing';
import type { CompletedSession } from './cpo-cdr.js';
import type { MoneyText, PricingRecord } from './pricing-record.js';

/** Builders for the unit tests: a completed session of DE*ABC (1 h, 10 kWh, TARIFF1 €0.25/kWh + 21% VAT). */
export const aCompletedSession = (overrides: Omit<Partial<CompletedSession>, 'session'> & { session?: Partial<CompletedSession['session']> } = {}): CompletedSession => {
  const { session, ...rest } = overrides;
  return {
    session: { ...aSession({ status: 'COMPLETED' }), end_date_time: '2026-01-01T11:00:00.000Z', ...session },
    cdrLocation: aCdrLocation(),
    tariff: aTariff(),
    timeZone: 'Europe/Berlin',
    ...rest,
  };
};

const money = (excl: string, incl: string): MoneyText => ({ excl_vat: excl, incl_vat: incl });

/** What the engine answers for that session: 10 kWh × €0.25 = €2.5000, €3.0250 incl. VAT. */
export const aPricingRecord = (overrides: Partial<PricingRecord> = {}): PricingRecord => ({
  tariff: { source: 'SNAPSHOT', country_code: 'DE', party_id: 'ABC', id: 'TARIFF1' },
  currency: 'EUR',
  total_cost: money('2.5000', '3.0250'),
  total_fixed_cost: money('0.0000', '0.0000'),
  total_energy_cost: money('2.5000', '3.0250'),
  total_time_cost: money('0.0000', '0.0000'),
  total_parking_cost: money('0.0000', '0.0000'),
  total_reservation_cost: money('0.0000', '0.0000'),
  total_energy: '10.0000',
  total_time: '1.0000',
  total_parking_time: '0.0000',
  breakdown: [{ index: 0, lines: [] }],
  ...overrides,
});
