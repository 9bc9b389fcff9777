// The baseline is taken once the warm-up's own work has run out: timers a server defers
// for a second or two after each session must not inflate it and hide a leak of timers.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, removeDir, runCli, tempReportDir } from "../support/cli.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));
// This test is about timers: at 40 sessions the heap slope is too wide to call either way
// (+1.2 ± 0.9 KB per session on a clean run), so the heap budget is set out of the way.
const budget = path.join(reportDir, "budget.json");
fs.mkdirSync(reportDir, { recursive: true });
fs.writeFileSync(budget, JSON.stringify({ heap: { perSessionBytes: 65536 } }));

const run = (leak: boolean) =>
  runCli(
    ["run", path.join(FIXTURES, "join-scenario.mjs"), "--server", `node ${path.join(FIXTURES, "deferred-timer-server.cjs")}`, "--no-snapshots", "--budget", budget, "--json", "--quiet", "--report-dir", reportDir],
    { env: { LEAK: leak ? "1" : "0" }, timeoutMs: 60_000 },
  );

describe("the baseline after the warm-up", () => {
  it("waits for the warm-up's deferred timers: a leak of an interval every second session fails", async () => {
    const result = await run(true);
    expect(result.code, result.stderr).toBe(1);
    const scenario = JSON.parse(result.stdout).scenarios[0];
    expect(scenario.reasons.join("\n")).toMatch(/active timers: 20 more than at the baseline/);
  });

  it("the same app without the leak passes", async () => {
    const result = await run(false);
    expect(result.code, result.stderr).toBe(0);
  });
});
