import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aLocation, aTariff, aToken, anEvse } from '@voltmesh/testing';
import { createLogger } from '@voltmesh/telemetry';
import { locationTo211 } from '../../edge/v2_1_1/locations.js';
import { tariffTo211 } from '../../edge/v2_1_1/tariffs.js';
import { tokenTo211 } from '../../edge/v2_1_1/tokens.js';
import type { PushJob } from '../push/index.js';
import { locationPush } from './location-pushes.js';
import { pushForVersion, sameBody } from './push-211.js';
import type { PushTarget } from './push-targets.js';
import { tariffPush } from './tariff-pushes.js';
import { tokenPush } from './token-pushes.js';

const logger = createLogger('push-211-test', 'silent');
const target = (version: string, endpoint = 'https://partner.example/ocpi/x/locations/'): PushTarget => ({ partnerId: 'p1', endpointUrl: endpoint, to: { countryCode: 'DE', partyId: 'EMS' }, version });
const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'LOC1', evses: [anEvse({ uid: 'E1' })], last_updated: '2026-02-01T10:00:00.000Z' });
const change = { location, statusChanges: [], sequence: '7', correlationId: 'c' };

describe('pushes in the target partner’s OCPI version', () => {
  test('a 2.2.1 target gets the job as built, routing headers and all', () => {
    const job = locationPush(change, target('2.2.1'), false);
    assert.equal(pushForVersion(job, target('2.2.1'), () => assert.fail('no 2.1.1 mapping for 2.2.1'), logger), job);
  });

  test('a 2.1.1 target gets the 2.1.1 body, no routing headers, no append list', () => {
    const job: PushJob = { ...locationPush(change, target('2.1.1'), false), appendList: 'charging_periods' };
    const pushed = pushForVersion(job, target('2.1.1'), () => locationTo211(location), logger);
    assert.ok(pushed, 'a job');
    assert.deepEqual(pushed.body, locationTo211(location).value);
    assert.ok(!('country_code' in (pushed.body as object)), 'a 2.1.1 Location names no owner');
    assert.equal(pushed.routing, undefined, 'no routing headers in 2.1.1');
    assert.equal(pushed.appendList, undefined, 'a 2.1.1 PATCH replaces lists: whole objects only');
    assert.deepEqual([pushed.method, pushed.url, pushed.objectKey, pushed.version], [job.method, job.url, job.objectKey, job.version]);
  });

  test('an EVSE status PATCH keeps its body, which both versions share', () => {
    const statusChange = { ...change, statusChanges: [{ evse_uid: 'E1', status: 'CHARGING', last_updated: '2026-02-01T10:00:01.000Z' }] };
    const job = locationPush(statusChange, target('2.1.1'), false);
    assert.equal(job.method, 'PATCH');
    assert.deepEqual(pushForVersion(job, target('2.1.1'), sameBody(job), logger)?.body, { status: 'CHARGING', last_updated: '2026-02-01T10:00:01.000Z' });
  });

  test('an object 2.1.1 cannot express is not sent, or sent as the given replacement', () => {
    const hidden = { ...location, publish: false };
    const job = locationPush({ ...change, location: hidden }, target('2.1.1'), false);
    assert.equal(pushForVersion(job, target('2.1.1'), () => locationTo211(hidden), logger), undefined, 'an unpublished location does not go');
    const tariff = aTariff({ country_code: 'NL', party_id: 'VLT', id: 'T1', min_price: { excl_vat: 1 } });
    const tariffJob = tariffPush({ tariff, deleted: false, sequence: '3', correlationId: 'c' }, target('2.1.1', 'https://partner.example/tariffs/'));
    const replaced = pushForVersion(tariffJob, target('2.1.1'), () => tariffTo211(tariff), logger, (refused) => ({ ...refused, method: 'DELETE', body: undefined }));
    assert.deepEqual([replaced?.method, replaced?.body, replaced?.url], ['DELETE', undefined, 'https://partner.example/tariffs/NL/VLT/T1'], 'a tariff 2.1.1 would price otherwise is deleted there');
  });

  test('a 2.1.1 token URL has no type; a 2.2.1 one has', () => {
    const token = aToken({ country_code: 'NL', party_id: 'VLM', uid: 'U1', type: 'RFID' });
    const tokenChange = { token, sequence: '1', correlationId: 'c' };
    assert.equal(tokenPush(tokenChange, target('2.2.1', 'https://cpo.example/tokens/')).url, 'https://cpo.example/tokens/NL/VLM/U1?type=RFID');
    const job = tokenPush(tokenChange, target('2.1.1', 'https://cpo.example/tokens/'));
    assert.equal(job.url, 'https://cpo.example/tokens/NL/VLM/U1');
    assert.deepEqual(pushForVersion(job, target('2.1.1'), () => tokenTo211(token), logger)?.body, tokenTo211(token).value);
  });
});
