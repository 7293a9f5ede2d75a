/**
 * One chaos run: the world under load, the faults in turn, a convergence measurement after
 * each, then the checker over everything sent. The short form (`make test`) and the long form
 * (`make chaos`) differ only in their settings.
 */
import { rmSync } from 'node:fs';
import { MESH_PROCESSES, sleep, type MeshProcessName, type SimPartner } from '@voltmesh/testing';
import { Kafka, logLevel } from 'kafkajs';
import { readDeadLetters, sampleMemory, type MemorySummary } from '../../libs/testing/src/chaos/index.js';
import { checkEvseViews, checkLag, explainMismatches, checkOurCdrs, checkPartnerWrites, type CdrDeliveryCheck, type EvseViewCheck, type LagCheck, type PartnerWritesCheck } from './checker.js';
import { startLoad, type Ledger, type Load, type LoadOptions } from './load.js';
import { ocpiCall, type OcpiAnswer } from './ocpi-client.js';
import { probedEvse, startChaosWorld, THEIR_DRIVER, type ChaosWorld, type ChaosWorldOptions } from './world.js';

export interface ChaosSettings {
  dir: string;
  world: Omit<ChaosWorldOptions, 'dir'>;
  load: LoadOptions;
  /** Rounds of the whole fault cycle (the long form repeats it). */
  rounds: number;
  /** Time between killing one mesh process and the next (all are restarted after the last). */
  killSpacingMs: number;
  kafkaDownMs: number;
  ferretDownMs: number;
  /** How long each partner fault lasts: the closed port, 500, 429, slow, truncated. */
  partnerDownMs: number;
  partnerFaultMs: number;
  retryAfterSeconds: number;
  /** The most a convergence may take before the run fails. */
  convergeTimeoutMs: number;
  memorySampleMs: number;
  log?: (line: string) => void;
}

export interface Convergence {
  after: string;
  ms: number;
  /** ms until each part agreed: partner writes found, EVSE views, consumer lag, our CDRs. */
  parts: Record<string, number>;
  converged: boolean;
  problems: string[];
}

export interface KafkaDownProbe {
  write: string;
  answer: OcpiAnswer;
}

export interface ChaosReport {
  seconds: number;
  faults: string[];
  writes: PartnerWritesCheck;
  ourCdrs: CdrDeliveryCheck;
  views: EvseViewCheck;
  lag: LagCheck;
  deadLetters: Record<string, number>;
  convergences: Convergence[];
  kafkaDown: KafkaDownProbe[];
  /** Attempts of Kafka-published writes (statuses, sessions) started and answered while Kafka was down, by answer. */
  kafkaDownAnswers: Record<string, number>;
  /** Such attempts answered 1000: forbidden. */
  kafkaDownAcknowledged: number;
  memory: MemorySummary[];
  chargerReports: Ledger['chargerReports'];
  driverCommands: Ledger['driverCommands'];
  ourSessionsStarted: number;
}

