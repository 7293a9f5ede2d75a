import type { PriceComponent, Tariff, TariffElement, TariffRestrictions } from '@voltmesh/ocpi';
import type * as v211 from '@voltmesh/ocpi/v2_1_1';
import { LossLog, NotExpressible, type Loss, type Mapped } from '../mapped.js';
import { energyMixFrom211, energyMixTo211 } from './locations.js';

/**
 * Tariffs between OCPI 2.1.1 and our 2.2.1 model.
 *
 * Outbound (To211) a tariff must reach the partner with the same price (excluding VAT, as
 * 2.1.1 prices are) or not at all: whatever 2.2.1 says about the price that 2.1.1 cannot say (a
 * tariff type other than REGULAR, price bounds, a validity period, current and reservation
 * restrictions) makes it NotExpressible, every such field listed at once. VAT rates and a
 * REGULAR type are losses: the price excluding VAT and whom it applies to do not change.
 *
 * country_code/party_id are not in the 2.1.1 object: they travel in the Receiver URL
 * (`/tariffs/{country_code}/{party_id}/{tariff_id}`), or are the connection's single party on
 * the Sender side, so the caller takes them from the same 2.2.1 tariff; inbound they come in as
 * `owner`.
 */

/** A 2.2.1 Tariff PATCH as the gateway merges it: only the fields to change. */
export type TariffPatch = Partial<Tariff>;


export function tariffTo211(tariff: Tariff): Mapped<v211.Tariff> {
  const log = new LossLog();
  const refused = refusedTariffFields(tariff, log);
  const elements = elementsTo211(tariff.elements, 'elements', refused, log);
  if (refused.length > 0) throw new NotExpressible(refused);
  return log.mapped({
    id: tariff.id,
    currency: tariff.currency,
    tariff_alt_text: tariff.tariff_alt_text.map((text) => ({ language: text.language, text: text.text })),
    tariff_alt_url: tariff.tariff_alt_url,
    elements,
    energy_mix: tariff.energy_mix && energyMixTo211(tariff.energy_mix),
    last_updated: tariff.last_updated,
  });
}

export function tariffFrom211(tariff: v211.Tariff, owner: { countryCode: string; partyId: string }): Mapped<Tariff> {
  const log = new LossLog();
  return log.mapped({
    country_code: owner.countryCode.toUpperCase(),
    party_id: owner.partyId.toUpperCase(),
    id: idFrom211(tariff.id, log),
    currency: tariff.currency,
    // 2.1.1 has no type: the tariff applies to every session, which is what an absent type says.
    type: undefined,
    tariff_alt_text: tariff.tariff_alt_text.map((text) => ({ language: text.language, text: text.text })),
    tariff_alt_url: tariff.tariff_alt_url,
    min_price: undefined,
    max_price: undefined,
    elements: tariff.elements.map(elementFrom211),
    start_date_time: undefined,
    end_date_time: undefined,
    energy_mix: tariff.energy_mix && energyMixFrom211(tariff.energy_mix),
    last_updated: tariff.last_updated,
  });
}

/**
 * A partial 2.2.1 tariff to a 2.1.1 PATCH body, field by field. It only judges the fields it
 * carries: whether the patched tariff as a whole is expressible is for `tariffTo211` on it.
 */
export function tariffPatchTo211(patch: TariffPatch): Mapped<v211.TariffPatch> {
  const log = new LossLog();
  const refused = refusedTariffFields(patch, log);
  const value: v211.TariffPatch = {};
  if (patch.id !== undefined) value.id = patch.id;
  if (patch.currency !== undefined) value.currency = patch.currency;
  if (patch.tariff_alt_text !== undefined) value.tariff_alt_text = patch.tariff_alt_text.map((text) => ({ language: text.language, text: text.text }));
  if (patch.tariff_alt_url !== undefined) value.tariff_alt_url = patch.tariff_alt_url;
  if (patch.elements !== undefined) value.elements = elementsTo211(patch.elements, 'elements', refused, log);
  if (patch.energy_mix !== undefined) value.energy_mix = energyMixTo211(patch.energy_mix);
  if (patch.last_updated !== undefined) value.last_updated = patch.last_updated;
  if (refused.length > 0) throw new NotExpressible(refused);
  return log.mapped(value);
}

/**
 * A 2.1.1 PATCH body to a partial 2.2.1 tariff. 2.1.1 does not require `last_updated` in a
 * PATCH: when absent it stays absent, and the caller decides (it is not invented here).
 */
export function tariffPatchFrom211(patch: v211.TariffPatch): Mapped<TariffPatch> {
  const log = new LossLog();
  const value: TariffPatch = {};
  if (patch.id !== undefined) value.id = idFrom211(patch.id, log);
  if (patch.currency !== undefined) value.currency = patch.currency;
  if (patch.tariff_alt_text !== undefined) value.tariff_alt_text = patch.tariff_alt_text.map((text) => ({ language: text.language, text: text.text }));
  if (patch.tariff_alt_url !== undefined) value.tariff_alt_url = patch.tariff_alt_url;
  if (patch.elements !== undefined) value.elements = patch.elements.map(elementFrom211);
  if (patch.energy_mix !== undefined) value.energy_mix = energyMixFrom211(patch.energy_mix);
  if (patch.last_updated !== undefined) value.last_updated = patch.last_updated;
  return log.mapped(value);
}

