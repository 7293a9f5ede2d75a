import { createHash } from 'node:crypto';
import { z } from 'zod';
import { invalidArgument, type AppError } from '@voltmesh/errors';
import { zodErrorMessage } from '@voltmesh/ocpi';
import { Dec } from './decimal.js';
import { STEP_QUANTITIES, type StepQuantity, type StepTally } from './lines.js';
import { COST_BUCKETS, type Money, type SessionTally } from './session-tally.js';
import type { ParsedComponent, ParsedTariff } from './tariff-model.js';
import type { CostBucket, TariffDimensionType } from './types.js';

/*
 * The live-pricing state: the tally of a session's settled periods (session-tally.ts), carried by
 * the caller between updates as `state_json` so that an update prices only the periods from the
 * first unsettled one on. Its size does not depend on the number of periods.
 *
 * It comes back from outside, so it is never trusted as it is:
 *  - it is versioned (`v`) and parsed with a strict schema (decimals as plain decimal strings,
 *    bounded lengths): anything else is INVALID_ARGUMENT naming state_json;
 *  - `check` is a digest of its content: a state altered in transit or in storage (a decimal
 *    rounded, a count changed) is refused rather than priced wrong. It is not a signature: the
 *    caller is a trusted internal service, the digest is against accidents, not forgery;
 *  - `session` is a digest of what the settled figures were computed from (the tariff as the
 *    engine reads it, the session start, the time zone, whether a reservation expired): a state
 *    is refused with any other of these;
 *  - the components it names must exist in the tariff and price the right dimension.
 */

export const LIVE_STATE_VERSION = 1;
/** Far above a real state (about 1 KB), far below anything that would cost time to parse. */
const MAX_STATE_LENGTH = 16_384;

const decimalText = z
  .string()
  .max(200)
  .regex(/^-?\d+(\.\d+)?$/, 'must be a plain decimal number');
const money = z.strictObject({ excl_vat: decimalText, incl_vat: decimalText });
const componentRef = z.tuple([z.number().int().min(0), z.number().int().min(0)]);
const stepTally = z.strictObject({ total: decimalText, last: componentRef.nullable() });

const stateV1 = z
  .strictObject({
    v: z.literal(LIVE_STATE_VERSION),
    session: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a session digest'),
    period_count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Epoch ms: the end of the last settled period (the start of the first unsettled one). */
    settled_end_ms: z.number().int().nullable(),
    energy: decimalText,
    charging: decimalText,
    parking: decimalText,
    reservation: decimalText,
    flat_charging: z.boolean(),
    flat_reservation: z.boolean(),
    unmatched: z.boolean(),
    costs: z.strictObject({ ENERGY: money, TIME: money, PARKING_TIME: money, FLAT: money, RESERVATION: money }),
    total: money,
    steps: z.strictObject({ ENERGY: stepTally, TIME: stepTally, PARKING_TIME: stepTally, RESERVATION: stepTally }),
    check: z.string(),
  })
  .refine((s) => (s.period_count === 0) === (s.settled_end_ms === null), {
    message: 'must be set exactly when periods are settled',
    path: ['settled_end_ms'],
  });

/** Read first, so that a state of another version is told apart from a malformed one. */
const versioned = z.looseObject({ v: z.unknown() });

type StateV1 = z.output<typeof stateV1>;
export type StateContent = Omit<StateV1, 'check'>;

