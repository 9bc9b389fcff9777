// Pure functions at the end of a scenario: what the judge is given (Measurements) and the
// ScenarioResult the reports render, from what the phases measured. No I/O, no clock.

import path from "node:path";
import type { HeapDiff } from "../heap/model.js";
import type { HarnessMemoryPoint, HeapPoint, PhaseSpan, RunPhase, Sample, ScenarioResult, ScenarioSettings } from "../report-schema/scenario.js";
import type { ScenarioVerdict } from "../report-schema/verdict.js";
import type { Measurements } from "../verdict/judge.js";
import type { HeapReading } from "../verdict/heap-trend.js";
import type { LoadCounts } from "./load-driver.js";
import type { Measurement, SettleResult } from "./measure.js";

export interface JudgeInput {
  name: string;
  sessionLabel: string;
  sessions: number;
  gauges: string[];
  baseline: Measurement;
  final: Measurement;
  /** The probe answered: heap after GC and handle counts are measured. */
  probe: boolean;
  heapPoints: HeapPoint[];
  /** Several GC readings per round (issue 11). */
  readings?: HeapReading[];
  /** Sessions that failed after the warm-up. */
  failedSessions: number;
  failureSummary: { message: string; count: number }[];
}

/** What the judge decides on, from the baseline and final measurements. */
export function measurementsFor(input: JudgeInput): Measurements {
  const { baseline, final } = input;
  return {
    name: input.name,
    sessionLabel: input.sessionLabel,
    sessions: input.sessions,
    gauges: Object.fromEntries(input.gauges.map((gauge) => [gauge, { baseline: baseline.gauges[gauge], final: final.gauges[gauge] }])),
    handles:
      baseline.timers !== undefined && final.timers !== undefined
        ? {
            timers: { baseline: baseline.timers, final: final.timers },
            sockets: { baseline: baseline.sockets ?? 0, final: final.sockets ?? 0 },
          }
        : undefined,
    heap:
      input.probe && baseline.heapUsed !== undefined && final.heapUsed !== undefined
        ? { points: input.heapPoints, baseline: baseline.heapUsed, final: final.heapUsed, ...(input.readings ? { readings: input.readings } : {}) }
        : undefined,
    failedSessions: input.failedSessions,
    failureSummary: input.failureSummary,
  };
}

export interface ScenarioFacts {
  name: string;
  source: string;
  seed: number;
  /** How the server under test was started. */
  target: string;
  /** As run: a soak's rounds and sessions are those it ran. */
  settings: ScenarioSettings;
  verdict: ScenarioVerdict;
  load: LoadCounts;
  /** Time with sessions in flight (the measurements between rounds left out). */
  drivingMs: number;
  /** From the first round's start to the last round's end. */
  loadMs: number;
  /** leakcheck's CPU time over the rounds. */
  driverCpuMs: number;
  /** The server's CPU time over the rounds (probe), when measured. */
  serverCpuMs?: number;
  heapPoints: HeapPoint[];
  harnessMemory: HarnessMemoryPoint[];
  samples: Sample[];
  phases: PhaseSpan[];
  runDir: string;
  /** The snapshots kept, with paths as written. */
  snapshots: { label: string; file: string; bytes: number }[];
  heapDiff?: HeapDiff;
  settle: SettleResult | null;
  timings: Partial<Record<RunPhase, number>>;
  notes: string[];
  /** The server's log, relative to the working folder; absent when leakcheck started no server. */
  logFile?: string;
  durationMs: number;
  /** A server of several processes: each one's verdict (issue 12). */
  processes?: ScenarioResult["processes"];
  /** --load: what the command did in each round. */
  externalLoad?: ScenarioResult["externalLoad"];
}

/** The scenario's result as report.json carries it. */
export function buildScenarioResult(facts: ScenarioFacts): ScenarioResult {
  const sessions = facts.settings.sessions;
  const perSession = (ms: number) => round2(ms / Math.max(1, sessions));
  // --load: the command's clients connected and were answered; leakcheck counted none of it, so none of it is 0.
  const counted = facts.externalLoad === undefined;
  return {
    name: facts.name,
    source: facts.source,
    sessions,
    seed: facts.seed,
    target: facts.target,
    settings: facts.settings,
    ...facts.verdict,
    load: {
      started: facts.load.started,
      finished: facts.load.finished,
      failed: facts.load.failed,
      warmupFailed: facts.load.warmupFailed,
      peakClients: counted ? facts.load.peakClients : null,
      acks: counted ? facts.load.acks : null,
      errorAcks: counted ? facts.load.errorAcks : null,
      httpRequests: facts.load.httpRequests,
      sessionsPerSecond: Math.round((sessions / Math.max(1, facts.drivingMs)) * 1000),
      loadMs: facts.loadMs,
      // Both sides over the rounds (the server's includes the GC leakcheck forces after each round).
      driverCpuMsPerSession: perSession(facts.driverCpuMs),
      serverCpuMsPerSession: facts.serverCpuMs === undefined ? null : perSession(facts.serverCpuMs),
      ackLatencyMs: counted
        ? {
            p50: round2(facts.load.ackLatencyMs.p50),
            p95: round2(facts.load.ackLatencyMs.p95),
            p99: round2(facts.load.ackLatencyMs.p99),
            max: round2(facts.load.ackLatencyMs.max),
          }
        : null,
      failures: facts.load.failures,
    },
    heapPoints: facts.heapPoints,
    harnessMemory: facts.harnessMemory,
    samples: facts.samples,
    phases: facts.phases,
    snapshots: facts.snapshots.map((snapshot) => ({ label: snapshot.label, file: path.relative(facts.runDir, snapshot.file), bytes: snapshot.bytes })),
    // The report writer puts the heap diff's own reports under these names.
    ...(facts.heapDiff ? { heapDiff: facts.heapDiff, heapDiffFiles: { markdown: `${facts.name}.heap-diff.md`, html: `${facts.name}.heap-diff.html` } } : {}),
    settle: facts.settle ? { tookMs: facts.settle.tookMs, atBaseline: facts.settle.atBaseline } : null,
    timings: facts.timings,
    notes: facts.notes,
    ...(facts.logFile !== undefined ? { logFile: facts.logFile } : {}),
    durationMs: facts.durationMs,
    ...(facts.processes ? { processes: facts.processes } : {}),
    ...(facts.externalLoad ? { externalLoad: facts.externalLoad } : {}),
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
