// A run stopped by fail-fast stopped on errors, and every report's summary says so: the
// scenario it stopped on is counted as errored, and how it stopped is named (report.html
// said "0 of 1 scenario judged: 0 passed, 0 leaked, 0 errored").
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, removeDir, runCli, tempReportDir } from "../support/cli.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

const SUMMARY = "2 scenarios: 1 passed, 0 leaked, 1 errored (all-fail stopped by fail-fast: its first sessions all failed)";

describe("a run stopped by fail-fast", () => {
  it("says in the terminal, report.md, report.html and report.json that it stopped on errors", { timeout: 90_000 }, async () => {
    // A heap budget out of the way: the first scenario must pass on 8 sessions, its heap noise aside.
    const budget = path.join(reportDir, "budget.json");
    fs.writeFileSync(budget, JSON.stringify({ heap: { perSessionBytes: 10_000_000 } }));
    const args = ["run", "normal-completion", path.join(FIXTURES, "all-fail-scenario.mjs"), "--sessions", "8", "--warmup", "3", "--rounds", "1", "--max-sessions", "8"];
    const result = await runCli([...args, "--budget", budget, "--no-snapshots", "--quiet", "--report-dir", reportDir], { timeoutMs: 80_000 });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^leakcheck: the first 3 sessions of all-fail all failed, all with: this session always fails/);
    expect(result.stdout).toContain(`ERROR: the run could not be judged  ${SUMMARY} · seed`);

    const runDir = path.join(reportDir, fs.readlinkSync(path.join(reportDir, "latest")));
    const report = JSON.parse(fs.readFileSync(path.join(runDir, "report.json"), "utf8")) as Record<string, unknown>;
    expect(report).toMatchObject({ verdict: "error", partial: true, stoppedDuring: "all-fail", stoppedBy: "fail-fast" });
    const markdown = fs.readFileSync(path.join(runDir, "report.md"), "utf8");
    expect(markdown).toContain(`<sub>${SUMMARY} · seed`);
    expect(markdown).toMatch(/^\| all-fail \| ⚠️ stopped by fail-fast \|/m);
    const html = fs.readFileSync(path.join(runDir, "report.html"), "utf8");
    expect(html).toContain(`<p>${SUMMARY} · seed`);
    expect(html).not.toContain("0 errored");
  });
});
