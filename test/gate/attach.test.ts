// --url: attach to a server someone else started; gauges are judged, heap and handles
// are reported as unavailable, and leakcheck leaves that server running.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDir, runCli, tempReportDir } from "../support/cli.js";
import { startServer, stopServers } from "../support/server.js";

const reportDir = tempReportDir();
afterAll(async () => {
  await stopServers();
  removeDir(reportDir);
});

let fixedUrl = "";
let leakyUrl = "";
beforeAll(async () => {
  [fixedUrl, leakyUrl] = (await Promise.all([startServer(["--leak", "none"]), startServer(["--leak", "disconnect"])])).map((server) => server.url);
});

describe("attaching with --url", () => {
  const args = ["abrupt-close", "--sessions", "100", "--warmup", "20", "--rounds", "2", "--json", "--quiet"];

  it("passes a fixed server on gauges alone and says heap checks are unavailable", async () => {
    const result = await runCli(["run", ...args, "--url", fixedUrl, "--report-dir", reportDir]);
    const report = JSON.parse(result.stdout) as { scenarios: { verdict: string; heap: unknown; handles: unknown; notes: string[] }[] };
    expect(report.scenarios[0].verdict).toBe("pass");
    expect(report.scenarios[0].heap).toBeNull();
    expect(report.scenarios[0].handles).toBeNull();
    expect(report.scenarios[0].notes.join(" ")).toMatch(/--url: heap after GC and handle counts are unavailable/);
    expect(result.code).toBe(0);
    // The server's output is not leakcheck's: no server.log, and no report points at one (issue 13).
    const runDir = path.join(reportDir, fs.readlinkSync(path.join(reportDir, "latest")));
    expect(fs.readdirSync(runDir).sort()).toEqual(["junit.xml", "report.html", "report.json", "report.md"]);
    for (const file of ["report.json", "report.md", "report.html", "junit.xml"]) expect(fs.readFileSync(path.join(runDir, file), "utf8")).not.toMatch(/server\.log|server log/);
    expect(result.stdout).not.toContain("server.log");
    const health = await fetch(`${fixedUrl}/api/health`);
    expect(health.status).toBe(200); // still running: not leakcheck's to stop
  });

  it("without --probe, nothing to gauge names the metrics endpoint as all it sees, not a probe", async () => {
    // /api/health answers {"status":"ok"}: an endpoint without one integer field.
    const result = await runCli(["run", "normal-completion", "--sessions", "2", "--quiet", "--url", fixedUrl, "--metrics-path", "/api/health", "--report-dir", reportDir]);
    expect(result.code).toBe(3);
    expect(result.stderr.trim()).toMatch(/^leakcheck: nothing to gauge: GET \S+\/api\/health has no integer fields, or no endpoint, and no probe is inside the server \(attached with --url, leakcheck sees only a metrics endpoint\): point --metrics-path .*, or load the probe into the server and give --probe, or let leakcheck start it with --server$/);
    expect(result.stderr).not.toMatch(/probe found/);
  });

  it("says when --rounds is lowered to --sessions (one session per round at least)", async () => {
    const result = await runCli(["run", "normal-completion", "--sessions", "2", "--rounds", "5", "--warmup", "0", "--json", "--quiet", "--url", fixedUrl, "--report-dir", reportDir]);
    expect(result.code, result.stderr).toBe(0);
    const notes = (JSON.parse(result.stdout) as { scenarios: { notes: string[] }[] }).scenarios[0].notes;
    expect(notes).toContain("rounds lowered to 2: one session per round at least");
  });

  it("fails a leaking server", async () => {
    const result = await runCli(["run", ...args, "--url", leakyUrl, "--report-dir", reportDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/activeSessions: 100 entries left after 100 abrupt closes/);
  });
});

describe("list", () => {
  it("names the four bundled scenarios", async () => {
    const result = await runCli(["list"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").filter(Boolean).map((line) => line.split(/\s+/)[0])).toEqual([
      "normal-completion",
      "abrupt-close",
      "network-drop",
      "random-churn",
    ]);
  });
});
