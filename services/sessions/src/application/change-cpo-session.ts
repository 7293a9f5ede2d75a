import type { OwnParty } from '@voltmesh/config';
import { notFound } from '@voltmesh/errors';
import type { ChargingPeriod } from '@voltmesh/ocpi';
import type { common } from '@voltmesh/proto';
import type { SessionStore, StoredSession } from '../adapters/session-store.js';
import { cpoFactsOf, stamped, type Plan } from '../domain/cpo-session.js';
import { replayWindowStart } from '../domain/session-periods.js';
import { sameSession, sessionKey, type SessionRecord } from '../domain/session.js';
import { priceLive, type PricingDeps, type PricingProbe } from './live-pricing.js';
import { ownParty } from './request-fields.js';
import { idField, periodsField } from './session-fields.js';
import type { ChangeOutcome, SessionWriteResult, SessionWriter } from './session-writer.js';

export interface ReportDeps extends PricingDeps {
  writer: Pick<SessionWriter, 'update'>;
  store: Pick<SessionStore, 'periodsFrom' | 'periodsSince'>;
  ownParties: readonly OwnParty[];
  probe?: PricingProbe;
  now?: () => Date;
}

export type Planner = (record: SessionRecord, periods: ChargingPeriod[], storedFromFirst: ChargingPeriod[]) => Plan;

/**
 * What ReportSessionProgress and ReportSessionEnded share: find our CPO's session (NOT_FOUND
 * otherwise, a claim only included), read the periods, plan the change, price it, and store it
 * when anything a consumer would notice changed (else changed=false).
 */
export async function changeCpoSession(
  deps: ReportDeps,
  request: { cpo?: common.PartyRef | undefined; sessionId: string; chargingPeriodsJson: string },
  plan: Planner,
): Promise<SessionWriteResult> {
  const cpo = ownParty(request.cpo, deps.ownParties, 'CPO', 'cpo');
  const key = sessionKey(cpo, idField(request.sessionId, 'session_id'));
  return deps.writer.update(key, async (current): Promise<ChangeOutcome> => {
    const record = current?.record;
    if (!current || !record || record.role !== 'CPO') throw notFound(`unknown session ${key}`);
    const periods = periodsField(request.chargingPeriodsJson, 'charging_periods_json', cpoFactsOf(record).tariffId);
    const planned = plan(record, periods, await storedFromFirst(deps, current, periods));
    if (planned.kind === 'unchanged') return { changed: false };
    const priced = await priceLive(deps, planned.next, planned.append, planned.priceUntil, (index) => deps.store.periodsFrom(current, index), deps.probe);
    if (sameSession(record, priced)) return { changed: false };
    // Stamped when stored (under the lock), so one session's last_updated never goes back.
    return { changed: true, record: stamped(priced, (deps.now ?? (() => new Date()))()), claim: current.claim, edit: { append: planned.append } };
  });
}

/** The stored periods incoming ones may replay (none when they all start after the last stored one). */
async function storedFromFirst(deps: Pick<ReportDeps, 'store'>, current: StoredSession, periods: readonly ChargingPeriod[]): Promise<ChargingPeriod[]> {
  const from = replayWindowStart(current.record?.lastPeriod, periods);
  return from ? deps.store.periodsSince(current, from) : [];
}
