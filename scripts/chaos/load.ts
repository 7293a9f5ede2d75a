/**
 * What the chaos run sends, and the ledger of it: the partner CPO's writes to our eMSP
 * Receivers (EVSE statuses, sessions as PUT then PATCHes, CDRs), each retried like a real
 * partner until acknowledged; the partner eMSP's drivers starting and stopping sessions at our
 * chargers (their CDRs come back to it); our chargers changing EVSE statuses.
 */
import { callUnary } from '@voltmesh/grpc';
import type { Cdr, Session } from '@voltmesh/ocpi';
import { locationService } from '@voltmesh/proto';
import { aCdr, aCdrLocation, aChargingPeriod, aPriceComponent, aSession, aTariff, aTariffElement } from '@voltmesh/testing';
import { ocpiCall, type OcpiAnswer } from './ocpi-client.js';
import { OUR_DRIVER, PARTNER_CPO, probedEvse, THEIR_DRIVER, type ChaosWorld } from './world.js';

export type WriteKind = 'status' | 'session' | 'cdr';

export interface Attempt {
  startedAt: number;
  endedAt: number;
  /** The fault in force when the attempt started and when it ended. */
  phaseAtStart: string;
  phaseAtEnd: string;
  answer: OcpiAnswer;
}

export interface WriteRecord {
  kind: WriteKind;
  /** What it writes: `LOC/EVSE`, `SESSION#n` (its n-th write), `CDR-ID`. */
  key: string;
  attempts: Attempt[];
  /** 1000 answered; or refused as already applied after an earlier attempt whose answer was lost. */
  outcome: 'pending' | 'acknowledged' | 'implied' | 'refused';
}

/** The partner CPO's sessions: what it acknowledged of each. */
export interface PartnerSessionLedger {
  id: string;
  /** start_date_time of each period acknowledged (or implied). */
  periods: string[];
  status: string;
  cdrId?: string;
  cdrAcknowledged: boolean;
}

export interface Ledger {
  writes: WriteRecord[];
  /** EVSE `LOC/EVSE` → the status last acknowledged. */
  partnerStatuses: Map<string, string>;
  partnerSessions: Map<string, PartnerSessionLedger>;
  /** Our chargers' reports: accepted and failed (service down), with the failures' reasons. */
  chargerReports: { ok: number; failed: number; reasons: Record<string, number> };
  /** The eMSP driver's commands: sent, answered ACCEPTED, failed, with the failures' answers. */
  driverCommands: { sent: number; accepted: number; failed: number; reasons: Record<string, number> };
}

