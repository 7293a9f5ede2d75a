import { aCdrLocation, aSession, aTariff } from '@voltmesh/testing';
import type { CompletedSession } from './cpo-cdr.js';
import { decimal } from './decimal.js';
import type { CdrDetails, FinanceCdr } from './finance-cdr.js';
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

/** A CDR as finance counts it: our CPO DE*ABC's CDR1 for DE*EMS's driver, €2.5000 / €3.0250, ended 2026-01-01 11:00 UTC. */
export const aFinanceCdr = (overrides: Partial<FinanceCdr> = {}): FinanceCdr => ({
  key: `${overrides.cpo?.country_code ?? 'DE'}*${overrides.cpo?.party_id ?? 'ABC'}*${overrides.id ?? 'CDR1'}`,
  role: 'CPO',
  cpo: { country_code: 'DE', party_id: 'ABC' },
  id: 'CDR1',
  emsp: { country_code: 'DE', party_id: 'EMS' },
  contract_id: 'DE-EMS-C12345678-X',
  session_id: 'SESSION1',
  currency: 'EUR',
  end_date_time: '2026-01-01T11:00:00.000Z',
  excl_vat: decimal('2.5000', 'excl'),
  incl_vat: decimal('3.0250', 'incl'),
  states_incl_vat: true,
  credit: false,
  credit_reference_id: '',
  connection_id: '',
  ...overrides,
});

/** What an invoice line needs from the OCPI JSON: LOC1, started 10:00, 10 kWh. */
export const someCdrDetails = (overrides: Partial<CdrDetails> = {}): CdrDetails => ({
  start_date_time: '2026-01-01T10:00:00.000Z',
  location_id: 'LOC1',
  total_energy: decimal('10', 'kWh'),
  ...overrides,
});