export async function runChaos(settings: ChaosSettings): Promise<ChaosReport> {
  const log = settings.log ?? (() => undefined);
  const started = Date.now();
  rmSync(settings.dir, { recursive: true, force: true });
  const world = await startChaosWorld({ dir: settings.dir, ...settings.world });
  log(`world up in ${Date.now() - started} ms: Kafka ${world.kafkaBrokers.join(',')}, FerretDB ${world.mongoUrl}, gateway ${world.versionsUrl}`);
  const memory = sampleMemory(() => world.pids(), settings.memorySampleMs);
  const load = startLoad(world, settings.load);
  const faults: string[] = [];
  const convergences: Convergence[] = [];
  const kafkaDown: KafkaDownProbe[] = [];
  const partners = { 'partner eMSP (faulty)': world.emsp, 'healthy eMSP': world.healthyEmsp };
  try {
    await sleep(2_000);
    for (let round = 1; round <= settings.rounds; round += 1) {
      const suffix = settings.rounds > 1 ? ` (round ${round})` : '';
      // kill -9 each mesh process in turn (the others keep serving meanwhile), then restart them.
      load.phase = 'mesh-kills';
      for (const process of MESH_PROCESSES) {
        await world.killMeshProcess(process.name as MeshProcessName);
        faults.push(`kill -9 ${process.name}${suffix}`);
        log(`killed ${process.name}`);
        await sleep(settings.killSpacingMs);
      }
      await world.restartMesh();
      load.phase = 'steady';
      log('every mesh process restarted and SERVING');
      convergences.push(await converge(world, load, partners, `kill -9 of each mesh process${suffix}`, settings.convergeTimeoutMs, log));

      // Kafka: kill -9, partner writes while it is down, restart on the same port and data.
      await world.killKafka();
      const kafkaKilledAt = Date.now();
      load.phase = 'kafka-down';
      faults.push(`kill -9 kafka${suffix}`);
      log('killed Kafka');
      kafkaDown.push(...(await probeWhileKafkaDown(world, round)));
      const remaining = kafkaKilledAt + settings.kafkaDownMs - Date.now();
      if (remaining > 0) await sleep(remaining);
      load.phase = 'kafka-restarting';
      await world.restartKafka();
      load.phase = 'steady';
      log('Kafka restarted');
      convergences.push(await converge(world, load, partners, `kill -9 of Kafka${suffix}`, settings.convergeTimeoutMs, log));

      await world.killFerret();
      load.phase = 'ferret-down';
      faults.push(`kill -9 ferretdb${suffix}`);
      log('killed FerretDB');
      await sleep(settings.ferretDownMs);
      await world.restartFerret();
      load.phase = 'steady';
      log('FerretDB restarted');
      convergences.push(await converge(world, load, partners, `kill -9 of FerretDB${suffix}`, settings.convergeTimeoutMs, log));

      // The partner eMSP misbehaves in every way, one after the other.
      load.phase = 'partner-down';
      await world.emsp.goDown();
      faults.push(`partner eMSP down ${settings.partnerDownMs} ms${suffix}`);
      log('partner eMSP down (port closed)');
      await sleep(settings.partnerDownMs);
      await world.emsp.comeUp();
      const partnerFaults = [
        { mode: 'error500' as const, what: 'answers 500' },
        { mode: 'rateLimited' as const, what: `answers 429 Retry-After ${settings.retryAfterSeconds}` },
        { mode: 'slow' as const, what: `answers after ${settings.world.partnerTimeoutMs * 2} ms (our deadline ${settings.world.partnerTimeoutMs} ms)` },
        { mode: 'truncated' as const, what: 'answers truncated JSON' },
      ];
      for (const fault of partnerFaults) {
        load.phase = `partner-${fault.mode}`;
        Object.assign(world.emsp.receiverFault, { mode: fault.mode, retryAfterSeconds: settings.retryAfterSeconds, delayMs: settings.world.partnerTimeoutMs * 2 });
        faults.push(`partner eMSP ${fault.what} for ${settings.partnerFaultMs} ms${suffix}`);
        log(`partner eMSP ${fault.what}`);
        await sleep(settings.partnerFaultMs);
      }
      world.emsp.receiverFault.mode = 'none';
      load.phase = 'steady';
      convergences.push(await converge(world, load, partners, `partner eMSP faults${suffix}`, settings.convergeTimeoutMs, log));
    }
    await load.stop();
    // Sessions still running at our chargers end, so their CDRs are part of the check.
    await stopOurSessions(world);
    const final = await converge(world, undefined, partners, 'the end of the load', settings.convergeTimeoutMs, log);
    convergences.push(final);
    memory.stop();
    if (!final.converged) log(`consumer groups at the end: ${JSON.stringify(await describeLaggingGroups(world))}`);
    const writes = await checkPartnerWrites(world, load.ledger);
    const ourCdrs = await checkOurCdrs(world);
    const views = await checkEvseViews(world, partners);
    if (Object.values(views.mismatches).some((list) => list.length > 0)) for (const line of explainMismatches(views, partners)) log(line);
    const lag = await checkLag(world);
    const deadLetters = await readDeadLetters(world.kafkaBrokers);
    const kafkaDownAnswers: Record<string, number> = {};
    let kafkaDownAcknowledged = 0;
    for (const write of load.ledger.writes.filter((candidate) => candidate.kind !== 'cdr')) {
      for (const attempt of write.attempts.filter((candidate) => candidate.phaseAtStart === 'kafka-down' && candidate.phaseAtEnd === 'kafka-down')) {
        const label = attempt.answer.http === 0 ? 'no answer' : `HTTP ${attempt.answer.http} / ${attempt.answer.status ?? '-'}`;
        kafkaDownAnswers[label] = (kafkaDownAnswers[label] ?? 0) + 1;
        if (attempt.answer.status === 1000) kafkaDownAcknowledged += 1;
      }
    }
    return {
      seconds: Math.round((Date.now() - started) / 1000),
      faults,
      writes,
      ourCdrs,
      views,
      lag,
      deadLetters,
      convergences,
      kafkaDown,
      kafkaDownAnswers,
      kafkaDownAcknowledged,
      memory: memory.summary(),
      chargerReports: load.ledger.chargerReports,
      driverCommands: load.ledger.driverCommands,
      ourSessionsStarted: world.csms.sessions.size,
    };
  } finally {
    memory.stop();
    await load.stop().catch(() => undefined);
    await world.stop();
  }
}

