// Load held: random-churn at its highest default concurrency (1,000 clients at once,
// with HTTP load alongside) on the fixed server: every session finishes, no ack is a
// protocol error, and the ack latency percentiles are in every report.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeDir, runCli, tempReportDir } from "../support/cli.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

describe("load held", () => {
  it("random-churn at its default concurrency: zero protocol errors, latency percentiles reported", { timeout: 120_000 }, async () => {
    const result = await runCli(["run", "random-churn", "--seed", "7", "--snapshots", "never", "--json", "--quiet", "--report-dir", reportDir], { timeoutMs: 110_000 });
    expect(result.code, `${result.stderr} ${result.stdout.slice(0, 2000)}`).toBe(0);
    const report = JSON.parse(result.stdout) as {
      scenarios: {
        settings: { concurrency: number };
        load: { failed: number; errorAcks: number; acks: number; peakClients: number; httpRequests: number; ackLatencyMs: { p50: number; p95: number; p99: number; max: number } };
      }[];
      reportDir: string;
    };
    const { settings, load } = report.scenarios[0];
    expect(settings.concurrency).toBe(1000);
    // Most of the 1,000 at once (how many overlap depends on how fast the machine connects them).
    expect(load.peakClients).toBeGreaterThanOrEqual(500);
    // Protocol errors: none. A session may still time out on an overloaded machine (CI shares its cores).
    expect(load.errorAcks).toBe(0);
    expect(load.failed, JSON.stringify((report.scenarios[0].load as { failures?: unknown }).failures)).toBeLessThanOrEqual(10);
    expect(load.acks).toBeGreaterThan(2000);
    expect(load.httpRequests).toBeGreaterThan(0);
    const { p50, p95, p99, max } = load.ackLatencyMs;
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);
    const markdown = fs.readFileSync(path.join(report.reportDir, "report.md"), "utf8");
    expect(markdown).toContain(`| ${load.failed} | 0 | ${p50} / ${p99} ms |`);
    expect(fs.readFileSync(path.join(report.reportDir, "report.html"), "utf8")).toContain(`ack latency p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms`);
  });
});
