import { AppError } from '@voltmesh/errors';
import { cdrSchema, SESSION_ONLY_DIMENSIONS, zodErrorMessage, type Cdr, type CdrLocation, type ChargingPeriod, type Session, type Tariff } from '@voltmesh/ocpi';
import { cdrIdForSession, cdrKey, type CdrRecord } from './cdr-record.js';
import { decimal, fromNumber, ratio, sum, toFixed, toNumber, type Decimal } from './decimal.js';
import type { MoneyText, PricingRecord } from './pricing-record.js';

/** What a COMPLETED session of our CPO brings to its CDR (all snapshots of the session's start). */
export interface CompletedSession {
  /** The OCPI Session, parsed (status COMPLETED, end_date_time set). */
  session: Session & { end_date_time: string };
  cdrLocation: CdrLocation;
  /** The tariff in force at the start; undefined when the charger had none. */
  tariff: Tariff | undefined;
  /** IANA zone of the location ('' unknown): PriceCdr reads it for local-time restrictions. */
  timeZone: string;
}

/** A CDR before its totals: everything but the figures the price engine computes. */
export type CdrDraft = Omit<
  Cdr,
  'total_cost' | 'total_fixed_cost' | 'total_energy' | 'total_energy_cost' | 'total_time' | 'total_time_cost' | 'total_parking_time' | 'total_parking_cost' | 'total_reservation_cost'
>;

export const NO_TARIFF_REMARK = 'no tariff: charged nothing';
const MS_PER_HOUR = 3_600_000n;

/**
 * The CDR's charging periods: the session's, without the Session-only dimensions (CURRENT,
 * ENERGY_EXPORT, ENERGY_IMPORT, POWER, STATE_OF_CHARGE; OCPI 2.2.1 §7.3). A period left with no
 * dimension is dropped (the previous period then runs on until the next start; volumes are
 * unchanged). A session without any period gets one, at its start, with ENERGY = kwh and
 * TIME = the whole session in hours (charging throughout: we know of no parking), under its tariff.
 */
export function cdrChargingPeriods(input: CompletedSession): ChargingPeriod[] {
  const periods = input.session.charging_periods
    .map((period) => ({ ...period, dimensions: period.dimensions.filter((dimension) => !SESSION_ONLY_DIMENSIONS.has(dimension.type)) }))
    .filter((period) => period.dimensions.length > 0);
  if (periods.length > 0) return periods;
  const { session } = input;
  return [
    {
      start_date_time: session.start_date_time,
      dimensions: [
        { type: 'ENERGY', volume: session.kwh },
        { type: 'TIME', volume: toNumber(sessionHours(session)) },
      ],
      ...(input.tariff ? { tariff_id: input.tariff.id } : {}),
    },
  ];
}

/** The whole session in hours, 4 decimals (half away from zero), as the price engine reports total_time. */
function sessionHours(session: { start_date_time: string; end_date_time: string }): Decimal {
  return ratio(BigInt(Date.parse(session.end_date_time) - Date.parse(session.start_date_time)), MS_PER_HOUR, 4);
}

/** The CDR of a completed session, all but its totals. `now` is its creation time (last_updated). */
export function draftCpoCdr(input: CompletedSession, now: string): CdrDraft {
  const { session } = input;
  return {
    country_code: session.country_code,
    party_id: session.party_id,
    id: cdrIdForSession(session.id),
    start_date_time: session.start_date_time,
    end_date_time: session.end_date_time,
    session_id: session.id,
    cdr_token: session.cdr_token,
    auth_method: session.auth_method,
    ...(session.authorization_reference ? { authorization_reference: session.authorization_reference } : {}),
    cdr_location: input.cdrLocation,
    ...(session.meter_id ? { meter_id: session.meter_id } : {}),
    currency: session.currency,
    tariffs: input.tariff ? [input.tariff] : [],
    charging_periods: cdrChargingPeriods(input),
    ...(input.tariff ? {} : { remark: NO_TARIFF_REMARK }),
    last_updated: now,
  };
}

