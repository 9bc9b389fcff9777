// Every leak mode of the bundled server, attributed from its heap snapshots to what
// really holds the leak: the right Map of the session store, or for `listeners` the
// emitter the listeners pile up on. And the fixed server: nothing grows, nothing is blamed.

import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SurvivorGroup } from "../../dist/src/heap/model.js";
import { removeDir, ROOT, runCli, tempReportDir } from "../support/cli.js";

interface Report {
  verdict: string;
  reportDir: string;
  scenarios: {
    name: string;
    verdict: string;
    handles?: { name: string; pass: boolean }[];
    reasons: string[];
    clues?: string[];
    snapshots: { label: string; file: string; bytes: number }[];
    heapDiff?: { survivors: { groups: SurvivorGroup[] } };
    heapDiffFiles?: { markdown: string; html: string };
  }[];
}

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

// Warm-up and sessions past 500: the bundled server's 500 recent results evict during the
// rounds, so their turnover shows (a cache still filling is counted as growing: issue 11).
const SMALL = ["--sessions", "200", "--warmup", "320", "--rounds", "4", "--concurrency", "25", "--seed", "11"];

async function run(scenario: string, leak: string): Promise<Report> {
  const result = await runCli(["run", scenario, ...SMALL, "--server-leak", leak, "--snapshots", "always", "--json", "--quiet", "--report-dir", reportDir]);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return JSON.parse(result.stdout) as Report;
}

const leaks = (report: Report) => report.scenarios[0].heapDiff?.survivors.groups.filter((group) => group.leak) ?? [];
const growing = (report: Report) => report.scenarios[0].heapDiff?.survivors.groups.filter((group) => group.trend === "grows") ?? [];

