// The reports as a sink of the run's events: the files appear as the events say, and the
// run (which writes nothing itself) only has to wait for each.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reportSink } from "../../src/report/sink.js";
import { heapDiff, runReport, scenarioResult } from "./support/reports.js";

const parent = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-sink-"));
afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

describe("reportSink", () => {
  it("writes the partial report as a scenario starts, its heap diff as it ends, and the final report at the end", async () => {
    const runDir = path.join(parent, "run");
    fs.mkdirSync(runDir);
    const sink = reportSink({ env: {} });
    const read = () => JSON.parse(fs.readFileSync(path.join(runDir, "report.json"), "utf8"));

    await sink({ type: "run-start", runDir });
    expect(fs.readdirSync(runDir)).toEqual([]);

    const start = { type: "scenario-start", scenario: "abrupt-close", index: 0, total: 1, seed: 42, target: "bundled" } as const;
    await sink({ ...start, report: runReport([], { partial: true, planned: ["abrupt-close"], stoppedDuring: "abrupt-close" }) });
    expect(fs.readdirSync(runDir).sort()).toEqual(["junit.xml", "report.html", "report.json", "report.md"]);
    expect(read()).toMatchObject({ partial: true, scenarios: [] });

    const result = scenarioResult("abrupt-close", 400, { heapDiff: heapDiff(400), heapDiffFiles: { markdown: "abrupt-close.heap-diff.md", html: "abrupt-close.heap-diff.html" } });
    await sink({ type: "scenario-end", scenario: "abrupt-close", verdict: "fail", ms: 10, result });
    expect(fs.readFileSync(path.join(runDir, "abrupt-close.heap-diff.md"), "utf8")).toContain("Session");
    expect(fs.existsSync(path.join(runDir, "abrupt-close.heap-diff.html"))).toBe(true);

    await sink({ type: "run-end", report: runReport([result]) });
    expect(read()).toMatchObject({ partial: false, verdict: "fail", scenarios: [{ name: "abrupt-close" }] });
    // Progress events are not the writer's.
    await sink({ type: "phase", scenario: "abrupt-close", phase: "rounds" });
  });
});
