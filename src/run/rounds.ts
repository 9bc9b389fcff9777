// The rounds phase: each round of sessions as the plan lays them out (with HTTP load
// beside it when asked), bounded by --round-timeout, then settled and measured after a
// full GC; the heap after GC per round and leakcheck's own memory kept as series.

import { formatDuration } from "../duration.js";
import { RunError } from "../errors.js";
import { startHttpLoad } from "../load/http-load.js";
import type { LoadStats } from "../load/stats.js";
import type { HarnessMemoryPoint, HeapPoint } from "../report-schema/scenario.js";
import type { Target } from "../server-under-test/target.js";
import type { CleanupStack } from "./cleanup.js";
import { withinDeadline } from "./deadline.js";
import { harnessMemory } from "./harness-memory.js";
import type { LoadDriver } from "./load-driver.js";
import type { Measurement } from "./measure.js";
import type { Measurer } from "./measurer.js";
import type { RunOptions } from "./options.js";
import { keepBounded, snapshotAfter, type RoundPlan } from "./round-plan.js";
import type { HeapReading } from "../verdict/heap-trend.js";

/** Between rounds: long enough a quiet window to outlast a resume grace and a proxy's give-up timer. */
export const BETWEEN_ROUNDS = { timeoutMs: 6000, quietMs: 2000, intervalMs: 100 };

export interface RoundsInput {
  plan: RoundPlan;
  m: Measurer;
  load: LoadDriver;
  target: Target;
  stats: LoadStats;
  settings: { sessions: number; rounds: number; warmup: number; httpLoad: boolean };
  options: RunOptions;
  name: string;
  cleanup: CleanupStack;
  baseline: Measurement;
  heapPoints: HeapPoint[];
  /** Several GC readings per round go here (issue 11: the heap interval is drawn from their means); not in a soak. */
  readings?: HeapReading[];
  progress: (round: number, rounds: number, total: number, base: number, extra?: boolean) => NodeJS.Timeout;
}

export interface RoundsOutcome {
  harness: HarnessMemoryPoint[];
  /** The last round's GC point (the baseline when there was no probe to measure rounds with). */
  last: Measurement;
  drivingMs: number;
  loadMs: number;
  driverCpuMs: number;
}

/** The rounds as the plan lays them out, each settled and measured after a full GC. */
export async function runRounds(input: RoundsInput): Promise<RoundsOutcome> {
  const { plan, m, load, target, stats, settings, options, name, heapPoints } = input;
  // HTTP load runs while each round's sessions run, and stops before the round's
  // measurement: its connections would otherwise count as sockets above the baseline.
  const httpPaths = [options.metricsPath, ...(options.target.kind === "bundled" ? ["/api/health", "/api/results/recent"] : [])];
  const withHttpLoad = async <T>(work: Promise<T>): Promise<T> => {
    if (!settings.httpLoad) return work;
    const http = startHttpLoad(target.baseUrl, httpPaths, stats);
    const stopLoad = input.cleanup.push("http load", () => http.stop());
    try {
      return await work;
    } finally {
      await stopLoad();
    }
  };
  const harness: HarnessMemoryPoint[] = [];
  const loadStarted = Date.now();
  const loadCpu = process.cpuUsage();
  let drivingMs = 0; // time with sessions in flight, without the measurements between rounds
  let last = input.baseline;
  for (let round = plan.next(); round; round = plan.next()) {
    const { index, count } = round;
    const ticker = input.progress(index, plan.plannedRounds, plan.progressTotal(round), settings.warmup, plan.extra);
    const doneBefore = stats.sessionsDone;
    try {
      const roundStarted = Date.now();
      const sessions = withinDeadline(load.run(index, settings.warmup + round.before, count), options.roundTimeoutMs, () => {
        const finished = stats.sessionsDone - doneBefore;
        return new RunError(
          `round ${index} of ${name} did not finish within ${formatDuration(options.roundTimeoutMs)} (${finished} of ${count} sessions done): raise --round-timeout, or lower --sessions`,
        );
      });
      await m.guard(withHttpLoad(sessions));
      drivingMs += Date.now() - roundStarted;
    } finally {
      clearInterval(ticker);
    }
    const done = round.before + count;
    let heapUsed: number | undefined;
    if (target.probe) {
      await m.guard(load.proxyDrained(BETWEEN_ROUNDS.timeoutMs * 4));
      await m.settleTo(input.baseline, BETWEEN_ROUNDS);
      const point = await m.gcPoint(`round ${index}`, done, snapshotAfter(plan, index, m.snapshots.mode));
      last = point;
      heapUsed = point.heapUsed;
      if (heapUsed !== undefined) heapPoints.push({ round: index, sessions: done, heapUsed });
      if (input.readings) await m.readHeap(input.readings, index, done, point);
    }
    plan.completed({ round, heapUsed });
    harness.push(harnessMemory(index, done, plan.kind === "soak"));
    // A soak of many short rounds: both series keep their shape at a bounded length.
    keepBounded(heapPoints);
    keepBounded(harness);
  }
  const cpu = process.cpuUsage(loadCpu);
  return { harness, last, drivingMs, loadMs: Date.now() - loadStarted, driverCpuMs: (cpu.user + cpu.system) / 1000 };
}
