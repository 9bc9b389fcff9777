// The failed sessions beside a scenario's `sessions` are the judged ones (after the warm-up),
// the same the reason "N of M sessions failed" counts, and the warm-up's are said apart: a
// new user saw "15 failed" on the terminal above "10 of 80 sessions failed".
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, removeDir, runCli, tempReportDir } from "../support/cli.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

describe("failed sessions", () => {
  it("the terminal, report.md and report.json count the sessions the reason counts, the warm-up's apart", { timeout: 90_000 }, async () => {
    // Indices 0..7 warm up (0 and 4 fail), 8..23 are judged (8, 12, 16, 20 fail); no extra rounds.
    const args = ["run", path.join(FIXTURES, "some-fail-scenario.mjs"), "--no-snapshots", "--max-sessions", "16", "--quiet", "--report-dir", reportDir];
    const result = await runCli(args, { timeoutMs: 80_000 });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/some-fail {2}ERROR {2}16 sessions · .* · 4 failed \(\+2 in warm-up\) · /);
    expect(result.stdout).toContain("✗ 4 of 16 sessions failed (most often: session");

    const runDir = path.join(reportDir, fs.readlinkSync(path.join(reportDir, "latest")));
    const report = JSON.parse(fs.readFileSync(path.join(runDir, "report.json"), "utf8")) as { scenarios: { load: Record<string, number> }[] };
    expect(report.scenarios[0].load).toMatchObject({ started: 24, finished: 18, failed: 4, warmupFailed: 2 });
    const markdown = fs.readFileSync(path.join(runDir, "report.md"), "utf8");
    expect(markdown).toMatch(/^\| some-fail \| ⚠️ ERROR \| 16 \| .* \| 4 \| 0 \| /m);
    expect(markdown).toContain("- 2 of 8 warm-up sessions failed too (not judged)");
    expect(fs.readFileSync(path.join(runDir, "report.html"), "utf8")).toContain("24 sessions started (with warm-up), 18 finished, 4 failed (+2 in warm-up),");
  });
});
