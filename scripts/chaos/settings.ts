import { join } from 'node:path';
import type { ChaosSettings } from './scenario.js';

/** The short form run by `make test` (≤ 150 s of suite time on an idle 2-core machine). */
export function shortSettings(dir: string): ChaosSettings {
  return {
    dir,
    world: { partnerTimeoutMs: 3_000, pushBackoffMaxMs: 4_000, locations: 6, evsesPerLocation: 3, partnerLocations: 2, partnerEvsesPerLocation: 3, meterIntervalMs: 1_000 },
    load: { writeGapMs: 100, sessionWorkers: 2, chargerTickMs: 250, driverSessions: 2, driverSessionMs: 3_000 },
    rounds: 1,
    killSpacingMs: 700,
    kafkaDownMs: 4_000,
    ferretDownMs: 3_000,
    partnerDownMs: 4_000,
    partnerFaultMs: 2_500,
    retryAfterSeconds: 2,
    convergeTimeoutMs: 90_000,
    memorySampleMs: 1_000,
  };
}

const number = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const value = Number(env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

/**
 * The long form (`make chaos`): the fault cycle repeated for CHAOS_MINUTES (each round about
 * 3–5 min on 2 cores), the partner eMSP down for CHAOS_PARTNER_DOWN_S each round.
 */
export function longSettings(root: string, env: NodeJS.ProcessEnv = process.env): ChaosSettings {
  const minutes = number(env, 'CHAOS_MINUTES', 10);
  const partnerDownMs = number(env, 'CHAOS_PARTNER_DOWN_S', 120) * 1_000;
  return {
    dir: env['CHAOS_DIR'] ?? join(root, '.voltmesh-chaos'),
    world: { partnerTimeoutMs: number(env, 'CHAOS_PARTNER_TIMEOUT_MS', 2_000), locations: 20, evsesPerLocation: 4, partnerLocations: 5, partnerEvsesPerLocation: 4, meterIntervalMs: 2_000 },
    load: { writeGapMs: 50, sessionWorkers: 4, chargerTickMs: 100, driverSessions: 4, driverSessionMs: 10_000 },
    // A round is the restarts (~1 min), Kafka and FerretDB (~1 min), the partner faults and the convergences.
    rounds: Math.max(1, Math.round(minutes / (3 + partnerDownMs / 60_000))),
    killSpacingMs: 2_000,
    kafkaDownMs: number(env, 'CHAOS_KAFKA_DOWN_S', 30) * 1_000,
    ferretDownMs: number(env, 'CHAOS_FERRET_DOWN_S', 20) * 1_000,
    partnerDownMs,
    partnerFaultMs: number(env, 'CHAOS_PARTNER_FAULT_S', 20) * 1_000,
    retryAfterSeconds: 5,
    convergeTimeoutMs: number(env, 'CHAOS_CONVERGE_TIMEOUT_S', 600) * 1_000,
    memorySampleMs: 5_000,
  };
}
