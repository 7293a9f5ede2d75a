import type { PriceComponent, Tariff, TariffElement } from '@voltmesh/ocpi';
import { BUILDER_TIME } from './locations.js';

/**
 * Test-data builders for OCPI tariffs: valid objects (as the OCPI schemas output them) that a
 * test changes only where it matters, e.g. `aTariff({ id: 'T2', currency: 'CHF' })`. The
 * default is a plain €0.25/kWh tariff with 21% VAT, billed per Wh.
 */
export const aPriceComponent = (overrides: Partial<PriceComponent> = {}): PriceComponent => ({
  type: 'ENERGY',
  price: 0.25,
  vat: 21,
  step_size: 1,
  ...overrides,
});

export const aTariffElement = (overrides: Partial<TariffElement> = {}): TariffElement => ({
  price_components: [aPriceComponent()],
  ...overrides,
});

export const aTariff = (overrides: Partial<Tariff> = {}): Tariff => ({
  country_code: 'DE',
  party_id: 'ABC',
  id: 'TARIFF1',
  currency: 'EUR',
  tariff_alt_text: [],
  elements: [aTariffElement()],
  last_updated: BUILDER_TIME,
  ...overrides,
});
