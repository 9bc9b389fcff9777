// Fail fast, as a new user meets it: a chat app's scenario with one mistake (a wrong
// namespace, a wrong token, a misspelt event) stops within seconds with exit 3 and one
// sentence naming the cause; the same scenario without the mistake runs and passes.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { errorLines, FIXTURES, removeDir, runCli, tempReportDir } from "../support/cli.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

const SERVER = `node ${path.join(FIXTURES, "chat/server.mjs")}`;
const SCENARIO = path.join(FIXTURES, "chat/scenario.mjs");

function chat(mistake: string, extra: string[] = []) {
  const started = Date.now();
  return runCli(["run", SCENARIO, "--server", SERVER, "--snapshots", "never", "--quiet", "--report-dir", path.join(reportDir, mistake), ...extra], {
    env: { CHAT_MISTAKE: mistake },
    timeoutMs: 60_000,
  }).then((result) => ({ ...result, ms: Date.now() - started, lines: errorLines(result.stderr) }));
}

describe("fail fast on a scenario that cannot work", () => {
  it("a wrong namespace: exit 3 within seconds, naming the namespace", async () => {
    const result = await chat("namespace");
    expect(result.code, result.stderr).toBe(3);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(
      /^leakcheck: the first 20 sessions of chat-namespace all failed, all with: the server refused the connection to http:\/\/127\.0\.0\.1:\d+\/chta: Invalid namespace: the server has no such namespace: check ctx\.connect\(\{ namespace \}\)/,
    );
    expect(result.ms).toBeLessThan(15_000);
  });

  it("a wrong token: exit 3 within seconds, with the middleware's message and what to check", async () => {
    const result = await chat("token");
    expect(result.code, result.stderr).toBe(3);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(/refused the connection to http:\/\/127\.0\.0\.1:\d+\/chat: invalid token: the server's middleware refused the handshake: check the auth, query or headers/);
    // Stopped before any scenario finished: stdout still says where the partial reports are.
    expect(result.stdout).toMatch(/^partial reports: \S+\/report\.html /);
    expect(result.ms).toBeLessThan(15_000);
  });

  it("a warm-up smaller than 20 that failed whole: exit 3 at its end, not after more rounds", async () => {
    const result = await chat("event", ["--ack-timeout", "1s", "--warmup", "5", "--concurrency", "5"]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(/^leakcheck: the first 5 sessions of chat-event all failed, all with: no ack for "jion" within 1000 ms/);
  });

  it("an event the server does not handle: exit 3 after one --ack-timeout, naming the event and the wait", async () => {
    const result = await chat("event", ["--ack-timeout", "1s"]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(/all with: no ack for "jion" within 1000 ms: check the event name and namespace, and that the server's handler calls its acknowledgement callback/);
    expect(result.ms).toBeLessThan(15_000);
  });

  it("an option ctx.connect does not have: exit 2 at the first session, naming the known ones", async () => {
    const result = await chat("option");
    expect(result.code, result.stderr).toBe(2);
    expect(result.lines).toEqual(['leakcheck: ctx.connect(): unknown option "room": the options are namespace, auth, query, headers, path, transports, via']);
  });

  it("the same scenario without the mistake runs to a pass", async () => {
    const result = await chat("none", ["--warmup", "10", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const scenario = JSON.parse(result.stdout).scenarios[0];
    expect(scenario.load).toMatchObject({ failed: 0, finished: 50 });
    // Every client opened through ctx.connect is counted; how many overlap (at most the
    // concurrency of 10) depends on timing, so only a bound is asserted.
    expect(scenario.load.peakClients).toBeGreaterThanOrEqual(2);
    expect(scenario.load.peakClients).toBeLessThanOrEqual(10);
    expect(scenario.load.acks).toBe(100);
  });
});

describe("setup and teardown hooks", () => {
  const hooked = (env: Record<string, string>, name: string) =>
    runCli(["run", path.join(FIXTURES, "chat/setup-scenario.mjs"), "--server", SERVER, "--snapshots", "never", "--quiet", "--report-dir", path.join(reportDir, name)], {
      env,
      timeoutMs: 60_000,
    });

  it("setup's result reaches every session as ctx.setup; teardown gets the run and the same value", async () => {
    const file = path.join(reportDir, "teardown.json");
    const result = await hooked({ CHAT_TEARDOWN_FILE: file }, "hooks");
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
      setup: { token: "let-me-in" },
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      sessions: 20,
      warmup: 5,
      scenario: "chat-setup",
    });
  });

  it("a setup that throws is exit 3 naming the hook, and no teardown runs", async () => {
    const file = path.join(reportDir, "no-teardown.json");
    const result = await hooked({ CHAT_SETUP_FAIL: "1", CHAT_TEARDOWN_FILE: file }, "hooks-fail");
    expect(result.code, result.stderr).toBe(3);
    expect(errorLines(result.stderr)).toEqual(["leakcheck: the setup of chat-setup failed: login refused (503): fix the scenario's setup(run)"]);
    expect(existsSync(file)).toBe(false);
  });
});
