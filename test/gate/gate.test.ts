// The gate in both directions, on real processes over loopback: the fixed server
// passes, and each leak mode fails exactly the scenarios that exercise its path.
import { afterAll, describe, expect, it } from "vitest";
import { removeDir, runCli, tempReportDir } from "../support/cli.js";

interface Report {
  verdict: string;
  scenarios: {
    name: string;
    verdict: string;
    sessions: number;
    gauges: { name: string; residual: number; pass: boolean }[];
    handles: { name: string; residual: number; pass: boolean }[] | null;
    heap: { perSessionBytes: number; pass: boolean } | null;
    reasons: string[];
  }[];
}

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

// Small but real runs: enough sessions that one leaked session per session is unmistakable,
// and enough in all (warm-up included) that the bundled server's 500 recent results fill and
// evict during the rounds: a cache still filling is counted as growing, like a leak (issue 11).
const SMALL = ["--sessions", "240", "--warmup", "300", "--rounds", "4", "--concurrency", "30", "--seed", "7"];

async function gate(scenarios: string[], extra: string[] = []): Promise<{ code: number | null; report: Report }> {
  const result = await runCli(["run", ...scenarios, ...SMALL, ...extra, "--json", "--quiet", "--report-dir", reportDir]);
  expect(result.stderr, result.stderr).not.toMatch(/\n\s+at /); // never a stack trace
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

const byName = (report: Report, name: string) => report.scenarios.find((scenario) => scenario.name === name)!;

describe("the leak gate", () => {
  it("passes the fixed server on normal-completion and abrupt-close", async () => {
    const { code, report } = await gate(["normal-completion", "abrupt-close"]);
    expect(report.scenarios.map((s) => [s.name, s.verdict, s.reasons])).toEqual([
      ["normal-completion", "pass", []],
      ["abrupt-close", "pass", []],
    ]);
    expect(code).toBe(0);
  });

  it("fails the seed's bug (leak mode disconnect) on abrupt-close, and says what leaked", async () => {
    const { code, report } = await gate(["normal-completion", "abrupt-close"], ["--server-leak", "disconnect"]);
    expect(code).toBe(1);
    expect(report.verdict).toBe("fail");
    expect(byName(report, "normal-completion").verdict).toBe("pass");
    const abrupt = byName(report, "abrupt-close");
    expect(abrupt.verdict).toBe("fail");
    for (const gauge of ["activeSessions", "questionTimers", "performanceCache", "socketMappings"]) {
      expect(abrupt.gauges.find((g) => g.name === gauge)?.pass).toBe(false);
    }
    expect(abrupt.reasons.join("\n")).toMatch(/activeSessions: \d+ entries left after 240 abrupt closes \(budget 0\)/);
  });

  it("catches a listener leak with the heap check while every gauge is clean", async () => {
    const { code, report } = await gate(["normal-completion"], ["--server-leak", "listeners"]);
    expect(code).toBe(1);
    const normal = byName(report, "normal-completion");
    expect(normal.gauges.every((gauge) => gauge.pass)).toBe(true);
    expect(normal.heap?.pass).toBe(false);
    expect(normal.reasons.join("\n")).toMatch(/^heap: grows .* per session/m);
  });

  it("network-drop: passes the fixed server, fails the seed's bug", async () => {
    // 400 + 150 sessions: the 500 recent results evict during the rounds (see SMALL).
    const args = ["--sessions", "150", "--warmup", "400", "--concurrency", "150", "--rounds", "3"];
    const fixed = await runCli(["run", "network-drop", ...args, "--json", "--quiet", "--report-dir", reportDir]);
    const fixedReport = JSON.parse(fixed.stdout) as Report;
    expect(fixedReport.scenarios[0].reasons).toEqual([]);
    expect(fixed.code).toBe(0);
    // One scenario reads a snapshot per round; a pass keeps none of them, a failure all.
    const snapshotFiles = (stdout: string) => JSON.stringify(JSON.parse(stdout).files).match(/[\w.-]+\.heapsnapshot/g) ?? [];
    expect(snapshotFiles(fixed.stdout)).toEqual([]);
    const leaky = await runCli(["run", "network-drop", ...args, "--server-leak", "disconnect", "--json", "--quiet", "--report-dir", reportDir]);
    expect(leaky.code).toBe(1);
    expect((JSON.parse(leaky.stdout) as Report).scenarios[0].reasons.join("\n")).toMatch(/activeSessions: \d+ entries left/);
    expect(snapshotFiles(leaky.stdout).length).toBeGreaterThanOrEqual(4);
  }, 150_000); // two runs of network-drop, whose drops wait out ping timeouts

  it("random-churn with HTTP load passes the fixed server and replays its seed", async () => {
    const args = ["random-churn", "--sessions", "400", "--warmup", "100", "--concurrency", "200", "--rounds", "2", "--seed", "42"];
    const result = await runCli(["run", ...args, "--json", "--quiet", "--report-dir", reportDir]);
    const report = JSON.parse(result.stdout) as Report & { seed: number; scenarios: { load: { httpRequests: number; failed: number } }[] };
    expect(report.seed).toBe(42);
    expect(report.scenarios[0].reasons).toEqual([]);
    expect(report.scenarios[0].load.httpRequests).toBeGreaterThan(0);
    expect(result.code).toBe(0);
  });
});
