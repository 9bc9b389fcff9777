// Soak (--duration): random-churn round after round until the time is up. The fixed
// server still passes, and leakcheck's own memory stays flat: its heap after a GC of its
// own does not grow with the sessions it drives, and its RSS does not climb.
import { afterAll, describe, expect, it } from "vitest";
import { removeDir, runCli, tempReportDir } from "../support/cli.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

interface SoakReport {
  verdict: string;
  scenarios: {
    verdict: string;
    sessions: number;
    reasons: string[];
    notes: string[];
    settings: { rounds: number; durationMs?: number };
    load: { failed: number; errorAcks: number };
    harnessMemory: { round: number; sessions: number; rssBytes: number; heapUsedBytes: number; afterGc: boolean }[];
  }[];
}

describe("soak", () => {
  it("keeps going round after round for --duration; the fixed server passes and leakcheck stays flat", { timeout: 120_000 }, async () => {
    const result = await runCli(
      ["run", "random-churn", "--duration", "30s", "--sessions", "800", "--rounds", "4", "--concurrency", "200", "--warmup", "200", "--json", "--quiet", "--report-dir", reportDir],
      { timeoutMs: 110_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const scenario = (JSON.parse(result.stdout) as SoakReport).scenarios[0];
    expect(scenario.verdict, scenario.reasons.join("; ")).toBe("pass");
    expect(scenario.settings.durationMs).toBe(30_000);
    // Rounds of 200 until 30 s have passed: more rounds than --rounds asked, all of them counted.
    const points = scenario.harnessMemory;
    expect(points.length).toBeGreaterThanOrEqual(3);
    expect(scenario.settings.rounds).toBe(points.length);
    expect(scenario.sessions).toBe(points.length * 200);
    expect(points.every((point) => point.afterGc)).toBe(true);
    expect(scenario.load.errorAcks).toBe(0);
    expect(scenario.notes.some((note) => /^soak: \d+ rounds, [\d,]+ sessions in .*leakcheck's own heap after GC/.test(note))).toBe(true);

    // From the second round on (the first fills pools and compiles code): a harness that kept
    // anything per session (a client, its listeners, a latency sample) would grow by more.
    const settled = points.slice(1);
    const heapGrowth = Math.max(...settled.map((point) => point.heapUsedBytes)) - settled[0].heapUsedBytes;
    expect(heapGrowth, `leakcheck's heap after GC grew ${heapGrowth} B over ${points.at(-1)!.sessions - settled[0].sessions} sessions`).toBeLessThan(1_000_000);
    const rssGrowth = points.at(-1)!.rssBytes / Math.max(...points.slice(0, 2).map((point) => point.rssBytes));
    // RSS moves with the allocator's whims: only a climb would be a finding here.
    expect(rssGrowth, `leakcheck's RSS grew ${rssGrowth.toFixed(2)}×`).toBeLessThan(1.5);
  });
});
