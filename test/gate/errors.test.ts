// Bad input and broken servers: one line on stderr, the contract's exit code, nothing left running.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { errorLines, FIXTURES, processesMatching, removeDir, runCli, SERVER_MAIN, tempReportDir } from "../support/cli.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));
const fixture = (name: string) => path.join(FIXTURES, name);

async function expectError(args: string[], code: number, pattern: RegExp) {
  const result = await runCli([...args, "--report-dir", reportDir, "--quiet"]);
  const lines = errorLines(result.stderr);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code).toBe(code);
}

describe("usage errors exit 2 with one line", () => {
  it("unknown scenario", () => expectError(["run", "no-such-scenario"], 2, /unknown scenario "no-such-scenario": use one of .*normal-completion/));
  it("bad --sessions", () => expectError(["run", "all", "--sessions", "abc"], 2, /--sessions must be a whole number .* got `abc`/));
  it("bad --concurrency", () => expectError(["run", "all", "--concurrency", "0"], 2, /--concurrency must be a whole number/));
  it("bad duration", () => expectError(["run", "all", "--settle-timeout", "soon"], 2, /--settle-timeout must be a duration like 500ms/));
  it("bad leak mode", () => expectError(["run", "all", "--server-leak", "everything"], 2, /leak mode must be one of none, disconnect/));
  it("--server with --url", () => expectError(["run", "all", "--server", "npm start", "--url", "http://127.0.0.1:1"], 2, /cannot be used with/));
  it("malformed budget file", () => expectError(["run", "all", "--budget", fixture("bad-budget.json")], 2, /budget file .*gauges\.activeSessions/));
  it("missing budget file", () => expectError(["run", "all", "--budget", fixture("nope.json")], 2, /cannot read budget file .*ENOENT/));
  it("scenario file that throws", () => expectError(["run", fixture("throwing-scenario.mjs")], 2, /failed to load \(scenario setup exploded\)/));
  it("scenario defaults that would test nothing", () =>
    expectError(["run", fixture("zero-sessions-scenario.mjs")], 2, /zero-sessions-scenario\.mjs: defaults\.sessions: .*>=1/));
  it("unknown option", () => expectError(["run", "all", "--sesions", "3"], 2, /unknown option '--sesions'/));
});

describe("servers that cannot be tested exit 3 with one line and leave nothing behind", () => {
  it("a server that crashes on start", async () => {
    await expectError(["run", "normal-completion", "--server", `node ${fixture("crash-server.cjs")}`], 3, /exited with code 1 before it was ready.*Cannot find module/);
    expect(processesMatching("crash-server.cjs")).toEqual([]);
  });
  it("a server that never gets ready", async () => {
    await expectError(
      ["run", "normal-completion", "--server", `node ${fixture("never-ready-server.cjs")}`, "--ready-timeout", "1s"],
      3,
      /did not answer GET .*\/api\/metrics with 2xx within 1000 ms.*raise --ready-timeout/,
    );
    expect(processesMatching("never-ready-server.cjs")).toEqual([]);
  });
  it("a server that serves garbage metrics", async () => {
    await expectError(["run", "normal-completion", "--server", `node ${fixture("garbage-metrics-server.cjs")}`], 3, /did not return JSON .*--metrics-path/);
    expect(processesMatching("garbage-metrics-server.cjs")).toEqual([]);
  });
  it("a scenario that leaves an unhandled rejection", async () => {
    await expectError(["run", fixture("stray-rejection-scenario.mjs")], 3, /unexpected error: stray promise in a scenario/);
    expect(processesMatching(SERVER_MAIN)).toEqual([]);
  });
  it("a --port already taken", async () => {
    const net = await import("node:net");
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expectError(["run", "normal-completion", "--port", String(port)], 3, new RegExp(`port ${port} is already in use`));
    } finally {
      blocker.close();
    }
  });
});

describe("user scenarios", () => {
  it("runs a TypeScript scenario file by path and lists ./scenarios/ files", async () => {
    const result = await runCli(["run", fixture("quick-scenario.ts"), "--json", "--quiet", "--report-dir", reportDir]);
    const report = JSON.parse(result.stdout) as { scenarios: { name: string; verdict: string }[] };
    expect(report.scenarios.map((s) => [s.name, s.verdict])).toEqual([["quick-end", "pass"]]);
    expect(result.code).toBe(0);
  });
});
