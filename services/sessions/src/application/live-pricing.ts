import { internal, isAppError, toAppError } from '@voltmesh/errors';
import type { ChargingPeriod } from '@voltmesh/ocpi';
import type { tariffService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { TariffClient } from '../adapters/tariff-client.js';
import { cpoFactsOf, withPrice } from '../domain/cpo-session.js';
import type { PricingState, SessionRecord } from '../domain/session.js';
import { fromPriceProto } from './session-proto.js';

export interface PricingDeps {
  tariffs: Pick<TariffClient, 'priceSession'>;
  logger: Logger;
}

/** Counts what live pricing sent: how many periods per call (flat with the resume state). */
export interface PricingProbe {
  priced(sentPeriods: number, resumed: boolean): void;
}

/**
 * Prices a session with its tariff snapshot up to `until` (tariffs PriceSession, the tariff
 * inline: the session keeps the tariff of its start whatever the tariffs service holds now).
 *
 * The resume protocol keeps the work per update flat: the session keeps the engine's
 * `state_json` and sends only the periods from `state_period_count` on (the last stored one
 * and the new ones, as a rule). The state is dropped when the start it was computed for moved
 * (PENDING → ACTIVE). An engine without resumable pricing answers an empty state: then every
 * period is sent, every time. A resumed call the engine refuses is tried once more without the
 * state (every period), so a state the engine no longer reads costs one slow update.
 *
 * No tariff, or no period yet: no price. A call that fails for good (the engine refuses the
 * session) keeps the last price and is logged: the figures of the session are stored anyway;
 * UNAVAILABLE and DEADLINE_EXCEEDED fail the report, for the CSMS to retry.
 */
export async function priceLive(
  deps: PricingDeps,
  next: SessionRecord,
  append: readonly ChargingPeriod[],
  until: string,
  storedFrom: (index: number) => Promise<ChargingPeriod[]>,
  probe?: PricingProbe,
): Promise<SessionRecord> {
  const facts = cpoFactsOf(next);
  if (!facts.tariffJson || next.periodCount === 0) return withPrice(next, undefined, undefined);
  const storedCount = next.periodCount - append.length;
  const state = facts.pricing;
  const resumable = state && state.stateJson && state.start === next.ocpi.start_date_time && state.statePeriodCount <= storedCount ? state : undefined;

  const request = async (resume: PricingState | undefined): Promise<tariffService.PriceSessionResponse> => {
    const periods = [...(await storedFrom(resume ? resume.statePeriodCount : 0)), ...append];
    probe?.priced(periods.length, resume !== undefined);
    return deps.tariffs.priceSession({
      tariff: { ocpiJson: facts.tariffJson },
      chargingPeriodsJson: JSON.stringify(periods),
      startDateTime: next.ocpi.start_date_time,
      endDateTime: until,
      timeZone: facts.timeZone,
      stateJson: resume?.stateJson ?? '',
    });
  };

  let response: tariffService.PriceSessionResponse;
  try {
    try {
      response = await request(resumable);
    } catch (error) {
      if (!resumable || !isAppError(error) || error.code !== 'INVALID_ARGUMENT') throw error;
      deps.logger.warn({ err: error, session_id: next.id }, 'resumed pricing refused; pricing every period');
      response = await request(undefined);
    }
    if (!response.price) throw internal('tariffs service answered PriceSession without a price');
  } catch (error) {
    const appError = toAppError(error);
    if (appError.retryable) throw appError;
    deps.logger.error({ err: appError, session_id: next.id, tariff_id: facts.tariffId }, 'the session could not be priced; its figures are stored with the last price');
    return withPrice(next, facts.price, facts.pricing);
  }
  const settled = Math.min(response.statePeriodCount, next.periodCount);
  const pricing: PricingState | undefined = response.stateJson ? { stateJson: response.stateJson, statePeriodCount: settled, start: next.ocpi.start_date_time } : undefined;
  return withPrice(next, fromPriceProto(response.price), pricing);
}