describe("leak modes, attributed from heap snapshots", () => {
  it.each([
    // disconnect on abrupt-close: named by the on-fail test below (the same run, once).
    ["timers", "abrupt-close", /questionTimers \(Map\) → \[entry\] \(Timeout\)/],
    ["cache", "normal-completion", /performanceCache \(Map\) → \[entry\] \(Object \{/],
  ])("%s on %s: the leaked entries are held by the right Map", async (leak, scenario, pathPattern) => {
    const report = await run(scenario, leak);
    const result = report.scenarios[0];
    expect(result.verdict).toBe("fail");
    // The gauge says how many, whatever the heap says (the cache case was gate.test's too).
    if (leak === "cache") expect(result.reasons.join("\n")).toMatch(/performanceCache: 200 entries left/);
    // Timers and cache entries are small: they grow with every session without keeping a
    // kilobyte per session alive, so the gauges fail the scenario and the survivors say where.
    const groups = growing(report);
    expect(groups.map((group) => group.pathText).join("\n")).toMatch(pathPattern);
    const top = groups.find((group) => pathPattern.test(group.pathText))!;
    // Timers of leak mode "timers" fire after questionTimeMs: a few may be gone by the end.
    expect(top.count).toBeGreaterThan(150);
    expect(top.series).toHaveLength(5);
    expect(top.series[3]).toBeGreaterThan(top.series[0] * 3);
    // The sentences carry the retainer path: a reason when the group is a leak by count, a
    // clue (what holds the gauge's leftovers) when it is growing under the count's floor.
    expect([...result.reasons, ...(result.clues ?? [])].some((line) => pathPattern.test(line) && line.includes("objects survive"))).toBe(true);
    // The owner, not whichever timer a timer list's links happen to reach first.
    expect(top.pathText).not.toMatch(/_idle(Next|Prev)|timer lists/);
    // Timers left running after disconnect also fail the active-handles check.
    if (leak === "timers") expect(result.handles?.find((handle) => handle.name === "active timers")?.pass).toBe(false);
  });

  it("listeners on abrupt-close: the module-level emitter's listeners, the leak first in the report", async () => {
    const report = await run("abrupt-close", "listeners");
    const groups = leaks(report);
    expect(groups.length).toBeGreaterThan(0);
    const top = groups[0];
    expect(top.name).toBe("(closure)");
    // `export const questionBank = …` in src/server/questions.ts: named as the module's variable, on its line.
    const declared = fs.readFileSync(path.join(ROOT, "src/server/questions.ts"), "utf8").split("\n").findIndex((line) => /^export const questionBank\b/.test(line)) + 1;
    expect(declared).toBeGreaterThan(0);
    const expected = new RegExp(`^questionBank \\(QuestionBank, module src/server/questions\\.ts:${declared}\\) → "updated" listeners \\([\\d,]+\\) → listener at src/server/handlers\\.ts:\\d+$`);
    expect(top.pathText).toMatch(expected);
    expect(report.scenarios[0].reasons.some((reason) => reason.includes(top.pathText))).toBe(true);
    // The report: the leak in the table, everything that stopped growing folded under it.
    const html = fs.readFileSync(path.join(path.resolve(report.reportDir), report.scenarios[0].heapDiffFiles!.html), "utf8");
    const [shown, folded = ""] = html.split("<details>");
    expect(shown).toContain("questionBank (QuestionBank, module src/server/questions.ts");
    expect(shown).not.toContain("parser_buffer");
    expect(folded).toMatch(/<summary>\d+ more groups that stopped growing/);
  });

  it("the fixed server: snapshots kept owner-only, a heap-diff report, and no survivor blamed", async () => {
    const report = await run("abrupt-close", "none");
    const result = report.scenarios[0];
    expect(result.verdict).toBe("pass");
    expect(leaks(report)).toEqual([]);
    // At 200 sessions the heap interval may straddle the budget: a round or two more (and a snapshot after them) settle it.
    const labels = result.snapshots.map((snapshot) => snapshot.label);
    expect(labels.slice(0, 5)).toEqual(["baseline", "round 1", "round 2", "round 3", "round 4"]);
    expect(labels.at(-1)).toBe("final");
    const runDir = path.resolve(report.reportDir);
    for (const snapshot of result.snapshots) {
      const stat = fs.statSync(path.join(runDir, snapshot.file));
      expect(stat.mode & 0o777).toBe(0o600);
      expect(stat.size).toBe(snapshot.bytes);
    }
    expect(fs.statSync(path.join(runDir, "snapshots")).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(runDir, result.heapDiffFiles!.markdown), "utf8")).toContain("Survivors");
    // leakcheck's own probe (its scopes, its call on the stack while it writes the snapshot) is not the server's.
    const groups = result.heapDiff?.survivors.groups ?? [];
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.map((group) => group.pathText).join("\n")).not.toMatch(/probe\/agent|Object \{ file, token, cmd \}|writeSnapshot/);
    expect(fs.readFileSync(path.join(runDir, result.heapDiffFiles!.html), "utf8")).not.toMatch(/probe\/agent/);
  });

  it("--snapshots on-fail keeps nothing when the scenario passes, and explains a failure", async () => {
    const passing = await runCli(["run", "abrupt-close", ...SMALL, "--snapshots", "on-fail", "--json", "--quiet", "--report-dir", reportDir]);
    const passed = JSON.parse(passing.stdout) as Report;
    expect(passed.scenarios[0].verdict).toBe("pass");
    expect(passed.scenarios[0].snapshots).toEqual([]);
    expect(fs.existsSync(path.join(path.resolve(passed.reportDir), "snapshots"))).toBe(false);

    const failing = await runCli(["run", "abrupt-close", ...SMALL, "--server-leak", "disconnect", "--snapshots", "on-fail", "--json", "--quiet", "--report-dir", reportDir]);
    const failed = JSON.parse(failing.stdout) as Report;
    // The baseline, one half way and one after the last round: two intervals date the survivors.
    expect(failed.scenarios[0].snapshots.map((snapshot) => snapshot.label)).toEqual(["baseline", "round 2", "round 4"]);
    const explained = [...failed.scenarios[0].reasons, ...(failed.scenarios[0].clues ?? [])];
    expect(explained.some((line) => line.includes("objects survive") && line.includes("activeSessions (Map)")), explained.join("\n")).toBe(true);
  });
});
