// Crafted reports for the renderers' unit tests: complete by the types, with a timeline
// that looks like a real one (a leak climbs each round and stays; a fixed server returns).
import type { HeapDiff } from "../../../src/heap/model.js";
import type { RunReport } from "../../../src/report-schema/run-report.js";
import type { PhaseSpan, RunPhase, Sample, ScenarioResult } from "../../../src/report-schema/scenario.js";
import type { CheckResult } from "../../../src/report-schema/verdict.js";

const MB = 1024 * 1024;
export const GAUGE_NAMES = ["activeSessions", "questionTimers", "performanceCache", "socketMappings", "connectedSockets"];

/** A timeline: warm-up, baseline, `rounds` rounds, settle, final; `leakPerRound` sessions left behind each round. */
export function timeline(options: { rounds: number; leakPerRound: number; bytesPerLeak: number }): { samples: Sample[]; phases: PhaseSpan[] } {
  const samples: Sample[] = [];
  const phases: PhaseSpan[] = [];
  let t = 0;
  let leaked = 0;
  let sessions = 0;
  const base = 8 * MB;
  const sample = (phase: RunPhase, heapUsed: number, clients: number, gc?: string) => {
    const gauges = Object.fromEntries(GAUGE_NAMES.map((name) => [name, name === "connectedSockets" ? clients : leaked + clients]));
    samples.push({
      t,
      phase,
      heapUsed,
      rss: 70 * MB,
      heapTotal: 20 * MB,
      external: 2 * MB,
      arrayBuffers: 40_000,
      gauges,
      timers: leaked + clients,
      sockets: clients,
      sessionsStarted: sessions,
      sessionsFinished: sessions,
      sessionsFailed: 0,
      clients,
      httpRequestsPerSecond: 0,
      ...(gc ? { gc } : {}),
    });
  };
  const phase = (name: RunPhase, ms: number, body: () => void, detail?: string) => {
    const span: PhaseSpan = { phase: name, startMs: t, endMs: t, detail };
    phases.push(span);
    body();
    t = Math.max(t, span.startMs + ms);
    span.endMs = t;
  };
  phase("start", 400, () => undefined);
  phase("warm-up", 1000, () => {
    for (let i = 0; i < 4; i++) {
      t += 250;
      sample("warm-up", base + 2 * MB * Math.random(), 20);
    }
  });
  phase("baseline", 60, () => {
    t += 30;
    sample("baseline", base, 0, "baseline");
  });
  phase("rounds", options.rounds * 2000, () => {
    for (let round = 1; round <= options.rounds; round++) {
      for (let i = 0; i < 6; i++) {
        t += 250;
        sessions += 10;
        sample("rounds", base + leaked * options.bytesPerLeak + (i + 1) * 0.4 * MB, 30);
      }
      leaked += options.leakPerRound;
      t += 200;
      sample("rounds", base + leaked * options.bytesPerLeak, 0, `round ${round}`);
    }
  });
  phase("settle", 500, () => {
    t += 250;
    sample("settle", base + leaked * options.bytesPerLeak + 0.2 * MB, 0);
  });
  phase("final", 60, () => {
    t += 30;
    sample("final", base + leaked * options.bytesPerLeak, 0, "final");
  });
  phase("stop", 50, () => undefined);
  return { samples, phases };
}

function check(name: string, residual: number, budget = 0): CheckResult {
  return { name, baseline: 0, final: residual, residual, budget, pass: residual <= budget };
}

