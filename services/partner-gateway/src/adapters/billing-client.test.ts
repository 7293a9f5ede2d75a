import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { AppError } from '@voltmesh/errors';
import { startGrpcServer, type RunningGrpcServer } from '@voltmesh/grpc';
import { cdrSchema } from '@voltmesh/ocpi';
import { billingService, cdrs } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { aCdr } from '@voltmesh/testing';
import { BillingClient } from './billing-client.js';

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

/** BillingService standing in for the billing service: holds CDRs by CPO party and id, as billing keys them. */
const held = new Map<string, cdrs.Cdr>();
const seen: { receive: billingService.ReceivePartnerCdrRequest[]; get: billingService.GetCdrRequest[]; list: billingService.ListCdrsRequest[] } = { receive: [], get: [], list: [] };
const keyOf = (party: { countryCode: string; partyId: string } | undefined, id: string) => `${party?.countryCode}*${party?.partyId}*${id}`;

const receivePartnerCdr: Unary<billingService.ReceivePartnerCdrRequest, billingService.ReceivePartnerCdrResponse> = (call, callback) => {
  seen.receive.push(call.request);
  const { id } = JSON.parse(call.request.ocpiJson) as { id: string };
  const key = keyOf(call.request.cpo, id);
  if (held.has(key)) return callback({ code: status.ALREADY_EXISTS, details: `CDR ${id} already received` });
  const cdr = cdrs.Cdr.fromPartial({ role: cdrs.CdrRole.CDR_ROLE_EMSP, id, cpo: call.request.cpo, ocpiJson: call.request.ocpiJson, connectionId: call.request.connectionId });
  held.set(key, cdr);
  callback(null, { cdr, dispute: undefined });
};
const getCdr: Unary<billingService.GetCdrRequest, billingService.GetCdrResponse> = (call, callback) => {
  seen.get.push(call.request);
  const cdr = held.get(keyOf(call.request.cpo, call.request.id));
  if (!cdr) return callback({ code: status.NOT_FOUND, details: `unknown CDR ${call.request.id}` });
  callback(null, { cdr });
};
const listCdrs: Unary<billingService.ListCdrsRequest, billingService.ListCdrsResponse> = (call, callback) => {
  seen.list.push(call.request);
  callback(null, { cdrs: [...held.values()], page: { total: 42, limit: 10 } });
};

let server: RunningGrpcServer;
let client: BillingClient;
before(async () => {
  server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [{ name: 'voltmesh.billing.v1.BillingService', definition: billingService.BillingServiceService, implementation: { receivePartnerCdr, getCdr, listCdrs } }],
    logger: createLogger('billing-stub', 'silent'),
  });
  client = new BillingClient(`127.0.0.1:${server.port}`, 2_000);
});
after(async () => {
  client.close();
  await server.stop(100);
});

describe('BillingClient (gRPC BillingService)', () => {
  const cdr = cdrSchema.parse(aCdr());

  test('ReceivePartnerCdr: the connection, CPO party, CDR JSON and time are sent; a used id is ALREADY_EXISTS', async () => {
    const request = { connectionId: 'cpo-conn', cpo: { countryCode: 'de', partyId: 'abc' }, cdr, receivedAt: '2026-01-02T08:00:00.000Z' };
    assert.equal(await client.receive(request), 'STORED');
    const sent = seen.receive.at(-1);
    assert.equal(sent?.connectionId, 'cpo-conn');
    assert.deepEqual(sent?.cpo, { countryCode: 'DE', partyId: 'ABC' });
    assert.equal(sent?.receivedAt, '2026-01-02T08:00:00.000Z');
    assert.deepEqual(JSON.parse(sent?.ocpiJson ?? ''), JSON.parse(JSON.stringify(cdr)));
    assert.equal(await client.receive(request), 'ALREADY_EXISTS');
    assert.equal(held.size, 1, 'one CDR held');
  });

  test('GetCdr: the stored CDR and its connection; NOT_FOUND is undefined; a stored CDR that is not valid is INTERNAL', async () => {
    assert.deepEqual(await client.get('EMSP', { countryCode: 'DE', partyId: 'ABC' }, 'cdr1'), { cdr, connectionId: 'cpo-conn' });
    assert.deepEqual(seen.get.at(-1), { role: cdrs.CdrRole.CDR_ROLE_EMSP, cpo: { countryCode: 'DE', partyId: 'ABC' }, id: 'CDR1' });
    assert.equal(await client.get('EMSP', { countryCode: 'DE', partyId: 'ABC' }, 'NOPE'), undefined);
    held.set('DE*ABC*BROKEN', cdrs.Cdr.fromPartial({ id: 'BROKEN', ocpiJson: JSON.stringify({ ...aCdr(), charging_periods: [] }) }));
    await assert.rejects(
      client.get('EMSP', { countryCode: 'DE', partyId: 'ABC' }, 'BROKEN'),
      (error: unknown) => error instanceof AppError && error.code === 'INTERNAL' && /billing service CDR BROKEN: charging_periods/.test(error.message),
    );
    held.delete('DE*ABC*BROKEN');
  });

  test('ListCdrs: role and filters as asked, the page and total back', async () => {
    const page = await client.list({ role: 'CPO', emsp: { countryCode: 'fr', partyId: 'emp' } }, { offset: 0, limit: 10, dateTo: '2026-02-01T00:00:00.000Z' });
    assert.equal(page.total, 42);
    assert.equal(page.items[0]?.id, 'CDR1');
    const request = seen.list.at(-1);
    assert.equal(request?.role, cdrs.CdrRole.CDR_ROLE_CPO);
    assert.deepEqual(request?.emsp, { countryCode: 'FR', partyId: 'EMP' });
    assert.equal(request?.cpo, undefined);
    assert.deepEqual(request?.page, { offset: 0, limit: 10, dateFrom: '', dateTo: '2026-02-01T00:00:00.000Z' });
  });
});
