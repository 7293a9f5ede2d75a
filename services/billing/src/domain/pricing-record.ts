/**
 * The price engine's result as billing keeps it (a CDR's pricing_json, a dispute's breakdown):
 * every total as the engine's decimal strings and the per-period breakdown as JSON, snake_case
 * like the rest of our stored OCPI data.
 */
export interface MoneyText {
  excl_vat: string;
  incl_vat: string;
}

export interface PricingRecord {
  /** The tariff priced with and where it came from: the session's snapshot, or the one we hold. */
  tariff: { source: 'SNAPSHOT' | 'STORED'; country_code: string; party_id: string; id: string };
  currency: string;
  total_cost: MoneyText;
  total_fixed_cost: MoneyText;
  total_energy_cost: MoneyText;
  total_time_cost: MoneyText;
  total_parking_cost: MoneyText;
  total_reservation_cost: MoneyText;
  total_energy: string;
  total_time: string;
  total_parking_time: string;
  /** The engine's PeriodBreakdown[] (which element priced each dimension, volumes, cost). */
  breakdown: unknown;
}