/** A finished scenario: `leaked` sessions left behind (0 = the fixed server). */
export function scenarioResult(name: string, leaked: number, overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  const rounds = 4;
  const sessions = 400;
  const bytesPerLeak = 4096;
  const { samples, phases } = timeline({ rounds, leakPerRound: leaked / rounds, bytesPerLeak });
  const gauges = GAUGE_NAMES.map((gauge) => check(gauge, gauge === "connectedSockets" ? 0 : leaked));
  const handles = [check("active timers", leaked), check("active sockets", 0)];
  const growth = leaked * bytesPerLeak;
  const heapPass = leaked === 0;
  const reasons = [
    ...gauges.filter((g) => !g.pass).map((g) => `${g.name}: ${g.residual} entries left after ${sessions} abrupt closes (budget 0)`),
    ...handles.filter((h) => !h.pass).map((h) => `${h.name}: ${h.residual} more than at the baseline after ${sessions} abrupt closes (budget 0)`),
  ];
  return {
    name,
    source: "bundled",
    sessions,
    seed: 42,
    target: "bundled interview server (leak mode none)",
    settings: { sessions, concurrency: 50, rounds, warmup: 20, httpLoad: false },
    verdict: reasons.length ? "fail" : "pass",
    gauges,
    handles,
    heap: {
      baselineBytes: 8 * MB,
      finalBytes: 8 * MB + growth,
      growthBytes: growth,
      perSessionBytes: leaked ? bytesPerLeak : 12,
      budgetBytes: 1024,
      pass: heapPass,
    },
    reasons,
    load: {
      started: sessions + 20,
      finished: sessions + 20,
      failed: 0,
      peakClients: 50,
      acks: 1200,
      errorAcks: 0,
      httpRequests: 0,
      sessionsPerSecond: 500,
      loadMs: 800,
      driverCpuMsPerSession: 1.1,
      serverCpuMsPerSession: 2.2,
      ackLatencyMs: { p50: 3, p95: 9, p99: 14, max: 20 },
      failures: [],
    },
    heapPoints: samples
      .filter((s) => s.gc && s.gc !== "final")
      .map((s, round) => ({ round, sessions: round * (sessions / rounds), heapUsed: s.heapUsed ?? 0 })),
    harnessMemory: [{ round: 1, sessions: 100, rssBytes: 90 * MB, heapUsedBytes: 20 * MB, afterGc: false }],
    samples,
    phases,
    snapshots: [],
    settle: { tookMs: 300, atBaseline: leaked === 0 },
    timings: { start: 400, "warm-up": 1000, baseline: 60, rounds: 8000, settle: 500, final: 60, stop: 50 },
    notes: [],
    durationMs: 10_070,
    ...overrides,
  };
}

/** A heap diff where `Session` objects grow with every session. */
export function heapDiff(leakingSessions: number): HeapDiff {
  return {
    files: { before: "snapshots/a.baseline.heapsnapshot", after: "snapshots/a.final.heapsnapshot" },
    totals: { before: { count: 50_000, size: 8 * MB }, after: { count: 50_000 + leakingSessions * 10, size: 8 * MB + leakingSessions * 4096 } },
    constructors: [
      { name: "Session", type: "object", countBefore: 0, countAfter: leakingSessions, countDelta: leakingSessions, sizeBefore: 0, sizeAfter: leakingSessions * 3000, sizeDelta: leakingSessions * 3000 },
      { name: "(string)", type: "string", countBefore: 100, countAfter: 100 + leakingSessions, countDelta: leakingSessions, sizeBefore: 4000, sizeAfter: 4000 + leakingSessions * 60, sizeDelta: leakingSessions * 60 },
    ],
    survivors: {
      count: leakingSessions,
      selfSize: leakingSessions * 3000,
      groups: [
        {
          name: "Session",
          type: "object",
          count: leakingSessions,
          selfSize: leakingSessions * 3000,
          retainedSize: leakingSessions * 4000,
          series: [0, leakingSessions / 2, leakingSessions],
          perThousandSessions: 1000,
          trend: "grows",
          leak: leakingSessions > 0,
          path: [{ node: "Map", edge: "activeSessions" }],
          pathText: "activeSessions (Map) → value → Session <&>",
        },
      ],
    },
    timings: { readMs: 100, analyzeMs: 50, bytes: 20 * MB },
  };
}

/** A run of `scenarios`, complete unless told otherwise. */
export function runReport(scenarios: ScenarioResult[], overrides: Partial<RunReport> = {}): RunReport {
  return {
    schemaVersion: 1,
    verdict: scenarios.some((s) => s.verdict === "fail") ? "fail" : "pass",
    partial: false,
    planned: scenarios.map((s) => s.name),
    seed: 42,
    startedAt: "2026-11-25T12:00:00.000Z",
    finishedAt: "2026-11-25T12:00:20.000Z",
    durationMs: 20_000,
    reportDir: "reports/20261125T120000Z-test",
    versions: { leakcheck: "0.1.0", node: "v20.20.2", v8: "11.3", socketIo: "4.8.4" },
    machine: { hostname: "ci", platform: "linux", arch: "x64", cpus: 2, memoryBytes: 24 * 1024 ** 3 },
    options: { scenarios: scenarios.map((s) => s.name), seed: 42 },
    timings: { scenariosMs: Object.fromEntries(scenarios.map((s) => [s.name, s.durationMs])), phasesMs: { rounds: 8000 } },
    files: [{ name: "server.log", bytes: 2048 }, { name: "snapshots/a.final.heapsnapshot", bytes: 9 * MB }],
    scenarios,
    ...overrides,
  };
}
