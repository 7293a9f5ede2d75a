import type { Dec } from './decimal.js';

/**
 * REFERENCE §8.3 step 5: VAT is per price component. `vat` null means "no VAT applicable" (which
 * OCPI distinguishes from 0 %), so the amount including VAT equals the amount excluding it.
 */
export function addVat(exclVat: Dec, vatPercent: Dec | null): Dec {
  if (vatPercent === null) return exclVat;
  return exclVat.times(vatPercent.div(100).plus(1));
}
