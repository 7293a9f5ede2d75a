/**
 * Measures live session pricing: a 1,000-period session priced update by update through the real
 * PriceSession handler (application/pricing.ts) over gRPC on loopback, as the sessions service
 * calls it at every progress report. Two ways:
 *  - full:    every update sends all periods so far, without state (the cost grows with the session);
 *  - resumed: every update sends the periods from the previous response's state_period_count on,
 *             with its state_json (the cost must stay flat).
 * Prints the time of the first and the last update of each, and the median of the first and last
 * ten, and checks that the last updates of both agree on every total.
 *
 *   node --import tsx services/tariffs/test/live-pricing.measure.ts [periods]
 *
 * Not a test (no assertion on time: machines differ); it needs no Kafka or MongoDB.
 */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { startGrpcServer, unary } from '@voltmesh/grpc';
import { tariffService } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { priceSessionRequest, type TariffLookup } from '../src/application/pricing.js';

const PERIODS = Number(process.argv[2] ?? 1000);

/** €0.30/kWh day and €0.22 night in 500 Wh steps, €1/h charging after 3 h, €2/h parking in 5-minute steps, max €80. */
const tariff = {
  country_code: 'NL',
  party_id: 'VMS',
  id: 'LIVE-MEASURE',
  currency: 'EUR',
  max_price: { excl_vat: 80, incl_vat: 96.8 },
  elements: [
    { price_components: [{ type: 'FLAT', price: 0.5, vat: 21, step_size: 1 }] },
    { price_components: [{ type: 'ENERGY', price: 0.3, vat: 21, step_size: 500 }], restrictions: { start_time: '07:00', end_time: '23:00' } },
    { price_components: [{ type: 'ENERGY', price: 0.22, vat: 21, step_size: 500 }] },
    { price_components: [{ type: 'TIME', price: 1, vat: 21, step_size: 60 }], restrictions: { min_duration: 10_800 } },
    { price_components: [{ type: 'PARKING_TIME', price: 2, vat: 21, step_size: 300 }] },
  ],
};
const tariffJson = JSON.stringify(tariff);
const startMs = Date.parse('2026-06-01T20:00:00Z');
const at = (minutes: number): string => new Date(startMs + minutes * 60_000).toISOString();

/** One-minute periods: charging at 11 kW for 80 % of the session, then parked. */
function sessionPeriods(count: number): object[] {
  return Array.from({ length: count }, (_, i) => ({
    start_date_time: at(i),
    dimensions:
      i < count * 0.8
        ? [{ type: 'ENERGY', volume: 0.183 }, { type: 'TIME', volume: 0.016667 }, { type: 'MAX_POWER', volume: 11 }]
        : [{ type: 'PARKING_TIME', volume: 0.016667 }],
  }));
}

const noStore: TariffLookup = { get: () => Promise.reject(new Error('the measurement prices an inline tariff')) };
const logger = createLogger('tariffs-measure', 'warn');
const server = await startGrpcServer({
  host: '127.0.0.1',
  port: 0,
  logger,
  services: [
    {
      name: 'voltmesh.tariffs.v1.TariffService',
      definition: tariffService.TariffServiceService,
      implementation: { priceSession: unary(logger, (request: tariffService.PriceSessionRequest) => priceSessionRequest(noStore, request)) },
    },
  ],
});
const client = new tariffService.TariffServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
const call = (request: tariffService.PriceSessionRequest): Promise<tariffService.PriceSessionResponse> =>
  new Promise((resolve, reject) => {
    client.priceSession(request, new Metadata(), { deadline: Date.now() + 30_000 }, (error: ServiceError | null, response?: tariffService.PriceSessionResponse) =>
      error || !response ? reject(error ?? new Error('no response')) : resolve(response),
    );
  });

/** Prices a session of `count` periods update by update; returns each update's time (ms) and the last response. */
async function liveSession(count: number, resumed: boolean): Promise<{ ms: number[]; last: tariffService.PriceSessionResponse | undefined }> {
  const periods = sessionPeriods(count);
  const ms: number[] = [];
  let last: tariffService.PriceSessionResponse | undefined;
  for (let k = 1; k <= count; k++) {
    const from = resumed ? (last?.statePeriodCount ?? 0) : 0;
    const request = tariffService.PriceSessionRequest.fromPartial({
      tariff: { ocpiJson: tariffJson },
      chargingPeriodsJson: JSON.stringify(periods.slice(from, k)),
      startDateTime: at(0),
      endDateTime: at(k),
      timeZone: 'Europe/Amsterdam',
      stateJson: resumed ? (last?.stateJson ?? '') : '',
    });
    const started = performance.now();
    last = await call(request);
    ms.push(performance.now() - started);
  }
  return { ms, last };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const f = (ms: number | undefined): string => `${(ms ?? Number.NaN).toFixed(2)} ms`;

try {
  // Warm-up (JIT, gRPC channel), so that the first measured update is not a cold start.
  await liveSession(50, false);
  await liveSession(50, true);

  console.log(`live pricing of a ${PERIODS}-period session over gRPC (loopback), one PriceSession per period:`);
  const results: Record<string, tariffService.PriceSessionResponse | undefined> = {};
  for (const mode of ['full', 'resumed'] as const) {
    const { ms, last } = await liveSession(PERIODS, mode === 'resumed');
    results[mode] = last;
    console.log(
      `  ${mode.padEnd(7)} first update ${f(ms[0])}, last update ${f(ms.at(-1))}; ` +
        `median of the first 10 ${f(median(ms.slice(0, 10)))}, of the last 10 ${f(median(ms.slice(-10)))}; state ${last?.stateJson.length ?? 0} characters`,
    );
  }
  const totals = (r: tariffService.PriceSessionResponse | undefined): string => JSON.stringify({ ...r?.price, breakdownJson: undefined });
  const same = totals(results['full']) === totals(results['resumed']) && results['full']?.stateJson === results['resumed']?.stateJson;
  console.log(`  last updates agree on every total and the state: ${same ? 'yes' : 'NO'}; total_cost ${JSON.stringify(results['resumed']?.price?.totalCost)}`);
  if (!same) process.exitCode = 1;
} finally {
  client.close();
  await server.stop(1_000);
}
