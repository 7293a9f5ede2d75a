import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { AppError } from '@voltmesh/errors';
import { startGrpcServer, type RunningGrpcServer } from '@voltmesh/grpc';
import type { EventToPublish } from '@voltmesh/kafka';
import { sessionSchema } from '@voltmesh/ocpi';
import { objects, sessions, sessionService } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { aSession } from '@voltmesh/testing';
import { IngressPublisher } from './ingress-publisher.js';
import { SessionsClient } from './sessions-client.js';

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

/** SessionService standing in for the sessions service: records requests, answers what the test sets. */
const seen: { get: sessionService.GetSessionRequest[]; list: sessionService.ListSessionsRequest[]; preferences: sessionService.SetChargingPreferencesRequest[] } = { get: [], list: [], preferences: [] };
const answers = { ocpiJson: JSON.stringify(aSession()), result: 'ACCEPTED', preferencesFailure: undefined as { code: status; details: string } | undefined };
const sessionProto = (ocpiJson: string) => sessions.Session.fromPartial({ role: sessions.SessionRole.SESSION_ROLE_EMSP, id: 'SESSION1', connectionId: 'cpo-conn', ocpiJson });

const getSession: Unary<sessionService.GetSessionRequest, sessionService.GetSessionResponse> = (call, callback) => {
  seen.get.push(call.request);
  if (call.request.sessionId === 'NOPE') return callback({ code: status.NOT_FOUND, details: 'unknown session NOPE' });
  callback(null, { session: sessionProto(answers.ocpiJson) });
};
const listSessions: Unary<sessionService.ListSessionsRequest, sessionService.ListSessionsResponse> = (call, callback) => {
  seen.list.push(call.request);
  callback(null, { sessions: [sessionProto(answers.ocpiJson)], page: { total: 7, limit: 1 } });
};
const setChargingPreferences: Unary<sessionService.SetChargingPreferencesRequest, sessionService.SetChargingPreferencesResponse> = (call, callback) => {
  seen.preferences.push(call.request);
  if (answers.preferencesFailure) return callback(answers.preferencesFailure);
  callback(null, { result: answers.result });
};

let server: RunningGrpcServer;
let client: SessionsClient;
before(async () => {
  server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [{ name: 'voltmesh.sessions.v1.SessionService', definition: sessionService.SessionServiceService, implementation: { getSession, listSessions, setChargingPreferences } }],
    logger: createLogger('sessions-stub', 'silent'),
  });
  client = new SessionsClient(`127.0.0.1:${server.port}`, 2_000);
});
after(async () => {
  client.close();
  await server.stop(100);
});

const isCode = (code: string, pattern: RegExp) => (error: unknown) => error instanceof AppError && error.code === code && pattern.test(error.message);

