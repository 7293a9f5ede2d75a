import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import type { Db } from 'mongodb';
import { ConsumerGroups, createKafka, dlqTopicName, EventPublisher, Topics } from '@voltmesh/kafka';
import type { Location } from '@voltmesh/ocpi';
import { locations, locationService, objects } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { aLocation, anEvse, collectEvents, startServiceInProcess, testInfra, type EventCollector, type InProcessService, grpcCall } from '@voltmesh/testing';
import { buildLocations } from '../src/app.js';
import { loadLocationsConfig, type LocationsConfig } from '../src/config.js';

const infra = testInfra();
const logger = createLogger('locations-test', 'silent');

const call = grpcCall;

describe('locations service on real Kafka and FerretDB', () => {
  let service: InProcessService;
  let db: Db;
  let publisher: EventPublisher;
  let client: locationService.LocationServiceClient;
  let changes: EventCollector;
  let rejected: EventCollector;
  const rpc = {
    upsert: (request: Partial<locationService.UpsertLocationRequest>) => call<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(client.upsertLocation.bind(client), locationService.UpsertLocationRequest.fromPartial(request)),
    report: (request: Partial<locationService.ReportEvseStatusRequest>) => call<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>(client.reportEvseStatus.bind(client), locationService.ReportEvseStatusRequest.fromPartial(request)),
    get: (countryCode: string, partyId: string, id: string) => call<locationService.GetLocationRequest, locationService.GetLocationResponse>(client.getLocation.bind(client), { party: { countryCode, partyId }, id }),
    list: (request: Partial<locationService.ListLocationsRequest>) => call<locationService.ListLocationsRequest, locationService.ListLocationsResponse>(client.listLocations.bind(client), locationService.ListLocationsRequest.fromPartial(request)),
    near: (request: Partial<locationService.FindAvailableEvsesRequest>) => call<locationService.FindAvailableEvsesRequest, locationService.FindAvailableEvsesResponse>(client.findAvailableEvses.bind(client), locationService.FindAvailableEvsesRequest.fromPartial(request)),
  };
  const changed = (event: { value: Buffer }) => locations.LocationChanged.decode(event.value);
  // Unique party per run: the topics are shared with other tests of this run.
  const own = { country_code: 'NL', party_id: infra.unique('V').slice(-3).toUpperCase() };
  const partner = { country_code: 'DE', party_id: infra.unique('P').slice(-3).toUpperCase() };

  let config: LocationsConfig;

  before(async () => {
    config = loadLocationsConfig({ MONGO_URL: infra.mongoUrl, MONGO_DB: infra.unique('locations'), KAFKA_BROKERS: infra.kafkaBrokers.join(','), REPUBLISH_INTERVAL_MS: '500' });
    changes = await collectEvents(infra.kafkaBrokers, Topics.location, infra.unique('collector'));
    const dlq = { name: dlqTopicName(ConsumerGroups.locationsPartnerWrites), partitions: 1, description: 'partner writes the service refused' };
    rejected = await collectEvents(infra.kafkaBrokers, dlq, infra.unique('dlq-collector'));
    service = await startServiceInProcess('locations-test', (deps) => buildLocations(config, deps), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS });
    ({ db, publisher } = service);
    client = new locationService.LocationServiceClient(service.address, credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await changes.stop();
    await rejected.stop();
    await service.stop();
  });

  const ownLocation = (overrides: Partial<Location> = {}) => aLocation({ ...own, id: 'OWN1', ...overrides });

  test('our CSMS upserts a location: stored, readable, announced once', async () => {
    const first = await rpc.upsert({ ocpiJson: JSON.stringify(ownLocation()) });
    assert.equal(first.changed, true);
    assert.equal(first.location?.owner, objects.Owner.OWNER_OWN);
    const event = changed(await changes.next((candidate) => candidate.key === `${own.country_code}*${own.party_id}*OWN1`));
    assert.equal(event.location?.id, 'OWN1');
    assert.deepEqual(event.statusChanges, [], 'a new location is a whole-object change');

    const again = await rpc.upsert({ ocpiJson: JSON.stringify(ownLocation()) });
    assert.equal(again.changed, false, 'the same location twice changes nothing');
    const read = await rpc.get(own.country_code, own.party_id, 'own1');
    assert.equal((JSON.parse(read.location?.ocpiJson ?? '{}') as Location).address, 'Street 1');
  });

  test('an invalid location is refused with the field named', async () => {
    await assert.rejects(rpc.upsert({ ocpiJson: JSON.stringify({ ...ownLocation(), country: 'NL' }) }), /country/);
  });

  test('an EVSE status report becomes a status-only change; a repeat or an older report changes nothing', async () => {
    const before = changes.events.length;
    const report = await rpc.report({ party: { countryCode: own.country_code, partyId: own.party_id }, locationId: 'OWN1', evseUid: 'EVSE-2', status: 'CHARGING', at: '2026-02-01T10:00:00Z' });
    assert.equal(report.changed, true);
    assert.equal(report.lastUpdated, '2026-02-01T10:00:00.000Z');
    const event = changed(await changes.next((candidate, index = changes.events.indexOf(candidate)) => index >= before && candidate.key.endsWith('*OWN1')));
    assert.deepEqual(event.statusChanges, [{ evseUid: 'EVSE-2', status: 'CHARGING', lastUpdated: '2026-02-01T10:00:00.000Z' }]);
    assert.equal(event.location?.lastUpdated, '2026-02-01T10:00:00.000Z', 'the location moved forward with its EVSE');

    assert.equal((await rpc.report({ party: { countryCode: own.country_code, partyId: own.party_id }, locationId: 'OWN1', evseUid: 'EVSE-2', status: 'CHARGING', at: '2026-02-01T10:00:00Z' })).changed, false);
    assert.equal((await rpc.report({ party: { countryCode: own.country_code, partyId: own.party_id }, locationId: 'OWN1', evseUid: 'EVSE-2', status: 'AVAILABLE', at: '2026-02-01T09:00:00Z' })).changed, false);
    await assert.rejects(rpc.report({ party: { countryCode: own.country_code, partyId: own.party_id }, locationId: 'OWN1', evseUid: 'EVSE-9', status: 'CHARGING' }), /EVSE-9/);
    await assert.rejects(rpc.report({ party: { countryCode: own.country_code, partyId: own.party_id }, locationId: 'OWN1', evseUid: 'EVSE-1', status: 'PARKED' }), /status/);
  });

  test('partner writes from the ingress topic are applied in order, stale ones ignored, and never touch our own locations', async () => {
    const key = `${partner.country_code}*${partner.party_id}*P1`;
    const write = (fields: Partial<locations.PartnerLocationWrite>) =>
      publisher.publish({
        topic: Topics.partnerLocation,
        key,
        type: 'voltmesh.locations.v1.PartnerLocationWrite',
        value: locations.PartnerLocationWrite.encode(
          locations.PartnerLocationWrite.fromPartial({ connectionId: 'conn-1', party: { countryCode: partner.country_code, partyId: partner.party_id }, locationId: 'P1', ...fields }),
        ).finish(),
      });
    await write({ method: objects.WriteMethod.WRITE_METHOD_PUT, ocpiJson: JSON.stringify(aLocation({ ...partner, id: 'P1', evses: [anEvse()] })) });
    await write({ method: objects.WriteMethod.WRITE_METHOD_PATCH, evseUid: 'EVSE-1', ocpiJson: JSON.stringify({ status: 'CHARGING', last_updated: '2026-03-01T10:00:00Z' }) });
    await write({ method: objects.WriteMethod.WRITE_METHOD_PATCH, evseUid: 'EVSE-1', ocpiJson: JSON.stringify({ status: 'OUTOFORDER', last_updated: '2026-03-01T09:00:00Z' }) });
    await write({ method: objects.WriteMethod.WRITE_METHOD_PUT, evseUid: 'EVSE-2', ocpiJson: JSON.stringify(anEvse({ uid: 'EVSE-2', last_updated: '2026-03-01T11:00:00.000Z' })) });

    await changes.next((candidate) => candidate.key === key && changed(candidate).location?.lastUpdated === '2026-03-01T11:00:00.000Z');
    const stored = JSON.parse((await rpc.get(partner.country_code, partner.party_id, 'P1')).location?.ocpiJson ?? '{}') as Location;
    assert.deepEqual(stored.evses.map((evse) => [evse.uid, evse.status]), [['EVSE-1', 'CHARGING'], ['EVSE-2', 'AVAILABLE']], 'the older OUTOFORDER patch was ignored');
    // Writes of one location that arrive together are applied as one change (one save, one event).
    const events = changes.events.filter((candidate) => candidate.key === key).length;
    assert.ok(events >= 1 && events <= 3, `${events} events for 4 writes, one of them stale`);

    // A partner claiming one of our own locations: refused (to the DLQ), ours unchanged.
    await publisher.publish({
      topic: Topics.partnerLocation,
      key: `${own.country_code}*${own.party_id}*OWN1`,
      type: 'voltmesh.locations.v1.PartnerLocationWrite',
      value: locations.PartnerLocationWrite.encode(
        locations.PartnerLocationWrite.fromPartial({ connectionId: 'conn-1', party: { countryCode: own.country_code, partyId: own.party_id }, locationId: 'OWN1', method: objects.WriteMethod.WRITE_METHOD_PUT, ocpiJson: JSON.stringify(ownLocation({ name: 'hijacked', last_updated: '2027-01-01T00:00:00Z' })) }),
      ).finish(),
    });
    const refusal = await rejected.next((candidate) => candidate.key === `${own.country_code}*${own.party_id}*OWN1`);
    assert.match(refusal.headers['dlq-error'] ?? '', /belongs to one of our own parties/);
    assert.equal(refusal.headers['dlq-error-code'], 'FAILED_PRECONDITION');
    const ours = JSON.parse((await rpc.get(own.country_code, own.party_id, 'OWN1')).location?.ocpiJson ?? '{}') as Location;
    assert.notEqual(ours.name, 'hijacked');
  });

  test('after a restart, a save whose event never reached Kafka is republished', async () => {
    // As if the process died between the save and the publish: the store says unpublished.
    await db.collection('locations').updateOne({ _id: `${own.country_code}*${own.party_id}*OWN1` as never }, { $set: { unpublished: true } });
    const before = changes.events.length;
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'locations-test-restarted' }, logger);
    const restarted = await buildLocations(config, { db, kafka, publisher, logger });
    const restartedIntake = await restarted.start!();
    try {
      const event = await changes.next((candidate) => changes.events.indexOf(candidate) >= before && candidate.key.endsWith('*OWN1'), 10_000);
      assert.equal(changed(event).location?.id, 'OWN1');
    } finally {
      await restartedIntake.stop();
    }
    // The marker is cleared just after the event is sent: wait for it rather than read it once.
    const deadline = Date.now() + 5_000;
    let document = await db.collection('locations').findOne({ _id: `${own.country_code}*${own.party_id}*OWN1` as never });
    while (document?.['unpublished'] !== false && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      document = await db.collection('locations').findOne({ _id: `${own.country_code}*${own.party_id}*OWN1` as never });
    }
    assert.equal(document?.['unpublished'], false);
  });

  test('lists page by last_updated with owner, party and date filters', async () => {
    for (const [index, day] of ['10', '11', '12'].entries()) {
      await rpc.upsert({ ocpiJson: JSON.stringify(ownLocation({ id: `L${index}`, last_updated: `2026-04-${day}T00:00:00Z` })) });
    }
    const party = { countryCode: own.country_code, partyId: own.party_id };
    const all = await rpc.list({ owner: objects.Owner.OWNER_OWN, party });
    assert.deepEqual(all.locations.map((location) => location.id), ['OWN1', 'L0', 'L1', 'L2']);
    const page = await rpc.list({ owner: objects.Owner.OWNER_OWN, party, page: { offset: 1, limit: 2, dateFrom: '', dateTo: '' } });
    assert.deepEqual(page.locations.map((location) => location.id), ['L0', 'L1']);
    assert.deepEqual(page.page, { total: 4, limit: 2 });
    const window = await rpc.list({ owner: objects.Owner.OWNER_OWN, party, page: { offset: 0, limit: 0, dateFrom: '2026-04-11T00:00:00Z', dateTo: '2026-04-12T00:00:00Z' } });
    assert.deepEqual(window.locations.map((location) => location.id), ['L1'], 'date_from inclusive, date_to exclusive');
    const partners = await rpc.list({ owner: objects.Owner.OWNER_PARTNER, party });
    assert.equal(partners.locations.length, 0);
  });

  test('a second replica sees the first one\'s writes through locations.location.v1', async () => {
    const replica = await startServiceInProcess('locations-replica', (deps) => buildLocations(config, deps), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS, dropDatabase: false });
    const other = new locationService.LocationServiceClient(replica.address, credentials.createInsecure());
    try {
      // Written through the first replica after the second one started.
      await rpc.upsert({ ocpiJson: JSON.stringify(ownLocation({ id: 'REPLICATED', last_updated: '2026-05-01T00:00:00Z' })) });
      await rpc.report({ party: { countryCode: own.country_code, partyId: own.party_id }, locationId: 'REPLICATED', evseUid: 'EVSE-1', status: 'CHARGING', at: '2026-05-01T00:01:00Z' });
      const deadline = Date.now() + 10_000;
      let seen: Location | undefined;
      while (Date.now() < deadline) {
        const reply = await call<locationService.GetLocationRequest, locationService.GetLocationResponse>(other.getLocation.bind(other), { party: { countryCode: own.country_code, partyId: own.party_id }, id: 'REPLICATED' }).catch(() => undefined);
        seen = reply?.location ? (JSON.parse(reply.location.ocpiJson) as Location) : undefined;
        if (seen?.evses[0]?.status === 'CHARGING') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(seen?.evses[0]?.status, 'CHARGING', 'the newest state, not only the first');
    } finally {
      other.close();
      await replica.stop();
    }
  });

  test('finds available EVSEs near a point, nearest first, by connector type and power', async () => {
    const near = (latitude: string, longitude: string) => ({ latitude, longitude });
    await rpc.upsert({
      ocpiJson: JSON.stringify(
        ownLocation({
          id: 'FAST',
          coordinates: near('10.00100', '20.00000'),
          evses: [anEvse({ uid: 'DC1', connectors: [{ ...anEvse().connectors[0]!, standard: 'IEC_62196_T2_COMBO', power_type: 'DC', max_electric_power: 150_000 }] }), anEvse({ uid: 'BUSY', status: 'CHARGING' })],
        }),
      ),
    });
    await rpc.upsert({ ocpiJson: JSON.stringify(ownLocation({ id: 'SLOW', coordinates: near('10.00050', '20.00000'), evses: [anEvse({ uid: 'AC1' })] })) });
    await rpc.upsert({ ocpiJson: JSON.stringify(ownLocation({ id: 'FAR', coordinates: near('10.50000', '20.00000'), evses: [anEvse({ uid: 'AC2' })] })) });

    const any = await rpc.near({ latitude: 10, longitude: 20, radiusM: 2000 });
    assert.deepEqual(any.evses.map((evse) => evse.evseUid), ['AC1', 'DC1'], 'nearest first, busy and far ones left out');
    assert.equal(any.evses[0]?.distanceM, 56);
    const fast = await rpc.near({ latitude: 10, longitude: 20, radiusM: 2000, connectorTypes: ['IEC_62196_T2_COMBO'], minPowerKw: 50 });
    assert.deepEqual(fast.evses.map((evse) => [evse.evseUid, evse.maxPowerKw]), [['DC1', 150]]);
  });
});