/**
 * What PriceCdr is given: the draft plus `cdr_location.time_zone`, an extension the price engine
 * reads when present (OCPI 2.2.1's CdrLocation has no zone; the session snapshot does).
 */
export function pricingCdrJson(draft: CdrDraft, timeZone: string): string {
  return JSON.stringify(timeZone ? { ...draft, cdr_location: { ...draft.cdr_location, time_zone: timeZone } } : draft);
}

const money = (text: MoneyText) => ({ excl_vat: toNumber(decimal(text.excl_vat, 'excl_vat')), incl_vat: toNumber(decimal(text.incl_vat, 'incl_vat')) });

/**
 * The complete CDR. With a price: every total from the engine (its 4-decimal strings as OCPI
 * numbers, which print back exactly). Without a tariff: total_cost 0 (our CPO charges nothing
 * without a tariff), no cost parts, the quantities measured from the periods.
 */
export function completeCpoCdr(draft: CdrDraft, pricing: PricingRecord | undefined): Cdr {
  if (pricing) {
    return {
      ...draft,
      total_cost: money(pricing.total_cost),
      total_fixed_cost: money(pricing.total_fixed_cost),
      total_energy: toNumber(decimal(pricing.total_energy, 'total_energy')),
      total_energy_cost: money(pricing.total_energy_cost),
      total_time: toNumber(decimal(pricing.total_time, 'total_time')),
      total_time_cost: money(pricing.total_time_cost),
      total_parking_time: toNumber(decimal(pricing.total_parking_time, 'total_parking_time')),
      total_parking_cost: money(pricing.total_parking_cost),
      total_reservation_cost: money(pricing.total_reservation_cost),
    };
  }
  const volumes = (type: string) => sum(draft.charging_periods.flatMap((period) => period.dimensions.filter((d) => d.type === type).map((d) => fromNumber(d.volume))));
  return {
    ...draft,
    total_cost: { excl_vat: 0, incl_vat: 0 },
    total_energy: toNumber(volumes('ENERGY')),
    total_time: toNumber(sessionHours(draft)),
    total_parking_time: toNumber(volumes('PARKING_TIME')),
  };
}

/** A CDR we issue must pass the OCPI schema; one that does not is a bug, never stored half right. */
export function validateCdr(cdr: Cdr): Cdr {
  const parsed = cdrSchema.safeParse(cdr);
  if (!parsed.success) {
    throw new AppError('INTERNAL', `CDR ${cdrKey(cdr, cdr.id)} fails the OCPI CDR schema: ${zodErrorMessage(parsed.error, 20)}`, { details: { issues: parsed.error.issues } });
  }
  return parsed.data;
}

/** The stored record of a CDR our CPO issued. */
export function cpoCdrRecord(cdr: Cdr, pricing: PricingRecord | undefined): CdrRecord {
  return {
    key: cdrKey(cdr, cdr.id),
    role: 'CPO',
    cpo: { country_code: cdr.country_code, party_id: cdr.party_id },
    id: cdr.id,
    emsp: { country_code: cdr.cdr_token.country_code, party_id: cdr.cdr_token.party_id },
    contract_id: cdr.cdr_token.contract_id,
    session_id: cdr.session_id ?? '',
    currency: cdr.currency,
    total_cost_excl_vat: pricing?.total_cost.excl_vat ?? toFixed(fromNumber(cdr.total_cost.excl_vat), 4),
    total_cost_incl_vat: pricing?.total_cost.incl_vat ?? toFixed(fromNumber(cdr.total_cost.incl_vat ?? 0), 4),
    credit: false,
    credit_reference_id: '',
    connection_id: '',
    created_at: cdr.last_updated,
    end_date_time: cdr.end_date_time,
    pricing_json: pricing ? JSON.stringify(pricing) : '',
    ocpi_json: JSON.stringify(cdr),
  };
}
