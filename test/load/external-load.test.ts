// The --load runner on its own: the round's environment, the output in the run folder,
// a failing command as a RunError with its last lines, a timeout and an abort that kill it.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runExternalLoad } from "../../dist/src/load/external-load.js";
import { RunError } from "../../dist/src/errors.js";
import { TreeWatcher } from "../support/processes.js";

const script = path.resolve("test/fixtures/load/env-load.mjs");
let runDir: string;
beforeEach(async () => {
  runDir = await fs.mkdtemp(path.join(os.tmpdir(), "leakcheck-load-test-"));
});
afterEach(async () => {
  await fs.rm(runDir, { recursive: true, force: true });
});

const round = (command: string, extra: Partial<Parameters<typeof runExternalLoad>[0]> = {}) => ({
  command,
  url: "http://127.0.0.1:4999",
  sessions: 25,
  round: 2,
  runDir,
  scenario: "abrupt-close",
  timeoutMs: 10_000,
  signal: new AbortController().signal,
  ...extra,
});

describe("runExternalLoad", () => {
  it("gives the command the round's environment and keeps its output in the run folder", async () => {
    const result = await runExternalLoad(round(`node ${JSON.stringify(script)}`));
    expect(result).toMatchObject({ round: 2, sessions: 25, exitCode: 0, output: "load/abrupt-close.round-2.log" });
    expect(result.tail).toEqual(["url=http://127.0.0.1:4999 sessions=25 round=2"]);
    expect(await fs.readFile(path.join(runDir, "seen.txt"), "utf8")).toBe("2:25\n");
    const mode = (await fs.stat(path.join(runDir, result.output))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it("turns a failing command into a RunError naming the round, the exit code and its last lines", async () => {
    const error = await runExternalLoad(round(`LOAD_EXIT=7 node ${JSON.stringify(script)}`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toMatch(/the load command exited with code 7 in round 2's load/);
    expect((error as Error).message).toMatch(/ECONNREFUSED: giving up/);
    expect((error as Error).message).toMatch(/load\/abrupt-close\.round-2\.log/);
  });

  it("kills a command that outlives the round timeout, and everything it started", async () => {
    const watcher = new TreeWatcher(process.pid, 50);
    const started = Date.now();
    const error = await runExternalLoad(
      round(`LOAD_SLEEP_MS=60000 node ${JSON.stringify(script)} & LOAD_SLEEP_MS=60000 node ${JSON.stringify(script)}; wait`, { timeoutMs: 800 }),
    ).catch((e: unknown) => e);
    watcher.look();
    watcher.stop();
    expect((error as Error).message).toMatch(/did not finish within 800ms.*raise --round-timeout/);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(watcher.seen.size).toBeGreaterThanOrEqual(2);
    expect(watcher.survivors()).toEqual([]);
  });

  it("stops the command when the run is interrupted and rethrows the interruption", async () => {
    const abort = new AbortController();
    const watcher = new TreeWatcher(process.pid, 50);
    setTimeout(() => abort.abort(new Error("interrupted by SIGINT")), 500);
    const error = await runExternalLoad(round(`LOAD_SLEEP_MS=60000 node ${JSON.stringify(script)}`, { signal: abort.signal })).catch((e: unknown) => e);
    watcher.stop();
    expect((error as Error).message).toBe("interrupted by SIGINT");
    expect(watcher.survivors()).toEqual([]);
  });

  it("shows the error line of a command that dies at start, not the tail of Node's stack", async () => {
    const missing = path.join(runDir, "missing-load.js");
    const error = await runExternalLoad(round(`node ${JSON.stringify(missing)}`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    const message = (error as Error).message;
    expect(message).toContain(`exited with code 1 in round 2's load (see load/abrupt-close.round-2.log; Error: Cannot find module '${missing}')`);
    expect(message).not.toMatch(/MODULE_NOT_FOUND|Node\.js v|run_main_module/);
    // The load script's own frame, as for a server that crashes at start.
    const throwing = path.join(runDir, "throwing-load.cjs");
    await fs.writeFile(throwing, 'function connectAll() {\n  throw new Error("no target given");\n}\nconnectAll();\n');
    const thrown = await runExternalLoad(round(`node ${JSON.stringify(throwing)}`)).catch((e: unknown) => e);
    expect((thrown as Error).message).toContain(`; Error: no target given (thrown at connectAll, ${throwing}:2:9)): fix the command`);
  });

  it("says plainly when the command is not there", async () => {
    const error = await runExternalLoad(round("no-such-load-engine-xyz run it.yml")).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/exited with code 127.*not found/);
  });
});