export interface Load {
  ledger: Ledger;
  /** The fault in force, stamped on every attempt. */
  phase: string;
  /** Stops starting new writes (in-flight ones still retry until acknowledged) and waits until none is in flight. */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

const STATUSES = ['AVAILABLE', 'CHARGING', 'BLOCKED', 'OUTOFORDER', 'RESERVED'];
const THEIR_TARIFF = aTariff({ country_code: PARTNER_CPO.countryCode, party_id: PARTNER_CPO.partyId, id: 'BE-KWH', elements: [aTariffElement({ price_components: [aPriceComponent({ price: 0.4, vat: 21, step_size: 1 })] })], last_updated: '2026-01-01T00:00:00Z' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LoadOptions {
  /** Pause between two writes of one partner-CPO worker. */
  writeGapMs: number;
  /** Concurrent session flows of the partner CPO. */
  sessionWorkers: number;
  /** Our chargers: one status change every this often. */
  chargerTickMs: number;
  /** The eMSP's drivers: sessions running at once at our chargers, and how long each charges. */
  driverSessions: number;
  driverSessionMs: number;
}

export function startLoad(world: ChaosWorld, options: LoadOptions): Load {
  const ledger: Ledger = { writes: [], partnerStatuses: new Map(), partnerSessions: new Map(), chargerReports: { ok: 0, failed: 0, reasons: {} }, driverCommands: { sent: 0, accepted: 0, failed: 0, reasons: {} } };
  const count = (reasons: Record<string, number>, reason: string) => (reasons[reason.slice(0, 120)] = (reasons[reason.slice(0, 120)] ?? 0) + 1);
  let running = true;
  let paused = false;
  let inFlight = 0;
  const load: Load = {
    ledger,
    phase: 'steady',
    async pause() {
      paused = true;
      while (inFlight > 0) await sleep(50);
    },
    resume() {
      paused = false;
    },
    async stop() {
      running = false;
      paused = true;
      while (inFlight > 0) await sleep(50);
      await Promise.all(workers);
    },
  };
  /** Waits while paused; false once stopped. */
  const gate = async (): Promise<boolean> => {
    while (running && paused) await sleep(50);
    return running;
  };
  const token = () => world.cpo.state.peerToken!;

  /** Sends one logical write until acknowledged (OCPI 1000) or refused (2xxx); retries everything else with backoff. */
  const send = async (kind: WriteKind, key: string, method: string, url: string, body: unknown, alreadyApplied?: (answer: OcpiAnswer) => boolean): Promise<WriteRecord> => {
    const record: WriteRecord = { kind, key, attempts: [], outcome: 'pending' };
    ledger.writes.push(record);
    let backoff = 200;
    for (;;) {
      const phaseAtStart = load.phase;
      const startedAt = Date.now();
      const answer = await ocpiCall(token(), method, url, body);
      record.attempts.push({ startedAt, endedAt: Date.now(), phaseAtStart, phaseAtEnd: load.phase, answer });
      if (answer.status === 1000) {
        record.outcome = 'acknowledged';
        return record;
      }
      const uncertainBefore = record.attempts.length > 1;
      if (answer.status !== undefined && answer.status >= 2000 && answer.status < 3000 && answer.http !== 503) {
        record.outcome = uncertainBefore && alreadyApplied?.(answer) ? 'implied' : 'refused';
        return record;
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 3_000);
    }
  };

  const statusWorker = async () => {
    // Not the EVSE the Kafka-down probe writes: that write is refused (3xxx) yet may still land
    // later with a newer last_updated, and then rightly wins over this worker's older ones.
    const evses = world.partnerNetwork.flatMap((location) => location.evses.map((evse) => ({ location: location.id, evse }))).filter((pick) => `${pick.location}/${pick.evse}` !== probedEvse(world));
    const locationsUrl = world.cpo.peerEndpoint('locations', 'RECEIVER');
    let lastStamp = 0;
    while (await gate()) {
      inFlight += 1;
      try {
        const pick = evses[Math.floor(Math.random() * evses.length)]!;
        const key = `${pick.location}/${pick.evse}`;
        const current = ledger.partnerStatuses.get(key) ?? 'AVAILABLE';
        const next = STATUSES.filter((status) => status !== current)[Math.floor(Math.random() * (STATUSES.length - 1))]!;
        lastStamp = Math.max(Date.now(), lastStamp + 1);
        const record = await send('status', key, 'PATCH', `${locationsUrl}BE/CPO/${pick.location}/${pick.evse}`, { status: next, last_updated: new Date(lastStamp).toISOString() });
        if (record.outcome === 'acknowledged') ledger.partnerStatuses.set(key, next);
      } finally {
        inFlight -= 1;
      }
      await sleep(options.writeGapMs);
    }
  };

  let sessionNumber = 0;
  const sessionWorker = async () => {
    const sessionsUrl = world.cpo.peerEndpoint('sessions', 'RECEIVER');
    const cdrsUrl = world.cpo.peerEndpoint('cdrs', 'RECEIVER');
    const cdrToken = { country_code: OUR_DRIVER.country_code, party_id: OUR_DRIVER.party_id, uid: OUR_DRIVER.uid, type: OUR_DRIVER.type, contract_id: OUR_DRIVER.contract_id };
    const location = world.partnerNetwork[0]!;
    while (await gate()) {
      sessionNumber += 1;
      const id = `BE-S-${Date.now().toString(36)}-${sessionNumber}`.toUpperCase();
      const t0 = Date.now() - 3 * 3_600_000;
      const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
      const period = (minutes: number, kwh: number) => aChargingPeriod({ start_date_time: at(minutes), dimensions: [{ type: 'ENERGY', volume: kwh }], tariff_id: 'BE-KWH' });
      const periods = [period(0, 5), period(20, 4), period(40, 3)];
      const entry: PartnerSessionLedger = { id, periods: [], status: 'NONE', cdrAcknowledged: false };
      ledger.partnerSessions.set(id, entry);
      const url = `${sessionsUrl}BE/CPO/${id}`;
      const overlapping = (answer: OcpiAnswer) => /out of order or overlapping/.test(answer.message ?? '');
      const steps: { body: unknown; method: string; periods: string[]; status?: string }[] = [
        { method: 'PUT', body: aSession({ country_code: 'BE', party_id: 'CPO', id, cdr_token: cdrToken, location_id: location.id, evse_uid: location.evses[0]!, start_date_time: at(0), charging_periods: [periods[0]!], kwh: 5, currency: 'EUR', status: 'ACTIVE', last_updated: new Date().toISOString() } as Partial<Session>), periods: [periods[0]!.start_date_time], status: 'ACTIVE' },
        { method: 'PATCH', body: { kwh: 9, charging_periods: [periods[1]], last_updated: '' }, periods: [periods[1]!.start_date_time] },
        { method: 'PATCH', body: { kwh: 12, charging_periods: [periods[2]], last_updated: '' }, periods: [periods[2]!.start_date_time] },
        { method: 'PATCH', body: { status: 'COMPLETED', end_date_time: at(60), last_updated: '' }, periods: [], status: 'COMPLETED' },
      ];
      let broken = false;
      for (const [index, step] of steps.entries()) {
        if (!(await gate())) return;
        inFlight += 1;
        try {
          const body = step.method === 'PATCH' ? { ...(step.body as object), last_updated: new Date().toISOString() } : step.body;
          const record = await send('session', `${id}#${index}`, step.method, url, body, step.periods.length > 0 ? overlapping : undefined);
          if (record.outcome === 'acknowledged' || record.outcome === 'implied') {
            entry.periods.push(...step.periods);
            if (step.status) entry.status = step.status;
          } else {
            broken = true;
          }
        } finally {
          inFlight -= 1;
        }
        if (broken) break;
        await sleep(options.writeGapMs);
      }
      if (broken || !(await gate())) continue;
      inFlight += 1;
      try {
        const cdrId = `CDR-${id}`;
        entry.cdrId = cdrId;
        const cdr: Cdr = aCdr({ country_code: 'BE', party_id: 'CPO', id: cdrId, session_id: id, cdr_token: cdrToken, cdr_location: aCdrLocation({ id: location.id, evse_uid: location.evses[0]!, evse_id: 'BE*CPO*E1', country: 'BEL' }), start_date_time: at(0), end_date_time: at(60), tariffs: [THEIR_TARIFF], charging_periods: periods, total_energy: 12, total_time: 1, total_cost: { excl_vat: 4.8, incl_vat: 5.808 }, total_energy_cost: { excl_vat: 4.8, incl_vat: 5.808 }, last_updated: at(61) });
        const record = await send('cdr', cdrId, 'POST', cdrsUrl, cdr);
        entry.cdrAcknowledged = record.outcome === 'acknowledged';
      } finally {
        inFlight -= 1;
      }
      await sleep(options.writeGapMs);
    }
  };

  const chargerWorker = async () => {
    // E1 of each of our locations is the drivers'; the others are the chargers'.
    const evses = world.network.locations.flatMap((location) => location.evses.slice(1).map((evse) => ({ location, evse })));
    const statuses = new Map<string, string>();
    while (await gate()) {
      inFlight += 1;
      try {
        const pick = evses[Math.floor(Math.random() * evses.length)]!;
        const current = statuses.get(pick.evse.uid) ?? 'AVAILABLE';
        const status = current === 'AVAILABLE' ? ['CHARGING', 'RESERVED', 'OUTOFORDER'][Math.floor(Math.random() * 3)]! : 'AVAILABLE';
        await callUnary<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>(
          world.clients.locations.reportEvseStatus.bind(world.clients.locations),
          { party: { countryCode: pick.location.country_code, partyId: pick.location.party_id }, locationId: pick.location.id, evseUid: pick.evse.uid, status, at: '' },
          5_000,
        ).then(
          () => {
            statuses.set(pick.evse.uid, status);
            ledger.chargerReports.ok += 1;
          },
          (error: unknown) => {
            ledger.chargerReports.failed += 1;
            count(ledger.chargerReports.reasons, error instanceof Error ? error.message : String(error));
          },
        );
      } finally {
        inFlight -= 1;
      }
      await sleep(options.chargerTickMs);
    }
  };

  const driverWorker = async () => {
    const commandsUrl = world.emsp.peerEndpoint('commands', 'RECEIVER');
    const bays = world.network.locations.map((location) => ({ location: location.id, evse: location.evses[0]!.uid, sessionId: undefined as string | undefined, responseUrl: '', since: 0 }));
    let round = 0;
    const command = async (type: string, body: Record<string, unknown>) => {
      ledger.driverCommands.sent += 1;
      const answer = await ocpiCall(world.emsp.state.peerToken!, 'POST', `${commandsUrl}${type}`, body, 10_000);
      const accepted = (answer.data as { result?: string } | undefined)?.result === 'ACCEPTED';
      if (accepted) ledger.driverCommands.accepted += 1;
      else {
        ledger.driverCommands.failed += 1;
        count(ledger.driverCommands.reasons, `${type}: HTTP ${answer.http} ${answer.status ?? ''} ${JSON.stringify(answer.data ?? answer.message ?? answer.error ?? '')}`);
      }
      return accepted;
    };
    while (await gate()) {
      round += 1;
      for (const bay of bays) {
        if (!bay.responseUrl) continue;
        const started = world.csms.handled.find((done) => done.type === 'START_SESSION' && done.responseUrl === bay.responseUrl);
        if (started?.sessionId) bay.sessionId = started.sessionId;
        const stale = Date.now() - bay.since > options.driverSessionMs;
        if (bay.sessionId && stale) {
          await command('STOP_SESSION', { response_url: `${world.emsp.baseUrl}/ocpi/2.2.1/commands/STOP_SESSION/chaos-stop-${round}-${bay.evse}`, session_id: bay.sessionId });
          Object.assign(bay, { sessionId: undefined, responseUrl: '', since: 0 });
        } else if (!bay.sessionId && Date.now() - bay.since > 3 * options.driverSessionMs) {
          // The start never became a session (a fault ate the command): the bay is free again.
          Object.assign(bay, { responseUrl: '', since: 0 });
        }
      }
      const busy = bays.filter((bay) => bay.responseUrl).length;
      const free = bays.filter((bay) => !bay.responseUrl);
      if (busy < options.driverSessions && free.length > 0) {
        const bay = free[Math.floor(Math.random() * free.length)]!;
        const responseUrl = `${world.emsp.baseUrl}/ocpi/2.2.1/commands/START_SESSION/chaos-${round}-${bay.evse}`;
        if (await command('START_SESSION', { response_url: responseUrl, token: THEIR_DRIVER, location_id: bay.location, evse_uid: bay.evse, connector_id: '1' })) {
          Object.assign(bay, { responseUrl, since: Date.now() });
        }
      }
      await sleep(500);
    }
  };

  const workers = [statusWorker(), chargerWorker(), driverWorker(), ...Array.from({ length: options.sessionWorkers }, () => sessionWorker())];
  return load;
}
