import { invalidArgument } from '@voltmesh/errors';
import { sameContent, type ChargingPeriod } from '@voltmesh/ocpi';

/**
 * Which of the incoming charging periods a session appends. A period lasts until the next one
 * starts, so periods are ordered by their start alone and must start strictly one after the
 * other (OCPI 2.2.1 §6, checkPeriodOrder):
 * - incoming periods must start strictly after each other;
 * - a period starting after the last stored one is appended;
 * - a period starting at or before the last stored one must be a stored period, the same in
 *   every figure (a replay: a sender retrying a call whose answer it lost), and is skipped;
 *   any other is refused as out of order or overlapping (INVALID_ARGUMENT naming it).
 *
 * `storedFromFirst` holds the stored periods starting at or after the first incoming period's
 * start (empty when that one starts after the last stored one: the usual case, which needs no
 * stored period but the last). `field` names the incoming list in errors, e.g.
 * `charging_periods_json`.
 */
export function periodsToAppend(last: ChargingPeriod | undefined, storedFromFirst: readonly ChargingPeriod[], incoming: readonly ChargingPeriod[], field: string): ChargingPeriod[] {
  incoming.forEach((period, index) => {
    const previous = incoming[index - 1];
    if (previous && period.start_date_time <= previous.start_date_time) {
      throw invalidArgument(`${field}[${index}].start_date_time: ${period.start_date_time} is out of order or overlapping: not after ${field}[${index - 1}] (${previous.start_date_time})`);
    }
  });
  const stored = new Map(storedFromFirst.map((period) => [period.start_date_time, period]));
  const appended: ChargingPeriod[] = [];
  incoming.forEach((period, index) => {
    if (last && period.start_date_time <= last.start_date_time) {
      const same = stored.get(period.start_date_time);
      if (same && sameContent(same, period)) return;
      const why = same ? 'a stored period starts at the same instant with other figures' : `not after the last stored period (${last.start_date_time})`;
      throw invalidArgument(`${field}[${index}].start_date_time: ${period.start_date_time} is out of order or overlapping: ${why}`);
    }
    appended.push(period);
  });
  return appended;
}

/** The first start among incoming periods that needs the stored ones to be judged, if any. */
export function replayWindowStart(last: ChargingPeriod | undefined, incoming: readonly ChargingPeriod[]): string | undefined {
  const first = incoming[0];
  return last && first && first.start_date_time <= last.start_date_time ? first.start_date_time : undefined;
}
