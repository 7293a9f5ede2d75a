import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { locationService, sessionService, tariffService } from '@voltmesh/proto';
import {
  aConnector,
  aLocation,
  aPriceComponent,
  aTariff,
  aTariffElement,
  aToken,
  anEvse,
  MESH_PROCESSES,
  startOtlpReceiver,
  startSimPartner,
  type OtlpReceiver,
  type ReceivedSpan,
  type SimPartner,
} from '@voltmesh/testing';
import { OUTSIDE_METRICS } from '../observability/catalogue.js';
import { usedMetrics } from '../observability/promql.js';
import { connectPartner, eventually, http, startTestMesh, type Envelope, type RunningMesh } from './mesh-fixture.js';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/**
 * The causal neighbourhood of a span: its ancestors (parents, and the producers a batch span
 * links to), then everything under those. This is "the connected trace" of one request.
 */
function connectedTrace(all: ReceivedSpan[], from: ReceivedSpan): ReceivedSpan[] {
  const byId = new Map(all.map((span) => [span.spanId, span]));
  const ancestors = new Set<string>();
  const up = [from.spanId];
  while (up.length > 0) {
    const span = byId.get(up.pop()!);
    if (!span || ancestors.has(span.spanId)) continue;
    ancestors.add(span.spanId);
    if (span.parentSpanId) up.push(span.parentSpanId);
    for (const link of span.links) up.push(link.spanId);
  }
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of all) if (span.parentSpanId) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
  const connected = new Map<string, ReceivedSpan>();
  const down = [...ancestors];
  while (down.length > 0) {
    const span = byId.get(down.pop()!);
    if (!span || connected.has(span.spanId)) continue;
    connected.set(span.spanId, span);
    for (const child of children.get(span.spanId) ?? []) down.push(child.spanId);
  }
  return [...connected.values()];
}

/** The trace as an indented tree (service: span name), for the test's output and the closing note. */
function render(spans: ReceivedSpan[]): string {
  const ids = new Set(spans.map((span) => span.spanId));
  const lines: string[] = [];
  const walk = (span: ReceivedSpan, depth: number) => {
    const linked = span.links.length > 0 ? ` (linked to ${span.links.length})` : '';
    lines.push(`${'  '.repeat(depth)}${span.service}: ${span.name}${linked}`);
    for (const child of spans.filter((candidate) => candidate.parentSpanId === span.spanId)) walk(child, depth + 1);
  };
  for (const root of spans.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId))) walk(root, 0);
  return lines.join('\n');
}

function isDescendant(spans: ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  const byId = new Map(spans.map((candidate) => [candidate.spanId, candidate]));
  for (let current: ReceivedSpan | undefined = span; current; current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined) {
    if (current.spanId === ancestor.spanId) return true;
    if (current.links.some((link) => link.spanId === ancestor.spanId)) return true;
  }
  return false;
}

