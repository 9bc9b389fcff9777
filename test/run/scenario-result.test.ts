// The pure end of a scenario: what the judge is given, and the result the reports render,
// which must be what the report schema describes. And the phase clock that times it.
import { describe, expect, it } from "vitest";
import { scenarioResultSchema } from "../../src/report-schema/scenario.js";
import type { Measurement } from "../../src/run/measure.js";
import { PhaseClock } from "../../src/run/phase-clock.js";
import { buildScenarioResult, measurementsFor, type ScenarioFacts } from "../../src/run/scenario-result.js";
import { DEFAULT_BUDGET } from "../../src/verdict/budget.js";
import { judge } from "../../src/verdict/judge.js";
import { heapDiff } from "../report/support/reports.js";

const MB = 1024 * 1024;
const point = (gauges: Record<string, number>, heapUsed: number, extra: Partial<Measurement> = {}): Measurement => ({ at: 0, gauges, heapUsed, ...extra });

const judgeInput = {
  name: "abrupt-close",
  sessionLabel: "abrupt closes",
  sessions: 400,
  gauges: ["activeSessions"],
  baseline: point({ activeSessions: 0, extra: 9 }, 8 * MB, { timers: 2, sockets: 1, serverCpuMs: 100 }),
  final: point({ activeSessions: 40, extra: 9 }, 9 * MB, { timers: 2, sockets: 1 }),
  probe: true,
  heapPoints: [
    { round: 0, sessions: 0, heapUsed: 8 * MB },
    { round: 1, sessions: 400, heapUsed: 9 * MB },
  ],
  failedSessions: 0,
  failureSummary: [],
};

describe("measurementsFor", () => {
  it("gives the judge the chosen gauges, the handles and the heap, baseline → final", () => {
    const measurements = measurementsFor(judgeInput);
    expect(measurements.gauges).toEqual({ activeSessions: { baseline: 0, final: 40 } });
    expect(measurements.handles).toEqual({ timers: { baseline: 2, final: 2 }, sockets: { baseline: 1, final: 1 } });
    expect(measurements.heap).toEqual({ points: judgeInput.heapPoints, baseline: 8 * MB, final: 9 * MB });
  });

  it("leaves out what was not measured: no handles without timers, no heap without the probe", () => {
    const attached = measurementsFor({ ...judgeInput, probe: false, baseline: point({ activeSessions: 0 }, 8 * MB), final: point({ activeSessions: 0 }, 8 * MB) });
    expect(attached.handles).toBeUndefined();
    expect(attached.heap).toBeUndefined();
  });
});

function facts(overrides: Partial<ScenarioFacts> = {}): ScenarioFacts {
  return {
    name: "abrupt-close",
    source: "bundled",
    seed: 7,
    target: "bundled interview server (leak mode none)",
    settings: { sessions: 400, concurrency: 50, rounds: 2, warmup: 20, httpLoad: false },
    verdict: judge(measurementsFor(judgeInput), DEFAULT_BUDGET),
    load: {
      started: 420,
      finished: 420,
      failed: 0,
      warmupFailed: 0,
      peakClients: 50,
      acks: 1260,
      errorAcks: 0,
      httpRequests: 0,
      ackLatencyMs: { p50: 3.14159, p95: 9, p99: 14.005, max: 20 },
      failures: [],
    },
    drivingMs: 800,
    loadMs: 1200,
    driverCpuMs: 440,
    serverCpuMs: 880,
    heapPoints: judgeInput.heapPoints,
    harnessMemory: [{ round: 1, sessions: 400, rssBytes: 90 * MB, heapUsedBytes: 20 * MB, afterGc: false }],
    samples: [],
    phases: [{ phase: "start", startMs: 0, endMs: 10 }],
    runDir: "/tmp/reports/run",
    snapshots: [{ label: "baseline", file: "/tmp/reports/run/snapshots/abrupt-close.baseline.heapsnapshot", bytes: 1000 }],
    settle: { tookMs: 300, atBaseline: false, last: point({}, 0) },
    timings: { start: 10, rounds: 800 },
    notes: ["a note"],
    logFile: "reports/run/server.log",
    durationMs: 5000,
    ...overrides,
  };
}

describe("buildScenarioResult", () => {
  it("builds what report.json carries, valid by the report schema", () => {
    const result = buildScenarioResult(facts());
    expect(scenarioResultSchema.parse(JSON.parse(JSON.stringify(result)))).toEqual(JSON.parse(JSON.stringify(result)));
    expect(result).toMatchObject({ name: "abrupt-close", sessions: 400, verdict: "fail", logFile: "reports/run/server.log", settle: { tookMs: 300, atBaseline: false } });
    expect(result.reasons).toEqual(["activeSessions: 40 entries left after 400 abrupt closes (budget 0)"]);
    expect(result.load).toMatchObject({ sessionsPerSecond: 500, driverCpuMsPerSession: 1.1, serverCpuMsPerSession: 2.2, ackLatencyMs: { p50: 3.14, p99: 14.01 } });
    expect(result.snapshots).toEqual([{ label: "baseline", file: "snapshots/abrupt-close.baseline.heapsnapshot", bytes: 1000 }]);
    expect(result).not.toHaveProperty("heapDiff");
  });

  it("names the heap diff's report files when there is a diff, and leaves out the log when leakcheck started no server", () => {
    const result = buildScenarioResult(facts({ heapDiff: heapDiff(400), logFile: undefined, serverCpuMs: undefined }));
    expect(result.heapDiffFiles).toEqual({ markdown: "abrupt-close.heap-diff.md", html: "abrupt-close.heap-diff.html" });
    expect(result).not.toHaveProperty("logFile");
    expect(result.load.serverCpuMsPerSession).toBeNull();
  });
});

describe("PhaseClock", () => {
  it("times each phase, sums a phase entered twice, and tells the recorder and the listeners", () => {
    let now = 0;
    const spans: string[] = [];
    const events: string[] = [];
    const clock = new PhaseClock("x", { enterPhase: (phase, detail) => spans.push(detail ? `${phase}: ${detail}` : phase) }, (event) => events.push(event.type === "phase" ? event.phase : event.type), () => now);
    now = 100;
    clock.enter("warm-up", "20 sessions");
    now = 350;
    clock.enter("baseline");
    now = 400;
    clock.enter("heap-diff");
    now = 450;
    clock.enter("baseline");
    now = 470;
    expect(clock.phase).toBe("baseline");
    expect(clock.read()).toEqual({ start: 100, "warm-up": 250, baseline: 70, "heap-diff": 50 });
    expect(spans).toEqual(["start", "warm-up: 20 sessions", "baseline", "heap-diff", "baseline"]);
    expect(events).toEqual(["start", "warm-up", "baseline", "heap-diff", "baseline"]);
  });
});
