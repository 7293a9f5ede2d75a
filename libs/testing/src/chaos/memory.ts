import { residentBytes } from '../infra/faults.js';

export interface MemorySummary {
  name: string;
  /** MiB: the first sample of the run, the last, the highest. */
  startMiB: number;
  endMiB: number;
  maxMiB: number;
  samples: number;
  /** How many processes (pids) the name had: a killed and restarted one starts again. */
  incarnations: number;
  /** Least-squares slope of the last incarnation's samples after its warm-up, MiB per minute. */
  slopeMiBPerMin: number;
  /** A clear upward trend: see `hasGrowthTrend`. */
  growing: boolean;
}

interface Sample {
  at: number;
  pid: number;
  bytes: number;
}

const MiB = 1024 * 1024;
const round = (value: number): number => Math.round(value * 10) / 10;

/**
 * Samples the resident set size of named processes (found by a callback, since a restarted
 * process has a new pid) every `intervalMs`, until stopped.
 */
export function sampleMemory(pids: () => Record<string, number | undefined>, intervalMs: number): { stop(): void; summary(): MemorySummary[] } {
  const samples = new Map<string, Sample[]>();
  const take = () => {
    const at = Date.now();
    for (const [name, pid] of Object.entries(pids())) {
      if (pid === undefined) continue;
      const bytes = residentBytes(pid);
      if (bytes === undefined) continue;
      const list = samples.get(name) ?? [];
      list.push({ at, pid, bytes });
      samples.set(name, list);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    summary: () =>
      [...samples].map(([name, list]) => {
        const lastPid = list.at(-1)!.pid;
        const last = list.filter((sample) => sample.pid === lastPid);
        const trend = hasGrowthTrend(last);
        return {
          name,
          startMiB: round(list[0]!.bytes / MiB),
          endMiB: round(list.at(-1)!.bytes / MiB),
          maxMiB: round(Math.max(...list.map((sample) => sample.bytes)) / MiB),
          samples: list.length,
          incarnations: new Set(list.map((sample) => sample.pid)).size,
          slopeMiBPerMin: round(trend.slope),
          growing: trend.growing,
        };
      }),
  };
}

/**
 * A clear upward trend: after the first quarter (warm-up: JIT, caches, pools), the samples
 * rise by more than 2 MiB per minute by least squares, *and* the lowest of the last third
 * stays above the highest of the second quarter: a heap that grows and is never given back,
 * not a sawtooth between collections. Needs at least 12 samples.
 */
export function hasGrowthTrend(samples: { at: number; bytes: number }[]): { slope: number; growing: boolean } {
  if (samples.length < 12) return { slope: 0, growing: false };
  const settled = samples.slice(Math.floor(samples.length / 4));
  const t0 = settled[0]!.at;
  const xs = settled.map((sample) => (sample.at - t0) / 60_000);
  const ys = settled.map((sample) => sample.bytes / MiB);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const mx = mean(xs);
  const my = mean(ys);
  const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  const slope = den === 0 ? 0 : xs.reduce((sum, x, index) => sum + (x - mx) * (ys[index]! - my), 0) / den;
  const second = samples.slice(Math.floor(samples.length / 4), Math.floor(samples.length / 2)).map((sample) => sample.bytes);
  const lastThird = samples.slice(Math.floor((samples.length * 2) / 3)).map((sample) => sample.bytes);
  const growing = slope > 2 && Math.min(...lastThird) > Math.max(...second);
  return { slope, growing };
}