describe('observability: one connected trace per partner request across HTTP, Kafka, gRPC and MongoDB; Prometheus metrics on every process', () => {
  let receiver: OtlpReceiver;
  let mesh: RunningMesh;
  let cpo: SimPartner;
  let emsp: SimPartner;
  let base: string;
  const rpc = <Req, Res>(method: (request: Req, metadata: never, options: never, callback: never) => unknown, request: Req) => callUnary<Req, Res>(method as never, request, 10_000);
  const secrets = new Set<string>();

  before(async () => {
    receiver = await startOtlpReceiver();
    mesh = await startTestMesh('observability', {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      PULL_POLL_MS: '300',
    });
    base = mesh.versionsUrl.replace(/\/ocpi\/versions$/, '');
    cpo = await startSimPartner({ countryCode: 'BE', partyId: 'OBC', role: 'CPO' });
    emsp = await startSimPartner({ countryCode: 'DE', partyId: 'OBE', role: 'EMSP' });
    emsp.published['tokens'] = [aToken({ country_code: 'DE', party_id: 'OBE', uid: 'OBS-DRIVER', whitelist: 'ALLOWED', contract_id: 'DE-OBE-C00000007-X' })];
    await connectPartner(mesh, cpo);
    await connectPartner(mesh, emsp);
    for (const partner of [cpo, emsp]) {
      if (partner.state.peerToken) secrets.add(partner.state.peerToken);
      for (const issued of partner.state.issuedTokens) secrets.add(issued);
    }
    secrets.add(mesh.adminToken);
  });

  after(async () => {
    await cpo?.close();
    await emsp?.close();
    await mesh?.stop();
    await receiver?.close();
  });

  const assertNoSecrets = (spans: ReceivedSpan[]) => {
    for (const span of spans) {
      for (const [key, value] of Object.entries(span.attributes)) {
        for (const secret of secrets) assert.ok(!String(value).includes(secret), `span "${span.name}" attribute ${key} holds a token`);
        assert.ok(!/authorization|token/i.test(key) || key === 'voltmesh.partner.connection_id', `span "${span.name}" has no token attribute (${key})`);
      }
      assert.ok(!String(Object.values(span.attributes)).includes('OBS-DRIVER'), `span "${span.name}" carries no driver token uid`);
    }
  };

  test("a partner CPO's EVSE PATCH: gateway request → Kafka send → the locations service's consumer → its MongoDB writes, one trace", async () => {
    const url = `${base}/ocpi/2.2.1/emsp/locations/BE/OBC/OBS-LOC`;
    const location = aLocation({ country_code: 'BE', party_id: 'OBC', id: 'OBS-LOC', evses: [anEvse({ uid: 'OBS-E1' })], last_updated: '2026-11-01T00:00:00Z' });
    assert.equal(((await cpo.callPeer('PUT', url, location)).body as Envelope).status_code, 1000);
    await eventually(() => cpo.callPeer('GET', url), (result) => (result.body as Envelope).status_code === 1000, 'the location stored');
    const patch = await cpo.callPeer('PATCH', `${url}/OBS-E1`, { status: 'CHARGING', last_updated: '2026-11-01T00:05:00Z' });
    assert.equal((patch.body as Envelope).status_code, 1000, JSON.stringify(patch.body));

    const request = await eventually(
      () => receiver.spans().find((span) => span.service === 'partner-gateway' && span.kind === SERVER && span.name === 'PATCH /ocpi/2.2.1/emsp/locations/:country_code/:party_id/:location_id/:evse_uid'),
      Boolean,
      'the gateway span of the PATCH',
    );
    const trace = await eventually(
      () => connectedTrace(receiver.spans(), request!),
      (spans) => spans.some((span) => span.service === 'locations' && span.kind === CLIENT && span.attributes['db.system.name'] === 'mongodb'),
      'the locations service to write the EVSE within the trace',
    );
    console.log(`trace of a partner EVSE PATCH:\n${render(trace)}`);
    assert.ok(!request!.parentSpanId, 'the partner request starts the trace');
    assert.ok(request!.attributes['voltmesh.partner.connection_id'], 'the partner is on the request span');
    const send = trace.find((span) => span.service === 'partner-gateway' && span.kind === PRODUCER && span.name === 'gateway.partner-location.v1 publish');
    assert.ok(send && isDescendant(trace, send, request!), 'the Kafka send is a child of the request');
    const processed = trace.find((span) => span.service === 'locations' && span.kind === CONSUMER && span.name === 'gateway.partner-location.v1 process');
    assert.ok(processed && isDescendant(trace, processed, send), "the locations consumer continues the send's trace (parent or link)");
    const writes = trace.filter((span) => span.service === 'locations' && span.kind === CLIENT && span.attributes['db.system.name'] === 'mongodb');
    assert.ok(writes.some((span) => isDescendant(trace, span, processed)), 'its MongoDB operations are under the consumer span');
    assert.ok(writes.every((span) => String(span.attributes['db.namespace']).endsWith('_locations')), 'the locations service touches only its own database');
    assertNoSecrets(trace);
  });

  test('a CDR delivery: our CSMS ends a session (gRPC) → sessions → Kafka → billing prices it with tariffs (gRPC) → Kafka → dispatcher → POST to the eMSP, one connected trace', async () => {
    const address = (name: keyof RunningMesh['grpcPorts']) => `127.0.0.1:${mesh.grpcPorts[name]}`;
    const sessionsApi = new sessionService.SessionServiceClient(address('sessions'), credentials.createInsecure());
    const tariffsApi = new tariffService.TariffServiceClient(address('tariffs'), credentials.createInsecure());
    const locationsApi = new locationService.LocationServiceClient(address('locations'), credentials.createInsecure());
    try {
      const tariff = aTariff({ country_code: 'NL', party_id: 'VLT', id: 'OBS-KWH', elements: [aTariffElement({ price_components: [aPriceComponent({ price: 0.3, vat: 21, step_size: 1 })] })] });
      await rpc<tariffService.UpsertTariffRequest, tariffService.UpsertTariffResponse>(tariffsApi.upsertTariff.bind(tariffsApi), { ocpiJson: JSON.stringify(tariff) });
      const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'OBS-OWN', time_zone: 'Europe/Amsterdam', evses: [anEvse({ uid: 'OBS-OWN-E1', connectors: [aConnector({ tariff_ids: ['OBS-KWH'] })] })] });
      await rpc<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locationsApi.upsertLocation.bind(locationsApi), { ocpiJson: JSON.stringify(location) });
      const cpoParty = { countryCode: 'NL', partyId: 'VLT' };
      // The eMSP's token reaches us by the pull on connect; until then the start is refused.
      await eventually(
        () =>
          rpc<sessionService.ReportSessionStartedRequest, sessionService.ReportSessionStartedResponse>(
            sessionsApi.reportSessionStarted.bind(sessionsApi),
            sessionService.ReportSessionStartedRequest.fromPartial({
              cpo: cpoParty,
              sessionId: 'OBS-SESSION-1',
              tokenParty: { countryCode: 'DE', partyId: 'OBE' },
              tokenUid: 'OBS-DRIVER',
              tokenType: 'RFID',
              authMethod: 'WHITELIST',
              locationId: 'OBS-OWN',
              evseUid: 'OBS-OWN-E1',
              connectorId: '1',
              startDateTime: '2026-11-20T08:00:00Z',
            }),
          ).then(
            () => true,
            () => false,
          ),
        Boolean,
        'the session to start with the pulled token',
      );
      const period = { start_date_time: '2026-11-20T08:00:00Z', dimensions: [{ type: 'ENERGY', volume: 12.5 }], tariff_id: 'OBS-KWH' };
      await rpc<sessionService.ReportSessionEndedRequest, sessionService.ReportSessionEndedResponse>(
        sessionsApi.reportSessionEnded.bind(sessionsApi),
        sessionService.ReportSessionEndedRequest.fromPartial({ cpo: cpoParty, sessionId: 'OBS-SESSION-1', chargingPeriodsJson: JSON.stringify([period]), kwh: '12.5', endDateTime: '2026-11-20T09:00:00Z', status: 'COMPLETED' }),
      );
      await eventually(() => emsp.state.received.filter((push) => push.method === 'POST' && push.path.startsWith('/ocpi/2.2.1/cdrs')), (posts) => posts.length > 0, 'the CDR POSTed to the eMSP', 30_000);

      const delivery = await eventually(
        () => receiver.spans().find((span) => span.service === 'dispatcher' && span.kind === CLIENT && span.name === 'POST cdrs'),
        Boolean,
        "the dispatcher's CDR POST span",
      );
      // Each process exports on its own schedule: wait until every hop has arrived.
      const hops: Array<[service: string, kind: number, name: string]> = [
        ['sessions', SERVER, 'voltmesh.sessions.v1.SessionService/ReportSessionEnded'],
        ['sessions', PRODUCER, 'sessions.session.v1 publish'],
        ['billing', CONSUMER, 'sessions.session.v1 process'],
        ['billing', CLIENT, 'voltmesh.tariffs.v1.TariffService/PriceCdr'],
        ['tariffs', SERVER, 'voltmesh.tariffs.v1.TariffService/PriceCdr'],
        ['billing', PRODUCER, 'billing.cdr.v1 publish'],
        ['dispatcher', CONSUMER, 'billing.cdr.v1 process'],
      ];
      const has = (spans: ReceivedSpan[], [service, kind, name]: (typeof hops)[number]) =>
        spans.find((candidate) => candidate.service === service && candidate.kind === kind && candidate.name === name);
      const trace = await eventually(
        () => connectedTrace(receiver.spans(), delivery!),
        (spans) => hops.every((hop) => has(spans, hop)),
        'every hop from the session end to the POST in one connected trace',
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${render(connectedTrace(receiver.spans(), delivery!))}`);
      });
      console.log(`trace of a CDR delivery:\n${render(trace)}`);
      const find = (service: string, kind: number, name: string) => has(trace, [service, kind, name])!;
      const start = find('sessions', SERVER, 'voltmesh.sessions.v1.SessionService/ReportSessionEnded');
      const sessionChanged = find('sessions', PRODUCER, 'sessions.session.v1 publish');
      const billing = find('billing', CONSUMER, 'sessions.session.v1 process');
      const pricing = find('tariffs', SERVER, 'voltmesh.tariffs.v1.TariffService/PriceCdr');
      const cdrCreated = find('billing', PRODUCER, 'billing.cdr.v1 publish');
      const dispatcher = find('dispatcher', CONSUMER, 'billing.cdr.v1 process');
      assert.ok(isDescendant(trace, sessionChanged, start), 'sessions announces the change inside the gRPC call');
      assert.ok(isDescendant(trace, billing, sessionChanged), 'billing consumes that event');
      assert.ok(isDescendant(trace, pricing, billing), 'and prices it with the tariffs service over gRPC (client span → server span)');
      assert.ok(isDescendant(trace, cdrCreated, billing), 'billing announces the CDR');
      assert.ok(isDescendant(trace, dispatcher, cdrCreated), 'the dispatcher consumes it');
      assert.ok(isDescendant(trace, delivery!, dispatcher), 'and the POST to the eMSP continues that trace from the outbox');
      assert.equal(delivery!.attributes['voltmesh.partner.connection_id'] !== 'none', true, 'the partner is on the delivery span');
      for (const service of ['sessions', 'billing', 'dispatcher']) {
        assert.ok(trace.some((span) => span.service === service && span.attributes['db.system.name'] === 'mongodb'), `${service}'s MongoDB operations are in the trace`);
      }
      assertNoSecrets(trace);
    } finally {
      sessionsApi.close();
      tariffsApi.close();
      locationsApi.close();
    }
  });

  test('every process serves Prometheus metrics (HTTP and gRPC RED, Kafka lag and processing, dispatcher backlog and failures per partner, Node process), and every metric a dashboard or alert uses is among them', async (t) => {
    // A partner that went away: our pushes to it fail and wait in the outbox (backlog, age, failures).
    const gone = await startSimPartner({ countryCode: 'DE', partyId: 'OBG', role: 'EMSP' });
    await connectPartner(mesh, gone);
    await gone.close();
    // A partner on OCPI 2.1.1: the location below has a field 2.1.1 lacks (state), a counted loss.
    const legacy = await startSimPartner({ countryCode: 'DE', partyId: 'OLD', role: 'EMSP', version: '2.1.1' });
    t.after(() => legacy.close());
    await connectPartner(mesh, legacy, { role_211: 'EMSP' });
    const locationsApi = new locationService.LocationServiceClient(`127.0.0.1:${mesh.grpcPorts.locations}`, credentials.createInsecure());
    try {
      const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'OBS-PUSHED', state: 'Noord-Holland', evses: [anEvse({ uid: 'OBS-P1' })] });
      await rpc<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locationsApi.upsertLocation.bind(locationsApi), { ocpiJson: JSON.stringify(location) });
    } finally {
      locationsApi.close();
    }
    // A handshake that fails: the partner's versions URL answers nothing.
    const failed = await http('POST', `${mesh.adminUrl}/admin/connections`, {
      authorization: `Bearer ${mesh.adminToken}`,
      body: { versions_url: 'http://127.0.0.1:9/ocpi/versions', token_a: 'obs-token-a', auth_mode: 'base64' },
    });
    assert.ok(failed.status >= 400, `the handshake with nobody fails at the partner: ${JSON.stringify(failed.body)}`);

    const scrape = async (name: string) => {
      const response = await fetch(`http://127.0.0.1:${mesh.metricsPorts[name as keyof RunningMesh['metricsPorts']]}/metrics`);
      assert.equal(response.status, 200, `${name} serves /metrics`);
      return response.text();
    };
    const sample = (text: string, metric: string, labels: Record<string, string> = {}) =>
      text.split('\n').find((line) => line.startsWith(`${metric}{`) && Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)));
    const dispatcher = await eventually(
      () => scrape('dispatcher'),
      (text) =>
        sample(text, 'partner_delivery_failures_total', { module: 'locations' }) !== undefined &&
        /dispatcher_oldest_undelivered_age_seconds\{[^}]*\} [1-9]/.test(text) &&
        sample(text, 'ocpi_version_mapping_losses_total', { module: 'locations', direction: 'outbound' }) !== undefined,
      'the failing pushes counted and waiting in the outbox, the 2.1.1 push’s loss counted',
      30_000,
      500,
    );
    assert.ok(sample(dispatcher, 'dispatcher_backlog_jobs'), 'dispatcher_backlog_jobs per partner');
    assert.ok(sample(dispatcher, 'http_client_request_duration_seconds_bucket', { outcome: 'error' }), 'outbound calls by outcome');
    const lag = await eventually(
      () => scrape('dispatcher'),
      (text) => sample(text, 'kafka_consumer_lag', { consumer_group: 'partner-gateway.dispatcher.cdrs', topic: 'billing.cdr.v1' }) !== undefined,
      'consumer lag per group and topic (read from the broker every 15 s)',
      20_000,
      500,
    );
    assert.match(sample(lag, 'kafka_consumer_lag', { consumer_group: 'partner-gateway.dispatcher.cdrs' }) ?? '', / 0$/, 'the dispatcher is not behind');
    const gateway = await scrape('partner-gateway');
    assert.ok(sample(gateway, 'http_server_request_duration_seconds_bucket', { server: 'ocpi', http_route: '/ocpi/2.2.1/emsp/locations/:country_code/:party_id/:location_id/:evse_uid', http_request_method: 'PATCH' }), 'HTTP RED by route pattern');
    assert.ok(sample(gateway, 'partner_handshake_failures_total'), 'handshake failures per partner');
    assert.ok(!/OBS-LOC|OBS-E1/.test(gateway), 'no object id becomes a label (bounded cardinality)');
    for (const secret of secrets) assert.ok(!gateway.includes(secret) && !dispatcher.includes(secret), 'no token in the metrics');
    const billing = await scrape('billing');
    assert.ok(sample(billing, 'rpc_client_duration_seconds_bucket', { rpc_service: 'voltmesh.tariffs.v1.TariffService', rpc_method: 'PriceCdr', rpc_grpc_status_code: '0' }), 'gRPC client RED');
    assert.ok(sample(billing, 'kafka_consumer_process_duration_seconds_bucket', { consumer_group: 'billing.sessions', outcome: 'ok' }), 'processing time per group');
    const tariffs = await scrape('tariffs');
    assert.ok(sample(tariffs, 'rpc_server_duration_seconds_bucket', { rpc_method: 'PriceSession' }), 'gRPC server RED');
    const exported = new Set<string>();
    for (const process of MESH_PROCESSES) {
      const text = await scrape(process.name);
      for (const line of text.split('\n')) if (line && !line.startsWith('#')) exported.add(line.split(/[{ ]/, 1)[0]!);
      for (const metric of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_used_bytes', 'nodejs_eventloop_delay_p99_seconds']) {
        assert.ok(text.includes(`\n${metric}{`) || text.startsWith(`${metric}{`), `${process.name} exports ${metric}`);
      }
    }
    // What the dashboards and alerts in observability/ query must exist (outside series aside).
    const used = usedMetrics();
    assert.ok(used.size > 10, 'the dashboards and alerts were read');
    for (const [metric, places] of used) {
      if (metric in OUTSIDE_METRICS) continue;
      assert.ok(exported.has(metric), `${metric}, used by ${places.join('; ')}, is exported by a mesh process`);
    }
  });
});