/** What a state carries besides the tally. */
export interface SettledSession {
  tally: SessionTally;
  /** End of the last settled period; null when none is settled. */
  settledEndMs: number | null;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * The digest of what a session's settled figures depend on and a state must be used with: the
 * tariff as the engine reads it (parsed: "0.250" and 0.25 are the same price; texts, URLs and
 * last_updated are not read), the session start, the time zone as given and reservation_expired.
 */
export function sessionDigest(tariff: ParsedTariff, startMs: number, timeZone: string | null, reservationExpired: boolean): string {
  // Decimals serialize as their value (Decimal#toJSON), day_of_week sets as sorted lists.
  const tariffText = JSON.stringify(tariff, (_key, value: unknown) => (value instanceof Set ? [...(value as Set<string>)].sort() : value));
  return digest(JSON.stringify([LIVE_STATE_VERSION, tariffText, startMs, timeZone ?? '', reservationExpired]));
}

/** The content in a fixed key order, so that the digest of a parsed state is the one it was sealed with. */
function contentText(c: StateContent): string {
  const m = (x: { excl_vat: string; incl_vat: string }): string[] => [x.excl_vat, x.incl_vat];
  const s = (x: { total: string; last: [number, number] | null }): unknown[] => [x.total, x.last];
  return JSON.stringify([
    c.v,
    c.session,
    c.period_count,
    c.settled_end_ms,
    c.energy,
    c.charging,
    c.parking,
    c.reservation,
    c.flat_charging,
    c.flat_reservation,
    c.unmatched,
    COST_BUCKETS.map((b) => m(c.costs[b])),
    m(c.total),
    STEP_QUANTITIES.map((q) => s(c.steps[q])),
  ]);
}

// toFixed() without digits: every digit, never exponent notation, so the text parses back to the same value.
const text = (d: Dec): string => d.toFixed();
const moneyText = (x: Money): { excl_vat: string; incl_vat: string } => ({ excl_vat: text(x.exclVat), incl_vat: text(x.inclVat) });
const stepText = (t: StepTally): { total: string; last: [number, number] | null } => ({
  total: text(t.total),
  last: t.last ? [t.last.elementIndex, t.last.componentIndex] : null,
});

/** The state_json of a session whose first `tally.periodCount` periods are settled. */
export function sealState(session: string, settled: SettledSession): string {
  const { tally } = settled;
  const content: StateContent = {
    v: LIVE_STATE_VERSION,
    session,
    period_count: tally.periodCount,
    settled_end_ms: tally.periodCount === 0 ? null : settled.settledEndMs,
    energy: text(tally.energy),
    charging: text(tally.charging),
    parking: text(tally.parking),
    reservation: text(tally.reservation),
    flat_charging: tally.flat.charging,
    flat_reservation: tally.flat.reservation,
    unmatched: tally.hasUnmatched,
    costs: {
      ENERGY: moneyText(tally.costs.ENERGY),
      TIME: moneyText(tally.costs.TIME),
      PARKING_TIME: moneyText(tally.costs.PARKING_TIME),
      FLAT: moneyText(tally.costs.FLAT),
      RESERVATION: moneyText(tally.costs.RESERVATION),
    },
    total: moneyText(tally.total),
    steps: {
      ENERGY: stepText(tally.steps.ENERGY),
      TIME: stepText(tally.steps.TIME),
      PARKING_TIME: stepText(tally.steps.PARKING_TIME),
      RESERVATION: stepText(tally.steps.RESERVATION),
    },
  };
  return withCheck(content);
}

/** The state_json of a state's content: the content and its check. */
export function withCheck(content: StateContent): string {
  return JSON.stringify({ ...content, check: digest(contentText(content)) });
}

const refused = (why: string): AppError => invalidArgument(`state_json: ${why}; price the session again without state_json`);

/** The dimension of the component a step quantity's lines are priced with. */
const STEP_COMPONENT_TYPE: Record<StepQuantity, TariffDimensionType> = {
  ENERGY: 'ENERGY',
  TIME: 'TIME',
  PARKING_TIME: 'PARKING_TIME',
  RESERVATION: 'TIME',
};

function component(tariff: ParsedTariff, quantity: StepQuantity, ref: [number, number] | null): ParsedComponent | null {
  if (ref === null) return null;
  const found = tariff.elements[ref[0]]?.components[ref[1]];
  if (!found || found.type !== STEP_COMPONENT_TYPE[quantity]) {
    throw refused(`steps.${quantity}.last names no ${STEP_COMPONENT_TYPE[quantity]} component of this tariff`);
  }
  return found;
}

/**
 * Reads a state_json for the session with digest `session` (sessionDigest) priced with `tariff`.
 * Throws INVALID_ARGUMENT naming state_json when it is malformed, altered, of another version, or
 * of another session.
 */
export function openState(stateJson: string, session: string, tariff: ParsedTariff): SettledSession {
  if (stateJson.length > MAX_STATE_LENGTH) throw refused(`longer than ${MAX_STATE_LENGTH} characters, not a pricing state`);
  let raw: unknown;
  try {
    raw = JSON.parse(stateJson);
  } catch {
    throw refused('not JSON');
  }
  const version = versioned.safeParse(raw);
  if (!version.success) throw refused('not a pricing state (an object with a version v)');
  if (version.data.v !== LIVE_STATE_VERSION) throw refused(`version ${JSON.stringify(version.data.v) ?? 'none'} is not supported (this service reads ${LIVE_STATE_VERSION})`);
  const parsed = stateV1.safeParse(raw);
  if (!parsed.success) throw refused(zodErrorMessage(parsed.error));
  const { check, ...content } = parsed.data;
  if (digest(contentText(content)) !== check) throw refused('altered or corrupted (its check does not match its content)');
  if (content.session !== session) throw invalidArgument("state_json does not belong to this session's tariff/start/zone");

  const dec = (value: string): Dec => new Dec(value);
  const m = (x: { excl_vat: string; incl_vat: string }): Money => ({ exclVat: dec(x.excl_vat), inclVat: dec(x.incl_vat) });
  const step = (quantity: StepQuantity): StepTally => ({
    total: dec(content.steps[quantity].total),
    last: component(tariff, quantity, content.steps[quantity].last),
    lastLine: null,
  });
  const costs: Record<CostBucket, Money> = {
    ENERGY: m(content.costs.ENERGY),
    TIME: m(content.costs.TIME),
    PARKING_TIME: m(content.costs.PARKING_TIME),
    FLAT: m(content.costs.FLAT),
    RESERVATION: m(content.costs.RESERVATION),
  };
  return {
    settledEndMs: content.settled_end_ms,
    tally: {
      periodCount: content.period_count,
      energy: dec(content.energy),
      charging: dec(content.charging),
      parking: dec(content.parking),
      reservation: dec(content.reservation),
      flat: { charging: content.flat_charging, reservation: content.flat_reservation },
      hasUnmatched: content.unmatched,
      costs,
      total: m(content.total),
      steps: { ENERGY: step('ENERGY'), TIME: step('TIME'), PARKING_TIME: step('PARKING_TIME'), RESERVATION: step('RESERVATION') },
    },
  };
}
