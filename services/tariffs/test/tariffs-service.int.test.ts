import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials, status } from '@grpc/grpc-js';
import { Decimal } from 'decimal.js';
import type { Db } from 'mongodb';
import { ConsumerGroups, dlqTopicName, EventPublisher, Topics } from '@voltmesh/kafka';
import type { Tariff } from '@voltmesh/ocpi';
import { objects, tariffs, tariffService } from '@voltmesh/proto';
import { aPriceComponent, aTariff, aTariffElement, collectEvents, startServiceInProcess, testInfra, waitFor, type EventCollector, type InProcessService, grpcCall, grpcError } from '@voltmesh/testing';
import { buildTariffs } from '../src/app.js';
import { loadTariffsConfig } from '../src/config.js';

const infra = testInfra();
const CASES_DIR = resolve(import.meta.dirname, '../../../../shared/ocpi/tariff-cases');

const call = grpcCall;

describe('tariffs service on real Kafka and FerretDB', () => {
  let service: InProcessService;
  let db: Db;
  let publisher: EventPublisher;
  let client: tariffService.TariffServiceClient;
  let changes: EventCollector;
  let rejected: EventCollector;
  const rpc = {
    upsert: (tariff: unknown) => call<tariffService.UpsertTariffRequest, tariffService.UpsertTariffResponse>(client.upsertTariff.bind(client), { ocpiJson: JSON.stringify(tariff) }),
    delete: (countryCode: string, partyId: string, id: string) => call<tariffService.DeleteTariffRequest, tariffService.DeleteTariffResponse>(client.deleteTariff.bind(client), { party: { countryCode, partyId }, id }),
    get: (countryCode: string, partyId: string, id: string) => call<tariffService.GetTariffRequest, tariffService.GetTariffResponse>(client.getTariff.bind(client), { party: { countryCode, partyId }, id }),
    list: (request: Partial<tariffService.ListTariffsRequest>) => call<tariffService.ListTariffsRequest, tariffService.ListTariffsResponse>(client.listTariffs.bind(client), tariffService.ListTariffsRequest.fromPartial(request)),
    priceSession: (request: Partial<tariffService.PriceSessionRequest>) => call<tariffService.PriceSessionRequest, tariffService.PriceSessionResponse>(client.priceSession.bind(client), tariffService.PriceSessionRequest.fromPartial(request)),
    priceCdr: (request: Partial<tariffService.PriceCdrRequest>) => call<tariffService.PriceCdrRequest, tariffService.PriceCdrResponse>(client.priceCdr.bind(client), tariffService.PriceCdrRequest.fromPartial(request)),
    preview: (request: Partial<tariffService.PreviewPriceRequest>) => call<tariffService.PreviewPriceRequest, tariffService.PreviewPriceResponse>(client.previewPrice.bind(client), tariffService.PreviewPriceRequest.fromPartial(request)),
  };
  const changed = (event: { value: Buffer }) => tariffs.TariffChanged.decode(event.value);
  const readTariff = (response: { tariff?: tariffs.Tariff | undefined }) => JSON.parse(response.tariff?.ocpiJson ?? '{}') as Tariff;
  // Unique party per run: the topics are shared with other tests of this run.
  const own = { country_code: 'NL', party_id: infra.unique('V').slice(-3).toUpperCase() };
  const partner = { country_code: 'DE', party_id: infra.unique('P').slice(-3).toUpperCase() };
  const ownParty = { countryCode: own.country_code, partyId: own.party_id };
  const ownTariff = (overrides: Partial<Tariff> = {}) => aTariff({ ...own, id: 'OWN1', ...overrides });
  /** Events on tariffs.tariff.v1 for one key, in the order they arrived. */
  const eventsOf = (key: string) => changes.events.filter((event) => event.key === key).map(changed);

  before(async () => {
    const config = loadTariffsConfig({ MONGO_URL: infra.mongoUrl, MONGO_DB: infra.unique('tariffs'), KAFKA_BROKERS: infra.kafkaBrokers.join(','), REPUBLISH_INTERVAL_MS: '500' });
    changes = await collectEvents(infra.kafkaBrokers, Topics.tariff, infra.unique('collector'));
    const dlq = { name: dlqTopicName(ConsumerGroups.tariffsPartnerWrites), partitions: 1, description: 'partner writes the service refused' };
    rejected = await collectEvents(infra.kafkaBrokers, dlq, infra.unique('dlq-collector'));
    service = await startServiceInProcess('tariffs-test', (deps) => buildTariffs(config, deps), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS });
    ({ db, publisher } = service);
    client = new tariffService.TariffServiceClient(service.address, credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await changes.stop();
    await rejected.stop();
    await service.stop();
  });

  test('our own tariff is upserted, readable, announced once; an invalid one is refused with the field named', async () => {
    const key = `${own.country_code}*${own.party_id}*OWN1`;
    const first = await rpc.upsert(ownTariff());
    assert.equal(first.changed, true);
    assert.equal(first.tariff?.owner, objects.Owner.OWNER_OWN);
    const event = changed(await changes.next((candidate) => candidate.key === key));
    assert.equal(event.deleted, false);
    assert.equal(event.tariff?.id, 'OWN1');
    assert.equal(event.connectionId, '');

    assert.equal((await rpc.upsert(ownTariff())).changed, false, 'the same tariff twice changes nothing');
    assert.equal((await rpc.upsert(ownTariff({ currency: 'CHF', last_updated: '2025-01-01T00:00:00Z' }))).changed, false, 'an older one changes nothing');
    const read = readTariff(await rpc.get(own.country_code, own.party_id, 'own1'));
    assert.equal(read.currency, 'EUR');
    assert.equal(eventsOf(key).length, 1);

    await assert.rejects(rpc.upsert({ ...ownTariff(), currency: 'euro' }), grpcError(status.INVALID_ARGUMENT, /ocpi_json: currency/));
    await assert.rejects(rpc.upsert({ ...ownTariff(), elements: [] }), grpcError(status.INVALID_ARGUMENT, /elements/));
  });

  test('deleting our tariff announces the deletion and hides it; only a newer upsert brings it back', async () => {
    const key = `${own.country_code}*${own.party_id}*GONE`;
    await rpc.upsert(ownTariff({ id: 'GONE' }));
    assert.equal((await rpc.delete(own.country_code, own.party_id, 'gone')).deleted, true);
    const deletion = changed(await changes.next((candidate) => candidate.key === key && changed(candidate).deleted));
    assert.equal(deletion.tariff?.id, 'GONE', 'the deletion carries the last state');
    await assert.rejects(rpc.get(own.country_code, own.party_id, 'GONE'), grpcError(status.NOT_FOUND, /GONE/));
    const listed = await rpc.list({ owner: objects.Owner.OWNER_OWN, party: ownParty });
    assert.ok(!listed.tariffs.some((tariff) => tariff.id === 'GONE'), 'lists hide deleted tariffs');
    assert.equal((await rpc.delete(own.country_code, own.party_id, 'GONE')).deleted, false, 'deleting twice changes nothing');
    assert.equal((await rpc.delete(own.country_code, own.party_id, 'NEVER')).deleted, false);

    await assert.rejects(rpc.upsert(ownTariff({ id: 'GONE' })), grpcError(status.FAILED_PRECONDITION, /deleted at/));
    const later = new Date(Date.now() + 60_000).toISOString();
    const back = await rpc.upsert(ownTariff({ id: 'GONE', last_updated: later }));
    assert.equal(back.changed, true);
    assert.equal(readTariff(await rpc.get(own.country_code, own.party_id, 'GONE')).last_updated, later);
    await changes.next((candidate) => candidate.key === key && changed(candidate).tariff?.lastUpdated === later);
    assert.deepEqual(eventsOf(key).map((event) => event.deleted), [false, true, false]);
  });

  test('partner PUT and DELETE from the ingress topic: a stale PUT after the DELETE is ignored, our own tariffs are never touched', async () => {
    const key = `${partner.country_code}*${partner.party_id}*P1`;
    const write = (fields: Partial<tariffs.PartnerTariffWrite>, writeKey = key) =>
      publisher.publish({
        topic: Topics.partnerTariff,
        key: writeKey,
        type: 'voltmesh.tariffs.v1.PartnerTariffWrite',
        value: tariffs.PartnerTariffWrite.encode(
          tariffs.PartnerTariffWrite.fromPartial({ connectionId: 'conn-1', party: { countryCode: partner.country_code, partyId: partner.party_id }, tariffId: 'P1', ...fields }),
        ).finish(),
      });
    const partnerTariff = (lastUpdated: string, price: number) =>
      JSON.stringify(aTariff({ ...partner, id: 'P1', last_updated: lastUpdated, elements: [aTariffElement({ price_components: [aPriceComponent({ price })] })] }));
    await write({ method: objects.WriteMethod.WRITE_METHOD_PUT, ocpiJson: partnerTariff('2026-03-01T10:00:00Z', 0.3) });
    await write({ method: objects.WriteMethod.WRITE_METHOD_DELETE, receivedAt: '2026-03-02T10:00:00Z' });
    await write({ method: objects.WriteMethod.WRITE_METHOD_PUT, ocpiJson: partnerTariff('2026-03-01T12:00:00Z', 0.4) }); // sent before the DELETE, arrived after
    await write({ method: objects.WriteMethod.WRITE_METHOD_DELETE, receivedAt: '2026-03-02T11:00:00Z' }); // a replay
    await write({ method: objects.WriteMethod.WRITE_METHOD_PUT, ocpiJson: partnerTariff('2026-03-03T10:00:00Z', 0.5) }); // the partner creates it again

    await changes.next((candidate) => candidate.key === key && changed(candidate).tariff?.lastUpdated === '2026-03-03T10:00:00.000Z');
    const events = eventsOf(key);
    assert.deepEqual(
      events.map((event) => [event.deleted, event.tariff?.lastUpdated, event.connectionId]),
      [
        [false, '2026-03-01T10:00:00.000Z', 'conn-1'],
        [true, '2026-03-01T10:00:00.000Z', 'conn-1'],
        [false, '2026-03-03T10:00:00.000Z', 'conn-1'],
      ],
      'no event for the stale PUT nor the replayed DELETE',
    );
    const stored = await rpc.get(partner.country_code, partner.party_id, 'P1');
    assert.equal(stored.tariff?.owner, objects.Owner.OWNER_PARTNER);
    assert.equal(readTariff(stored).elements[0]?.price_components[0]?.price, 0.5);

    // A partner claiming one of our own tariffs: refused (to the DLQ), ours unchanged.
    const ownKey = `${own.country_code}*${own.party_id}*OWN1`;
    await write(
      { party: { countryCode: own.country_code, partyId: own.party_id }, tariffId: 'OWN1', method: objects.WriteMethod.WRITE_METHOD_PUT, ocpiJson: JSON.stringify(ownTariff({ currency: 'USD', last_updated: '2027-01-01T00:00:00Z' })) },
      ownKey,
    );
    const refusal = await rejected.next((candidate) => candidate.key === ownKey);
    assert.match(refusal.headers['dlq-error'] ?? '', /belongs to one of our own parties/);
    assert.equal(refusal.headers['dlq-error-code'], 'FAILED_PRECONDITION');
    assert.equal(readTariff(await rpc.get(own.country_code, own.party_id, 'OWN1')).currency, 'EUR');
    // And our own API never writes a partner's tariff.
    await assert.rejects(rpc.delete(partner.country_code, partner.party_id, 'P1'), grpcError(status.FAILED_PRECONDITION, /belongs to a partner/));
  });

  test('a deletion whose event never reached Kafka is republished', async () => {
    const key = `${partner.country_code}*${partner.party_id}*P1`;
    // As if the process died between saving a deletion and publishing it.
    await db.collection('tariffs').updateOne({ _id: key as never }, { $set: { deleted: true, deleted_at: '2026-03-04T00:00:00.000Z', unpublished: true, saved_at: new Date(Date.now() - 60_000) } });
    const before = changes.events.length;
    const event = await changes.next((candidate) => changes.events.indexOf(candidate) >= before && candidate.key === key, 5_000);
    assert.equal(changed(event).deleted, true);
    // The marker is cleared right after the publish, so it may trail the event by a moment.
    await waitFor('the publish marker to clear', async () => (await db.collection('tariffs').findOne({ _id: key as never }))?.['unpublished'] === false, 5_000);
  });

  test('lists page by last_updated with owner, party and date filters', async () => {
    for (const [index, day] of ['10', '11', '12'].entries()) {
      await rpc.upsert(ownTariff({ id: `L${index}`, last_updated: `2026-04-${day}T00:00:00Z` }));
    }
    const all = await rpc.list({ owner: objects.Owner.OWNER_OWN, party: ownParty });
    assert.deepEqual(all.tariffs.map((tariff) => tariff.id), ['OWN1', 'L0', 'L1', 'L2', 'GONE']);
    const page = await rpc.list({ owner: objects.Owner.OWNER_OWN, party: ownParty, page: { offset: 1, limit: 2, dateFrom: '', dateTo: '' } });
    assert.deepEqual(page.tariffs.map((tariff) => tariff.id), ['L0', 'L1']);
    assert.deepEqual(page.page, { total: 5, limit: 2 });
    const window = await rpc.list({ owner: objects.Owner.OWNER_OWN, party: ownParty, page: { offset: 0, limit: 0, dateFrom: '2026-04-11T00:00:00Z', dateTo: '2026-04-12T00:00:00Z' } });
    assert.deepEqual(window.tariffs.map((tariff) => tariff.id), ['L1'], 'date_from inclusive, date_to exclusive');
    assert.equal((await rpc.list({ owner: objects.Owner.OWNER_PARTNER, party: ownParty })).tariffs.length, 0);
  });

  test('PriceCdr with a stored tariff reproduces a golden case', async () => {
    const dir = join(CASES_DIR, 'simple_3hour_5parking');
    const golden = JSON.parse(readFileSync(join(dir, 'tariff.json'), 'utf8')) as Tariff;
    const cdrText = readFileSync(join(dir, 'cdr1.json'), 'utf8');
    const cdr = JSON.parse(cdrText) as Record<string, unknown>;
    await rpc.upsert({ ...golden, ...own });

    const { price } = await rpc.priceCdr({ tariff: { stored: { party: ownParty, id: golden.id } }, cdrJson: cdrText });
    assert.ok(price, 'price');
    const same = (ours: string | undefined, stated: unknown, field: string) => assert.ok(new Decimal(ours ?? 'NaN').equals(String(stated)), `${field}: ours ${ours}, CDR states ${String(stated)}`);
    const sameMoney = (ours: tariffService.Money | undefined, field: string) => {
      const stated = cdr[field] as { excl_vat: number; incl_vat?: number } | undefined;
      if (!stated) return;
      same(ours?.exclVat, stated.excl_vat, `${field}.excl_vat`);
      if (stated.incl_vat !== undefined) same(ours?.inclVat, stated.incl_vat, `${field}.incl_vat`);
    };
    assert.equal(price.currency, cdr['currency']);
    sameMoney(price.totalCost, 'total_cost');
    sameMoney(price.totalEnergyCost, 'total_energy_cost');
    sameMoney(price.totalTimeCost, 'total_time_cost');
    sameMoney(price.totalParkingCost, 'total_parking_cost');
    sameMoney(price.totalFixedCost, 'total_fixed_cost');
    same(price.totalEnergy, cdr['total_energy'], 'total_energy');
    same(price.totalTime, cdr['total_time'], 'total_time');
    same(price.totalParkingTime, cdr['total_parking_time'], 'total_parking_time');
    const breakdown = JSON.parse(price.breakdownJson) as { start_date_time: string; lines: unknown[] }[];
    assert.equal(breakdown.length, (cdr['charging_periods'] as unknown[]).length, 'one breakdown entry per charging period');

    await assert.rejects(rpc.priceCdr({ tariff: { stored: { party: ownParty, id: 'NOPE' } }, cdrJson: cdrText }), grpcError(status.NOT_FOUND, /NOPE/));
  });

  test('PreviewPrice and PriceSession price an inline tariff', async () => {
    const inline = JSON.stringify(aTariff()); // €0.25/kWh, 21% VAT
    const preview = await rpc.preview({ tariff: { ocpiJson: inline }, startDateTime: '2026-06-01T10:00:00Z', timeZone: 'Europe/Amsterdam', energyKwh: '10', durationMinutes: 90, maxPowerKw: '11' });
    assert.deepEqual([preview.price?.totalEnergy, preview.price?.totalCost], ['10.0000', { exclVat: '2.5000', inclVat: '3.0250' }]);
    assert.equal(preview.price?.totalTime, '1.5000');

    const session = await rpc.priceSession({
      tariff: { ocpiJson: inline },
      chargingPeriodsJson: JSON.stringify([{ start_date_time: '2026-06-01T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: 4 }] }, { start_date_time: '2026-06-01T10:30:00Z', dimensions: [{ type: 'ENERGY', volume: '2.5' }] }]),
      startDateTime: '2026-06-01T10:00:00Z',
      endDateTime: '2026-06-01T13:00:00+02:00',
    });
    assert.deepEqual(session.price?.totalCost, { exclVat: '1.6250', inclVat: '1.9663' });
    assert.equal(session.price?.totalTime, '1.0000', 'the offset end is 11:00Z: one hour');
    assert.equal((JSON.parse(session.price?.breakdownJson ?? '[]') as unknown[]).length, 2);
  });

  test('bad pricing input is INVALID_ARGUMENT naming the field', async () => {
    const inline = { ocpiJson: JSON.stringify(aTariff()) };
    const periods = JSON.stringify([{ start_date_time: '2026-06-01T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: 1 }] }]);
    const session = { startDateTime: '2026-06-01T10:00:00Z', endDateTime: '2026-06-01T11:00:00Z' };
    await assert.rejects(rpc.priceSession({ tariff: { ocpiJson: '{nope' }, chargingPeriodsJson: periods, ...session }), grpcError(status.INVALID_ARGUMENT, /tariff\.ocpi_json: not JSON/));
    await assert.rejects(rpc.priceSession({ tariff: { ocpiJson: JSON.stringify({ ...aTariff(), currency: 'eur' }) }, chargingPeriodsJson: periods, ...session }), grpcError(status.INVALID_ARGUMENT, /tariff\.ocpi_json: currency/));
    await assert.rejects(rpc.priceSession({ chargingPeriodsJson: periods, ...session }), grpcError(status.INVALID_ARGUMENT, /^tariff:/));
    await assert.rejects(rpc.priceSession({ tariff: inline, chargingPeriodsJson: '[{"dimensions": []}]', ...session }), grpcError(status.INVALID_ARGUMENT, /charging_periods_json: \[0\]\.start_date_time/));
    await assert.rejects(rpc.priceSession({ tariff: inline, chargingPeriodsJson: 'periods', ...session }), grpcError(status.INVALID_ARGUMENT, /charging_periods_json: not JSON/));
    await assert.rejects(rpc.priceSession({ tariff: inline, chargingPeriodsJson: periods, ...session, timeZone: 'Mars/Olympus' }), grpcError(status.INVALID_ARGUMENT, /time_zone: unknown IANA time zone Mars\/Olympus/));
    await assert.rejects(rpc.priceSession({ tariff: inline, chargingPeriodsJson: periods, ...session, endDateTime: 'tomorrow' }), grpcError(status.INVALID_ARGUMENT, /end_date_time/));
    await assert.rejects(rpc.priceCdr({ tariff: inline, cdrJson: JSON.stringify({ start_date_time: '2026-06-01T10:00:00Z', end_date_time: '2026-06-01T11:00:00Z', currency: 'EUR' }) }), grpcError(status.INVALID_ARGUMENT, /cdr_json: charging_periods/));
    await assert.rejects(rpc.preview({ tariff: inline, startDateTime: '2026-06-01T10:00:00Z', energyKwh: 'ten', durationMinutes: 60 }), grpcError(status.INVALID_ARGUMENT, /energy_kwh/));
    await assert.rejects(rpc.preview({ tariff: inline, startDateTime: '2026-06-01T10:00:00Z', energyKwh: '10', durationMinutes: 0 }), grpcError(status.INVALID_ARGUMENT, /duration_minutes/));
  });
  test('PriceSession live: each update resumes from the previous state and prices like the whole session', async () => {
    // Our stored tariff: €0.30/kWh with 500 Wh steps before 18:00 local, €0.25 after; €2/h parking in 5-minute steps.
    const liveTariff = ownTariff({
      id: 'LIVE1',
      elements: [
        aTariffElement({ price_components: [aPriceComponent({ type: 'ENERGY', price: 0.3, vat: 21, step_size: 500 })], restrictions: { start_time: '00:00', end_time: '18:00', day_of_week: [] } }),
        aTariffElement({ price_components: [aPriceComponent({ type: 'ENERGY', price: 0.25, vat: 21, step_size: 500 }), aPriceComponent({ type: 'PARKING_TIME', price: 2, vat: 21, step_size: 300 })] }),
      ],
    });
    await rpc.upsert(liveTariff);
    const tariff = { stored: { party: ownParty, id: 'LIVE1' } };
    const startMs = Date.parse('2026-06-01T15:30:00Z'); // 17:30 in Amsterdam: the restriction switches at period 2
    const at = (minutes: number) => new Date(startMs + minutes * 60_000).toISOString();
    const periods = [0, 15, 30, 45, 60, 75].map((minute, i) => ({
      start_date_time: at(minute),
      dimensions: i < 4 ? [{ type: 'ENERGY', volume: 2.7 }, { type: 'TIME', volume: 0.25 }] : [{ type: 'PARKING_TIME', volume: 0.25 }],
    }));
    const session = { tariff, startDateTime: at(0), timeZone: 'Europe/Amsterdam' };
    const totals = (price: tariffService.Price | undefined) => ({ ...price, breakdownJson: undefined });

    let previous: tariffService.PriceSessionResponse | undefined;
    for (let k = 1; k <= periods.length; k++) {
      const full = await rpc.priceSession({ ...session, chargingPeriodsJson: JSON.stringify(periods.slice(0, k)), endDateTime: at(k * 15) });
      assert.equal(full.statePeriodCount, k - 1, 'a whole pricing settles every period but the last');
      const given = periods.slice(previous?.statePeriodCount ?? 0, k);
      const live = await rpc.priceSession({ ...session, chargingPeriodsJson: JSON.stringify(given), endDateTime: at(k * 15), stateJson: previous?.stateJson ?? '' });
      assert.deepEqual(totals(live.price), totals(full.price), `update ${k}: the totals of the whole session`);
      assert.equal(live.statePeriodCount, k - 1, `update ${k}: settled`);
      assert.equal(live.stateJson, full.stateJson, `update ${k}: the same state as pricing all periods`);
      const breakdown = JSON.parse(live.price?.breakdownJson ?? '[]') as { index: number }[];
      assert.deepEqual(breakdown.map((p) => p.index), given.map((_, i) => (previous?.statePeriodCount ?? 0) + i), `update ${k}: the breakdown covers the periods given`);
      previous = live;
    }
    assert.ok(previous?.price, 'the last update has a price');
    assert.equal(previous.price.totalEnergy, '10.8000');
    // 5.4 kWh at €0.30 before 18:00 and 5.4 at €0.25 after; the session's 10.8 kWh rounded up to 11 (500 Wh
    // steps) on the last energy line, at €0.25; 30 min parking at €2/h: 1.62 + 1.35 + 0.05 + 1.00, plus 21% VAT.
    assert.deepEqual(previous.price.totalCost, { exclVat: '4.0200', inclVat: '4.8642' });

    const next = { ...session, chargingPeriodsJson: JSON.stringify(periods.slice(5)), endDateTime: at(100) };
    await assert.rejects(rpc.priceSession({ ...next, stateJson: '{"v":1' }), grpcError(status.INVALID_ARGUMENT, /^state_json: not JSON/));
    await assert.rejects(rpc.priceSession({ ...next, stateJson: previous.stateJson.replace('"v":1', '"v":9') }), grpcError(status.INVALID_ARGUMENT, /^state_json: version 9 is not supported/));
    await assert.rejects(rpc.priceSession({ ...next, stateJson: previous.stateJson, startDateTime: at(1) }), grpcError(status.INVALID_ARGUMENT, /^state_json does not belong to this session's tariff\/start\/zone/));
    await assert.rejects(rpc.priceSession({ ...next, stateJson: previous.stateJson, timeZone: 'Europe/Berlin' }), grpcError(status.INVALID_ARGUMENT, /^state_json does not belong/));
    await assert.rejects(
      rpc.priceSession({ ...next, stateJson: previous.stateJson, chargingPeriodsJson: JSON.stringify([{ ...periods[5], start_date_time: at(74) }]) }),
      grpcError(status.INVALID_ARGUMENT, /charging period 5 starts at .* before the end of the settled periods/),
    );
    await assert.rejects(rpc.priceSession({ ...next, stateJson: previous.stateJson, chargingPeriodsJson: '[]' }), grpcError(status.INVALID_ARGUMENT, /a resumed update needs the periods from index 5 on/));

    // The tariff changed under the session (a new price): its state no longer fits, the caller prices the whole session again.
    await rpc.upsert({ ...liveTariff, last_updated: '2027-01-01T00:00:00Z', elements: [aTariffElement({ price_components: [aPriceComponent({ type: 'ENERGY', price: 0.35 })] })] });
    await assert.rejects(rpc.priceSession({ ...next, stateJson: previous.stateJson }), grpcError(status.INVALID_ARGUMENT, /^state_json does not belong/));
  });
});