/**
 * Writes that must go through Kafka, sent while it is down: a partner CPO's EVSE status and
 * session, a partner eMSP's token. Each must be answered with an OCPI 3xxx (so the partner
 * retries), never 1000.
 */
async function probeWhileKafkaDown(world: ChaosWorld, round: number): Promise<KafkaDownProbe[]> {
  const cpoToken = world.cpo.state.peerToken!;
  const location = world.partnerNetwork[0]!;
  const sessionId = `BE-PROBE-${round}`;
  const now = new Date().toISOString();
  const probes = [
    {
      write: 'partner CPO PATCH of an EVSE status',
      call: () => ocpiCall(cpoToken, 'PATCH', `${world.cpo.peerEndpoint('locations', 'RECEIVER')}BE/CPO/${probedEvse(world)}`, { status: 'BLOCKED', last_updated: now }),
    },
    {
      write: 'partner CPO PUT of a session',
      call: () =>
        ocpiCall(cpoToken, 'PUT', `${world.cpo.peerEndpoint('sessions', 'RECEIVER')}BE/CPO/${sessionId}`, {
          country_code: 'BE', party_id: 'CPO', id: sessionId, start_date_time: now, kwh: 0, auth_method: 'WHITELIST', location_id: location.id, evse_uid: location.evses[0]!, connector_id: '1', currency: 'EUR', status: 'ACTIVE', last_updated: now,
          cdr_token: { country_code: 'NL', party_id: 'VLM', uid: 'VLM-CHAOS-1', type: 'RFID', contract_id: 'NL-VLM-C00000099-X' },
        }),
    },
    {
      write: 'partner eMSP PUT of a token',
      call: () => ocpiCall(world.emsp.state.peerToken!, 'PUT', `${world.emsp.peerEndpoint('tokens', 'RECEIVER')}DE/EMS/${THEIR_DRIVER.uid}`, { ...THEIR_DRIVER, last_updated: now }),
    },
  ];
  return Promise.all(probes.map(async (probe) => ({ write: probe.write, answer: await probe.call() })));
}

/** Stops what the eMSP's drivers still charge, so every session of the run has its CDR. */
async function stopOurSessions(world: ChaosWorld): Promise<void> {
  const commandsUrl = world.emsp.peerEndpoint('commands', 'RECEIVER');
  for (const [sessionId, progress] of world.csms.sessions) {
    if (progress.ended) continue;
    await ocpiCall(world.emsp.state.peerToken!, 'POST', `${commandsUrl}STOP_SESSION`, { response_url: `${world.emsp.baseUrl}/ocpi/2.2.1/commands/STOP_SESSION/final-${sessionId}`, session_id: sessionId }, 10_000);
  }
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && [...world.csms.sessions.values()].some((progress) => !progress.ended)) await sleep(200);
}

/**
 * Pauses the load (in-flight writes still finish) and measures how long until every part
 * agrees: the partner's acknowledged writes are all found, every partner eMSP's view of our
 * EVSEs is ours, no consumer group lags, every CDR of ours reached the eMSP.
 */
async function converge(world: ChaosWorld, load: Load | undefined, partners: Record<string, SimPartner>, after: string, timeoutMs: number, log: (line: string) => void): Promise<Convergence> {
  const started = Date.now();
  await load?.pause();
  const parts: Record<string, number> = {};
  const problems: string[] = [];
  const ledger = load?.ledger;
  const checks: Record<string, () => Promise<string[]>> = {
    ...(ledger ? { 'partner writes found': async () => (await checkPartnerWrites(world, ledger)).problems } : {}),
    'EVSE views': async () => Object.entries((await checkEvseViews(world, partners)).mismatches).flatMap(([name, list]) => list.map((line) => `${name}: ${line}`)),
    'consumer lag 0': async () => (await checkLag(world)).lagging.map((entry) => `${entry.group} ${entry.topic}: ${entry.lag}`),
    'our CDRs delivered': async () => (await checkOurCdrs(world)).problems,
  };
  const pending = new Set(Object.keys(checks));
  const last: Record<string, string[]> = {};
  while (pending.size > 0 && Date.now() - started < timeoutMs) {
    for (const name of [...pending]) {
      const found = await checks[name]!().catch((error: unknown) => [`check failed: ${String(error)}`]);
      last[name] = found;
      if (found.length === 0) {
        pending.delete(name);
        parts[name] = Date.now() - started;
      }
    }
    if (pending.size > 0) await sleep(250);
  }
  for (const name of pending) problems.push(...(last[name] ?? []).slice(0, 10).map((line) => `${name}: ${line}`));
  load?.resume();
  const result = { after, ms: Date.now() - started, parts, converged: pending.size === 0, problems };
  log(`converged after ${after}: ${result.converged ? `${result.ms} ms` : `NO (${problems.length} problems)`} ${JSON.stringify(parts)}`);
  return result;
}

