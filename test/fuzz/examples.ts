/**
 * Fuzzing the Receiver endpoints with the official examples and their mutations (lengths n and
 * n+1, wrong enums, missing required fields, nulls, timestamps with offsets, bodies that are not
 * objects): every answer is an OCPI envelope, never a 500; a rejection is 2001 naming the field;
 * nothing from a rejected body is stored, and every accepted mutation is. Registered inside
 * openapi-fuzz.test.ts on its mesh (one mesh start less in `make test`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot, sleep, type SimPartner, type SimResult } from '@voltmesh/testing';
import { mutationsOf, type Mutation } from './mutations.js';
import { http } from '../e2e/mesh-fixture.js';

const examples = join(repoRoot(), '..', 'shared', 'ocpi', 'examples', '2.2.1');
const example = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(examples, file), 'utf8')) as Record<string, unknown>;
const OCPI_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

interface Envelope {
  status_code: number;
  status_message?: string;
  timestamp: string;
}

function assertEnvelope(result: SimResult, what: string): Envelope {
  assert.ok(result.httpStatus < 500, `${what}: HTTP ${result.httpStatus} ${JSON.stringify(result.body)}`);
  const body = result.body as Envelope;
  assert.equal(typeof body?.status_code, 'number', `${what}: not an OCPI envelope: ${JSON.stringify(result.body)}`);
  assert.match(body.timestamp, OCPI_TIMESTAMP, `${what}: envelope timestamp`);
  return body;
}

function assertOutcome(mutation: Mutation, result: SimResult): void {
  const body = assertEnvelope(result, mutation.name);
  if (mutation.expect === 'accept') {
    assert.equal(body.status_code, 1000, `${mutation.name} should be accepted: ${JSON.stringify(body)}`);
  } else {
    assert.equal(body.status_code, 2001, `${mutation.name} should be 2001: ${JSON.stringify(body)}`);
    if (mutation.field) assert.ok(body.status_message?.includes(mutation.field), `${mutation.name}: "${body.status_message}" should name ${mutation.field}`);
  }
}

/** Polls a read until it gives the wanted status code. */
async function settles(read: () => Promise<SimResult>, statusCode: number, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const body = (await read()).body as Envelope;
    if (body.status_code === statusCode) return;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(body)}`);
    await sleep(50);
  }
}

/** What the example mutations need of the running mesh: its base URL and a registered partner CPO BE*BEC. */
export interface ExamplesTarget {
  base: string;
  cpo: SimPartner;
}

/** Registers the example-mutation tests; `target()` is read when they run (after the mesh's `before`). */
export function describeExampleMutations(target: () => ExamplesTarget): void {
  describe('Receiver fuzzing with the official examples and their mutations', () => {
    let base = '';
    let cpo: SimPartner;
    const use = () => ({ base, cpo } = target());

    test('location PUTs: every mutation answered by the rules, rejected ones never stored, accepted ones stored', async () => {
      use();
      const valid: Record<string, unknown> = { ...example('location_example.json'), country_code: 'BE', party_id: 'BEC' };
      const evse = 'evses.0';
      const connector = `${evse}.connectors.0`;
      const mutations = mutationsOf(valid, {
        lengths: { id: 36, name: 255, address: 255, city: 45, postal_code: 10, time_zone: 255, [`${evse}.uid`]: 36, [`${evse}.evse_id`]: 48, [`${evse}.physical_reference`]: 16, [`${evse}.floor_level`]: 4, [`${connector}.id`]: 36 },
        enums: ['parking_type', `${evse}.status`, `${evse}.capabilities.0`, `${connector}.standard`, `${connector}.format`, `${connector}.power_type`],
        required: ['country_code', 'party_id', 'id', 'publish', 'address', 'city', 'country', 'coordinates', 'time_zone', 'last_updated', `${evse}.uid`, `${evse}.status`, `${evse}.connectors`, `${evse}.last_updated`, `${connector}.id`, `${connector}.standard`, `${connector}.format`, `${connector}.power_type`, `${connector}.max_voltage`, `${connector}.max_amperage`, `${connector}.last_updated`],
        optional: ['name', 'postal_code', 'parking_type', 'operator', `${evse}.evse_id`, `${evse}.physical_reference`, `${evse}.floor_level`, `${evse}.capabilities`, `${connector}.tariff_ids`],
        timestamps: ['last_updated', `${evse}.last_updated`, `${connector}.last_updated`],
      });
      assert.ok(mutations.length > 90, `${mutations.length} mutations`);
      const outcomes: { id: string; expect: Mutation['expect'] }[] = [];
      for (const [index, mutation] of mutations.entries()) {
        // Each mutation gets a location of its own, so storage can be checked per mutation.
        const body = mutation.body as Record<string, unknown>;
        const id = typeof body['id'] === 'string' && body['id'] !== valid['id'] ? body['id'] : `FUZZ${index}`;
        if ('id' in body && body['id'] === valid['id']) body['id'] = id;
        const result = await cpo.callPeer('PUT', `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/${encodeURIComponent(id)}`, body);
        assertOutcome(mutation, result);
        outcomes.push({ id, expect: mutation.expect });
      }
      for (const raw of ['[]', '"a string"', '42', 'null', '{"id": ', '']) {
        const result = await http('PUT', `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/RAW`, { authorization: `Token ${Buffer.from(cpo.state.peerToken ?? '').toString('base64')}`, rawBody: raw });
        const body = assertEnvelope({ httpStatus: result.status, body: result.body, headers: {} }, `raw body ${raw}`);
        assert.equal(body.status_code, 2001, `raw body ${JSON.stringify(raw)}: ${JSON.stringify(body)}`);
      }
      outcomes.push({ id: 'RAW', expect: 'reject' });

      for (const outcome of outcomes.filter((candidate) => candidate.expect === 'accept')) {
        await settles(() => cpo.callPeer('GET', `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/${encodeURIComponent(outcome.id)}`), 1000, `accepted ${outcome.id} stored`);
      }
      for (const outcome of outcomes.filter((candidate) => candidate.expect === 'reject')) {
        const read = assertEnvelope(await cpo.callPeer('GET', `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/${encodeURIComponent(outcome.id)}`), `read ${outcome.id}`);
        assert.equal(read.status_code, 2003, `rejected ${outcome.id} must not be stored`);
      }
    });

    test('EVSE status PATCHes: wrong enums, missing or offset last_updated are 2001 and change nothing', async () => {
      use();
      const url = `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/PATCHED`;
      assert.equal((await cpo.callPeer('PUT', url, { ...example('location_example.json'), country_code: 'BE', party_id: 'BEC', id: 'PATCHED' })).httpStatus, 200);
      await settles(() => cpo.callPeer('GET', url), 1000, 'the location to patch');
      const mutations = mutationsOf({ status: 'CHARGING', last_updated: '2030-01-01T00:00:00Z' }, { lengths: {}, enums: ['status'], required: ['last_updated'], optional: [], timestamps: ['last_updated'] }).filter(
        (mutation) => mutation.expect === 'reject',
      );
      for (const mutation of mutations) assertOutcome(mutation, await cpo.callPeer('PATCH', `${url}/3256`, mutation.body));
      await sleep(300);
      const evse = (await cpo.callPeer('GET', `${url}/3256`)).body as { data?: { status: string } };
      assert.equal(evse.data?.status, 'AVAILABLE', 'no rejected patch reached the store');
    });

    test('tariff PUTs: the same rules, and rejected tariffs are never stored', async () => {
      use();
      const valid: Record<string, unknown> = { ...example('tariff_4_complex.json'), country_code: 'BE', party_id: 'BEC', last_updated: '2026-01-01T00:00:00Z' };
      const component = 'elements.0.price_components.0';
      const mutations = mutationsOf(valid, {
        lengths: { id: 36 },
        enums: ['type', `${component}.type`],
        required: ['country_code', 'party_id', 'id', 'currency', 'elements', `${component}.price`, `${component}.step_size`, 'last_updated'],
        optional: ['type', 'tariff_alt_url', `${component}.vat`],
        timestamps: ['last_updated'],
      });
      const outcomes: { id: string; expect: Mutation['expect'] }[] = [];
      for (const [index, mutation] of mutations.entries()) {
        const body = mutation.body as Record<string, unknown>;
        const id = typeof body['id'] === 'string' && body['id'] !== valid['id'] ? body['id'] : `TFUZZ${index}`;
        if ('id' in body && body['id'] === valid['id']) body['id'] = id;
        assertOutcome(mutation, await cpo.callPeer('PUT', `${base}/ocpi/2.2.1/emsp/tariffs/BE/BEC/${encodeURIComponent(id)}`, body));
        outcomes.push({ id, expect: mutation.expect });
      }
      for (const outcome of outcomes.filter((candidate) => candidate.expect === 'accept')) {
        await settles(() => cpo.callPeer('GET', `${base}/ocpi/2.2.1/emsp/tariffs/BE/BEC/${encodeURIComponent(outcome.id)}`), 1000, `accepted tariff ${outcome.id} stored`);
      }
      for (const outcome of outcomes.filter((candidate) => candidate.expect === 'reject')) {
        const read = assertEnvelope(await cpo.callPeer('GET', `${base}/ocpi/2.2.1/emsp/tariffs/BE/BEC/${encodeURIComponent(outcome.id)}`), `read tariff ${outcome.id}`);
        assert.notEqual(read.status_code, 1000, `rejected tariff ${outcome.id} must not be stored`);
      }
    });
  });
}