/**
 * Tariff-level 2.2.1 fields that change who pays what, and why 2.1.1 cannot carry them. A
 * REGULAR type is only lost: "valid when no other type applies" is what a 2.1.1 tariff is.
 */
function refusedTariffFields(tariff: TariffPatch, log: LossLog): Loss[] {
  const refused: Loss[] = [];
  if (tariff.type === 'REGULAR') {
    log.lose('type', '2.1.1 has no tariff type: a REGULAR tariff applies to every session, as a 2.1.1 tariff does');
  } else if (tariff.type !== undefined) {
    refused.push({ field: 'type', reason: `2.1.1 has no tariff type: the partner would apply this ${tariff.type} tariff to every session` });
  }
  if (tariff.min_price !== undefined) refused.push({ field: 'min_price', reason: '2.1.1 has no minimum price: sessions below it would be charged less' });
  if (tariff.max_price !== undefined) refused.push({ field: 'max_price', reason: '2.1.1 has no maximum price: sessions above it would be charged more' });
  if (tariff.start_date_time !== undefined) {
    refused.push({ field: 'start_date_time', reason: '2.1.1 has no validity period: the partner would apply the tariff before it starts' });
  }
  if (tariff.end_date_time !== undefined) {
    refused.push({ field: 'end_date_time', reason: '2.1.1 has no validity period: the partner would keep applying the tariff after it ends' });
  }
  return refused;
}

function elementsTo211(elements: TariffElement[], path: string, refused: Loss[], log: LossLog): v211.TariffElement[] {
  return elements.map((element, index) => {
    const at = `${path}[${index}]`;
    return {
      price_components: element.price_components.map((component, componentIndex) => priceComponentTo211(component, `${at}.price_components[${componentIndex}]`, log)),
      restrictions: element.restrictions && restrictionsTo211(element.restrictions, `${at}.restrictions`, refused),
    };
  });
}

/**
 * 2.1.1 prices are excluding VAT, as 2.2.1 prices are: the price is the same, only the rate is
 * not carried (the partner applies the VAT it must), so the rate is a loss, not a refusal.
 */
function priceComponentTo211(component: PriceComponent, path: string, log: LossLog): v211.PriceComponent {
  if (component.vat !== undefined) log.lose(`${path}.vat`, `2.1.1 prices are excluding VAT and carry no rate: ${component.vat}% is not sent`);
  return { type: component.type, price: component.price, step_size: component.step_size };
}

function restrictionsTo211(restrictions: TariffRestrictions, path: string, refused: Loss[]): v211.TariffRestrictions {
  // Without the restriction the element would apply more widely than it does: a different price.
  if (restrictions.min_current !== undefined) refused.push({ field: `${path}.min_current`, reason: '2.1.1 has no current restriction: the element would apply at any current' });
  if (restrictions.max_current !== undefined) refused.push({ field: `${path}.max_current`, reason: '2.1.1 has no current restriction: the element would apply at any current' });
  if (restrictions.reservation !== undefined) {
    refused.push({ field: `${path}.reservation`, reason: `2.1.1 cannot price reservations: the ${restrictions.reservation} element would be applied to charging` });
  }
  return {
    start_time: restrictions.start_time,
    end_time: restrictions.end_time,
    start_date: restrictions.start_date,
    end_date: restrictions.end_date,
    min_kwh: restrictions.min_kwh,
    max_kwh: restrictions.max_kwh,
    min_power: restrictions.min_power,
    max_power: restrictions.max_power,
    min_duration: restrictions.min_duration,
    max_duration: restrictions.max_duration,
    day_of_week: [...restrictions.day_of_week],
  };
}

function elementFrom211(element: v211.TariffElement): TariffElement {
  return {
    price_components: element.price_components.map((component) => ({ type: component.type, price: component.price, vat: undefined, step_size: component.step_size })),
    restrictions: element.restrictions && restrictionsFrom211(element.restrictions),
  };
}

/** Every 2.1.1 restriction exists in 2.2.1 under the same name and unit. */
function restrictionsFrom211(restrictions: v211.TariffRestrictions): TariffRestrictions {
  return {
    start_time: restrictions.start_time,
    end_time: restrictions.end_time,
    start_date: restrictions.start_date,
    end_date: restrictions.end_date,
    min_kwh: restrictions.min_kwh,
    max_kwh: restrictions.max_kwh,
    min_current: undefined,
    max_current: undefined,
    min_power: restrictions.min_power,
    max_power: restrictions.max_power,
    min_duration: restrictions.min_duration,
    max_duration: restrictions.max_duration,
    day_of_week: [...restrictions.day_of_week],
    reservation: undefined,
  };
}

/** 2.1.1 ids are case-sensitive, 2.2.1 ids (CiString) are stored upper-cased. */
function idFrom211(id: string, log: LossLog): string {
  const folded = id.toUpperCase();
  if (folded !== id) log.lose('id', `2.2.1 ids are case-insensitive: stored as ${folded}, and sent back so, which a case-sensitive 2.1.1 party reads as another id`);
  return folded;
}