/** The figures, as `make chaos` prints them. */
export function formatReport(report: ChaosReport): string {
  const lines: string[] = [];
  const w = report.writes;
  lines.push(`chaos run: ${report.seconds} s, ${report.faults.length} faults`);
  lines.push(`partner CPO writes: sent ${w.sent}, acknowledged ${w.acknowledged}, found ${w.found}, pending ${w.pending}, refused ${w.refused}`);
  for (const [kind, figures] of Object.entries(w.byKind)) lines.push(`  ${kind}: sent ${figures.sent}, acknowledged ${figures.acknowledged}, found ${figures.found}`);
  for (const [refusal, count] of Object.entries(w.refusals)) lines.push(`  refused ${count}×: ${refusal}`);
  const c = report.ourCdrs;
  lines.push(`our CDRs to the partner eMSP: ${c.ours}, delivered ${c.delivered}, POSTs ${c.totalPosts}, duplicates after an acknowledgement ${c.duplicatesAfterAck}, re-POSTs after a lost answer ${c.repostsAfterLostAnswer}`);
  lines.push(`our sessions started by the eMSP's drivers: ${report.ourSessionsStarted}; driver commands ${JSON.stringify(report.driverCommands)}; charger status reports ${JSON.stringify(report.chargerReports)}`);
  lines.push(`EVSE views (${report.views.evses} EVSEs): ${Object.entries(report.views.mismatches).map(([name, list]) => `${name} ${list.length} mismatches`).join(', ')}`);
  lines.push(`consumer groups: ${report.lag.groups}, lagging ${report.lag.lagging.length}; dead letters ${JSON.stringify(report.deadLetters)}`);
  lines.push('while Kafka was down:');
  for (const probe of report.kafkaDown) lines.push(`  ${probe.write}: HTTP ${probe.answer.http}, OCPI ${probe.answer.status ?? '-'} in ${probe.answer.ms} ms ${probe.answer.message ?? probe.answer.error ?? ''}`);
  lines.push(`  the partner CPO's retried writes: ${JSON.stringify(report.kafkaDownAnswers)}; acknowledged ${report.kafkaDownAcknowledged}`);
  lines.push('time to converge:');
  for (const convergence of report.convergences) lines.push(`  after ${convergence.after}: ${convergence.converged ? `${convergence.ms} ms` : 'DID NOT CONVERGE'} ${JSON.stringify(convergence.parts)}${convergence.problems.length ? `\n    ${convergence.problems.join('\n    ')}` : ''}`);
  lines.push('memory (RSS MiB: start / end / max, slope MiB/min of the last incarnation):');
  for (const process of report.memory) lines.push(`  ${process.name.padEnd(16)} ${process.startMiB} / ${process.endMiB} / ${process.maxMiB}, ${process.slopeMiBPerMin}/min${process.incarnations > 1 ? `, ${process.incarnations} pids` : ''}${process.growing ? '  GROWING' : ''}`);
  if (w.problems.length + c.problems.length > 0) lines.push('problems:', ...[...w.problems, ...c.problems].map((problem) => `  ${problem}`));
  return lines.join('\n');
}

/** Members and committed offsets of the groups that still lag (for the log of a failed run). */
async function describeLaggingGroups(world: ChaosWorld): Promise<unknown> {
  const lagging = (await checkLag(world)).lagging;
  const admin = new Kafka({ brokers: world.kafkaBrokers, clientId: 'chaos-describe', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const groups = [...new Set(lagging.map((entry) => entry.group))];
    const described = await admin.describeGroups(groups);
    return await Promise.all(
      described.groups.map(async (group) => ({
        group: group.groupId,
        state: group.state,
        members: group.members.map((member) => member.clientId + ' ' + member.clientHost),
        offsets: await admin.fetchOffsets({ groupId: group.groupId }),
        ends: await Promise.all(lagging.filter((entry) => entry.group === group.groupId).map(async (entry) => ({ topic: entry.topic, ends: await admin.fetchTopicOffsets(entry.topic) }))),
      })),
    );
  } finally {
    await admin.disconnect();
  }
}