describe('SessionsClient (gRPC SessionService)', () => {
  test('GetSession: role, upper-cased party and id asked; the validated session and its connection returned; NOT_FOUND is undefined', async () => {
    const stored = await client.get('EMSP', { countryCode: 'de', partyId: 'abc' }, 'session1');
    assert.deepEqual(stored, { session: sessionSchema.parse(aSession()), connectionId: 'cpo-conn' });
    assert.deepEqual(seen.get.at(-1), { role: sessions.SessionRole.SESSION_ROLE_EMSP, cpo: { countryCode: 'DE', partyId: 'ABC' }, sessionId: 'SESSION1' });
    assert.equal(await client.get('CPO', { countryCode: 'NL', partyId: 'VLT' }, 'NOPE'), undefined);
    assert.equal(seen.get.at(-1)?.role, sessions.SessionRole.SESSION_ROLE_CPO);
  });

  test('a stored session that is not a valid OCPI Session, or not JSON, is INTERNAL naming it', async () => {
    answers.ocpiJson = '{"id":';
    await assert.rejects(client.get('EMSP', { countryCode: 'DE', partyId: 'ABC' }, 'SESSION1'), isCode('INTERNAL', /sessions service session SESSION1: not JSON/));
    answers.ocpiJson = JSON.stringify({ ...aSession(), kwh: -1 });
    await assert.rejects(client.list({ role: 'CPO' }, { offset: 0, limit: 10 }), isCode('INTERNAL', /sessions service session SESSION1: kwh/));
    answers.ocpiJson = JSON.stringify(aSession());
  });

  test('ListSessions: role and filters as asked, the page and total back', async () => {
    const page = await client.list({ role: 'CPO', emsp: { countryCode: 'fr', partyId: 'emp' }, cpo: { countryCode: 'NL', partyId: 'VLT' } }, { offset: 5, limit: 1, dateFrom: '2026-01-01T00:00:00.000Z' });
    assert.equal(page.total, 7);
    assert.equal(page.items[0]?.id, 'SESSION1');
    const request = seen.list.at(-1);
    assert.equal(request?.role, sessions.SessionRole.SESSION_ROLE_CPO);
    assert.deepEqual(request?.emsp, { countryCode: 'FR', partyId: 'EMP' });
    assert.deepEqual(request?.cpo, { countryCode: 'NL', partyId: 'VLT' });
    assert.deepEqual(request?.page, { offset: 5, limit: 1, dateFrom: '2026-01-01T00:00:00.000Z', dateTo: '' });
  });

  test('SetChargingPreferences: the request carries the preferences JSON; the answer must be a ChargingPreferencesResponse', async () => {
    const request = { cpo: { countryCode: 'NL', partyId: 'VLT' }, sessionId: 's1', connectionId: 'emsp-conn', emsp: { countryCode: 'FR', partyId: 'EMP' }, preferences: { profile_type: 'GREEN' as const } };
    assert.equal(await client.setChargingPreferences(request), 'ACCEPTED');
    const sent = seen.preferences.at(-1);
    assert.deepEqual({ ...sent, preferencesJson: JSON.parse(sent?.preferencesJson ?? '') as unknown }, {
      cpo: { countryCode: 'NL', partyId: 'VLT' },
      sessionId: 'S1',
      connectionId: 'emsp-conn',
      emsp: { countryCode: 'FR', partyId: 'EMP' },
      preferencesJson: { profile_type: 'GREEN' },
    });
    answers.result = 'MAYBE';
    await assert.rejects(client.setChargingPreferences(request), isCode('INTERNAL', /ChargingPreferencesResponse: "MAYBE" is not one/));
    answers.result = 'ACCEPTED';
    answers.preferencesFailure = { code: status.FAILED_PRECONDITION, details: 'EVSE EVSE-1 is not CHARGING_PREFERENCES_CAPABLE' };
    await assert.rejects(client.setChargingPreferences(request), isCode('FAILED_PRECONDITION', /^EVSE EVSE-1 is not CHARGING_PREFERENCES_CAPABLE$/));
    answers.preferencesFailure = undefined;
  });

  test('a service that does not answer is UNAVAILABLE (retryable), within the deadline', async () => {
    const nowhere = new SessionsClient('127.0.0.1:1', 500);
    try {
      await assert.rejects(nowhere.get('EMSP', { countryCode: 'DE', partyId: 'ABC' }, 'S1'), (error: unknown) => error instanceof AppError && error.retryable);
    } finally {
      nowhere.close();
    }
  });
});

describe('IngressPublisher.sessionWrite (gateway.partner-session.v1)', () => {
  test('a PATCH is one PartnerSessionWrite keyed CC*PID*ID, carrying only the patch', async () => {
    const events: EventToPublish[] = [];
    const publisher = new IngressPublisher({ publish: async (event) => (events.push(event), { id: 'e1' }) });
    await publisher.sessionWrite('cpo-conn', { method: 'PATCH', address: { countryCode: 'de', partyId: 'abc', sessionId: 's-1' }, patch: { kwh: 3, last_updated: '2026-01-01T10:00:00.000Z' } });
    assert.equal(events.length, 1, 'one event');
    assert.equal(events[0]?.key, 'DE*ABC*S-1');
    assert.equal(events[0]?.partner, 'cpo-conn');
    assert.equal(events[0]?.correlationId, undefined);
    const write = sessions.PartnerSessionWrite.decode(events[0]!.value);
    assert.equal(write.method, objects.WriteMethod.WRITE_METHOD_PATCH);
    assert.deepEqual(write.party, { countryCode: 'DE', partyId: 'ABC' });
    assert.equal(write.sessionId, 'S-1');
    assert.deepEqual(JSON.parse(write.ocpiJson), { kwh: 3, last_updated: '2026-01-01T10:00:00.000Z' });
  });
});
