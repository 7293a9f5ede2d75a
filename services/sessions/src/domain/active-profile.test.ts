import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { learnProfile, markProfileSet, reportProfileChange, type ActiveProfileRecord, type ProfileChange, type ProfileTarget } from './active-profile.js';
import { after } from './test-builders.js';

const target: ProfileTarget = { key: 'NL*VLT*S1', cpo: { countryCode: 'NL', partyId: 'VLT' }, sessionId: 'S1', role: 'CPO' };
const profileJson = (limit: number) => JSON.stringify({ start_date_time: after(0).toISOString(), charging_profile: { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit }] } });
const setter = { connectionId: 'conn-emsp', emsp: { countryCode: 'DE', partyId: 'EMS' }, commandId: 'c1', at: after(0).toISOString() };

/** The record after a change, and whether it is pushed; fails when nothing changed. */
function changed(outcome: ProfileChange): { record: ActiveProfileRecord; push: boolean } {
  assert.ok(outcome.changed, 'expected a change');
  return { record: outcome.record, push: outcome.push };
}

describe('the "eMSP has set a profile" rule (OCPI 2.2.1 §11: push only after a successful PUT)', () => {
  test('without a SET, a change the CSMS reports is stored, never pushed', () => {
    const first = changed(reportProfileChange(undefined, target, profileJson(11000), after(1)));
    assert.deepEqual([first.push, first.record.profileJson, first.record.updatedAt, first.record.pushed], [false, profileJson(11000), after(1).toISOString(), false]);
    const second = changed(reportProfileChange(first.record, target, profileJson(7400), after(2)));
    assert.equal(second.push, false, 'still nobody set one');
    assert.deepEqual(reportProfileChange(second.record, target, profileJson(7400), after(3)), { changed: false }, 'the same profile again');
  });

  test('after a SET completed ACCEPTED, every change is pushed to that eMSP; a repeated report is not pushed twice', () => {
    const marked = changed(markProfileSet(undefined, target, setter));
    assert.equal(marked.push, false, 'marking pushes nothing by itself');
    assert.deepEqual(marked.record.setBy, setter);
    const reported = changed(reportProfileChange(marked.record, target, profileJson(7400), after(5)));
    assert.deepEqual([reported.push, reported.record.pushed], [true, true]);
    assert.deepEqual(reportProfileChange(reported.record, target, profileJson(7400), after(6)), { changed: false });
    assert.equal(changed(reportProfileChange(reported.record, target, profileJson(3700), after(7))).push, true);
  });

  test('a profile reported before the SET completed goes to the eMSP when reported again after it', () => {
    const before = changed(reportProfileChange(undefined, target, profileJson(11000), after(1))).record;
    const marked = changed(markProfileSet(before, target, setter)).record;
    assert.equal(marked.profileJson, profileJson(11000), 'the marker keeps the known profile');
    const again = changed(reportProfileChange(marked, target, profileJson(11000), after(2)));
    assert.equal(again.push, true, 'the eMSP never got it');
  });

  test('setting again by the same eMSP changes nothing; a clear does not exist here (at least once is enough)', () => {
    const marked = changed(markProfileSet(undefined, target, setter)).record;
    assert.deepEqual(markProfileSet(marked, target, { ...setter, commandId: 'c2', at: after(9).toISOString() }), { changed: false });
  });

  test('known without a push: a GET answer or a partner push replaces the profile unless it is older than the stored one', () => {
    const marked = changed(markProfileSet(undefined, target, setter)).record;
    const pushedOne = changed(reportProfileChange(marked, target, profileJson(7400), after(10))).record;
    const answered = changed(learnProfile(pushedOne, target, profileJson(5000), after(11)));
    assert.deepEqual([answered.push, answered.record.pushed, answered.record.profileJson], [false, false, profileJson(5000)]);
    assert.deepEqual(learnProfile(answered.record, target, profileJson(1000), after(10)), { changed: false }, 'a late answer does not replace a newer profile');
    assert.deepEqual(learnProfile(answered.record, target, profileJson(5000), after(12)), { changed: false }, 'the same profile');
    const emspTarget: ProfileTarget = { ...target, key: 'DE*CPO*S9', cpo: { countryCode: 'DE', partyId: 'CPO' }, sessionId: 'S9', role: 'EMSP' };
    const received = changed(learnProfile(undefined, emspTarget, profileJson(2000), after(1)));
    assert.deepEqual([received.record.role, received.record.setBy, received.push], ['EMSP', undefined, false]);
  });
});
