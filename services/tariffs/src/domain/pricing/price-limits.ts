import type { Dec } from './decimal.js';
import type { ParsedPrice } from './tariff-model.js';
import type { PriceLimit } from './types.js';

export interface Limited {
  value: Dec;
  limit: PriceLimit | null;
}

/**
 * min_price / max_price (REFERENCE §8.2, §8.3 step 6): the excl-VAT total is held against the
 * bound's excl_vat and the incl-VAT total against the bound's incl_vat, independently. A bound
 * without incl_vat (it is optional in Price) leaves the incl-VAT total alone rather than guessing
 * a VAT rate. If a tariff had min > max, max wins (applied last): never bill above the maximum.
 */
function limitOne(value: Dec, min: Dec | null, max: Dec | null): Limited {
  let out: Limited = { value, limit: null };
  if (min !== null && out.value.lt(min)) out = { value: min, limit: 'MIN_PRICE' };
  if (max !== null && out.value.gt(max)) out = { value: max, limit: 'MAX_PRICE' };
  return out;
}

export function applyPriceLimits(
  total: { exclVat: Dec; inclVat: Dec },
  minPrice: ParsedPrice | null,
  maxPrice: ParsedPrice | null,
): { exclVat: Limited; inclVat: Limited } {
  return {
    exclVat: limitOne(total.exclVat, minPrice?.exclVat ?? null, maxPrice?.exclVat ?? null),
    inclVat: limitOne(total.inclVat, minPrice?.inclVat ?? null, maxPrice?.inclVat ?? null),
  };
}
