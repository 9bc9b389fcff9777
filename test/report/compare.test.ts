// compare's rules on crafted runs: what is a regression (B leaks where A did not, leaves
// more per session, or grows the heap past the allowance above the noise floor) and what is not.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReportSchema } from "../../src/report-schema/run-report.js";
import { renderJson } from "../../src/report/json.js";
import { bytesPerSession } from "../../src/cli/compare.js";
import { compareRuns } from "../../src/report/compare.js";
import { renderComparisonMarkdown } from "../../src/report/compare-render.js";
import { readRunReport, type LoadedRun } from "../../src/report/read-report.js";
import type { ScenarioResult } from "../../src/report-schema/scenario.js";
import { heapDiff, runReport, scenarioResult } from "./support/reports.js";

const MB = 1024 * 1024;
const loaded = (given: string, scenarios: ScenarioResult[]): LoadedRun => ({ given, file: `${given}/report.json`, report: runReport(scenarios) as never });
const withHeap = (name: string, perSessionBytes: number, growthBytes: number) => {
  const scenario = scenarioResult(name, 0);
  return { ...scenario, heap: { ...scenario.heap!, perSessionBytes, growthBytes } };
};

describe("compare", () => {
  it("flags a scenario that passes on A and leaks on B, and the gauges B left behind", () => {
    const comparison = compareRuns(loaded("main", [scenarioResult("abrupt-close", 0)]), loaded("branch", [scenarioResult("abrupt-close", 400)]));
    expect(comparison.regression).toBe(true);
    const [scenario] = comparison.scenarios;
    expect(scenario.regressions[0]).toMatch(/^verdict: passes on A, leaks on B \(activeSessions: 400 entries left/);
    expect(scenario.checks.filter((check) => check.regression).map((check) => check.name)).toEqual([
      "activeSessions",
      "questionTimers",
      "performanceCache",
      "socketMappings",
      "active timers",
    ]);
    expect(renderComparisonMarkdown(comparison)).toMatch(/\| abrupt-close \| PASS → LEAK \| .* \| ❌ yes \|/);
  });

  it("does not flag the same runs, nor the same leak on both sides (per session, whatever the run size)", () => {
    expect(compareRuns(loaded("a", [scenarioResult("x", 0)]), loaded("b", [scenarioResult("x", 0)])).regression).toBe(false);
    const a = scenarioResult("x", 400);
    const b = scenarioResult("x", 800, { sessions: 800 });
    expect(compareRuns(loaded("a", [a]), loaded("b", [b])).scenarios[0].checks.some((check) => check.regression)).toBe(false);
    expect(compareRuns(loaded("a", [scenarioResult("x", 100)]), loaded("b", [scenarioResult("x", 400)])).regression).toBe(true);
  });

  it("heap: more than --max-regression per session above A is a regression, unless B grew less than the noise floor", () => {
    const a = loaded("a", [withHeap("x", 100, 0.1 * MB)]);
    expect(compareRuns(a, loaded("b", [withHeap("x", 3000, 3 * MB)]), 1024).scenarios[0].regressions[0]).toMatch(
      /^heap: grows 2\.9 KB per session on B, 100 B on A \(\+2\.8 KB, allowed \+1\.0 KB; 3\.0 MB in all on B\)/,
    );
    expect(compareRuns(a, loaded("b", [withHeap("x", 3000, 3 * MB)]), 4096).regression).toBe(false);
    expect(compareRuns(a, loaded("b", [withHeap("x", 3000, 0.5 * MB)]), 1024).regression).toBe(false);
  });

  it("a gauge over its residual but within budget is no regression", () => {
    const b = scenarioResult("x", 0);
    b.gauges = b.gauges.map((gauge) => (gauge.name === "connectedSockets" ? { ...gauge, residual: 2, budget: 2, pass: true } : gauge));
    expect(compareRuns(loaded("a", [scenarioResult("x", 0)]), loaded("b", [b])).regression).toBe(false);
  });

  it("notes scenarios that ran on one side only, and lists B's fastest-growing constructors beside A's", () => {
    const comparison = compareRuns(
      loaded("a", [scenarioResult("x", 0, { heapDiff: heapDiff(0) }), scenarioResult("only-a", 0)]),
      loaded("b", [scenarioResult("x", 0, { heapDiff: heapDiff(400) }), scenarioResult("only-b", 0)]),
    );
    expect(comparison.regression).toBe(false);
    expect(comparison.scenarios.map((s) => [s.name, s.notes[0]])).toEqual([
      ["x", undefined],
      ["only-a", "not in B: it did not run there, so it cannot regress"],
      ["only-b", "not in A: nothing to compare it with"],
    ]);
    expect(comparison.scenarios[0].constructors[0]).toEqual({ name: "Session", perSessionA: 0, perSessionB: 3000 });
    expect(comparison.scenarios[0].constructors[1]).toEqual({ name: "(string)", perSessionA: 0, perSessionB: 60 });
  });
});

describe("--max-regression", () => {
  it("takes heap bytes per session in binary units", () => {
    expect(bytesPerSession("512")).toBe(512);
    expect(bytesPerSession("512B")).toBe(512);
    expect(bytesPerSession("2KB")).toBe(2048);
    expect(bytesPerSession("1.5 mb")).toBe(1.5 * MB);
    expect(bytesPerSession("0")).toBe(0);
    for (const bad of ["", "-1", "lots", "2 GB", "1e3"]) expect(() => bytesPerSession(bad), bad).toThrow(/--max-regression must be heap bytes per session/);
  });
});

describe("one report schema (issue 13)", () => {
  const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

  it("describes what the writer writes: a report.json parses through it unchanged", () => {
    const report = runReport([scenarioResult("abrupt-close", 400, { heapDiff: heapDiff(400) }), scenarioResult("normal-completion", 0)]);
    const written = JSON.parse(renderJson(report));
    expect(runReportSchema.parse(written)).toEqual(written);
    // And it is strict where it should be: a verdict that is none of the three is not a report.
    expect(runReportSchema.safeParse({ ...written, verdict: "ok" }).success).toBe(false);
  });

  it("reads a report.json as the first version wrote it (no harnessMemory, no heap note) and compares it", async () => {
    const old = await readRunReport(path.join(FIXTURES, "report-first-version.json"), "run A");
    expect(old.report.scenarios.map((scenario) => [scenario.name, scenario.verdict, scenario.heap?.perSessionBytes])).toEqual([
      ["abrupt-close", "fail", 4096],
      ["normal-completion", "pass", 12],
    ]);
    const now = loaded("now", [scenarioResult("abrupt-close", 0), scenarioResult("normal-completion", 0)]);
    const comparison = compareRuns(old, now);
    expect(comparison.regression).toBe(false);
    expect(compareRuns(now, old).scenarios[0].regressions[0]).toMatch(/^verdict: passes on A, leaks on B/);
  });

  it("reads past a field it cannot use, never past a stable one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-schema-"));
    try {
      const written = JSON.parse(renderJson(runReport([scenarioResult("x", 0)])));
      written.scenarios[0].samples = "a newer layout";
      written.machine = { cpus: "many" };
      fs.writeFileSync(path.join(dir, "report.json"), JSON.stringify(written));
      const read = await readRunReport(dir, "run A");
      expect(read.report.scenarios[0].samples).toBeUndefined();
      expect(read.report.scenarios[0].gauges).toHaveLength(5);
      written.scenarios[0].heap.perSessionBytes = "12";
      fs.writeFileSync(path.join(dir, "report.json"), JSON.stringify(written));
      await expect(readRunReport(dir, "run A")).rejects.toThrow(/scenarios\[0\]\.heap\.perSessionBytes: must be a number, got "12"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
