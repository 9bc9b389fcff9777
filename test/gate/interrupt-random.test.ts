// Eight runs stopped (a new seed each CI run) at random moments (starting up, warming up, writing a snapshot,
// mid-round, settling), by SIGINT or SIGTERM, some on `npm start` (npm → sh → node):
// after each, no process leakcheck started is alive, its temporary folder is empty, and
// the run folder holds only complete files. Plus a second Ctrl-C, which kills at once,
// and a bug in leakcheck itself (an uncaught exception), and a server killed mid-run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeDir, runCli, tempReportDir, type CliResult } from "../support/cli.js";
import { FIXTURES } from "../support/paths.js";
import { TreeWatcher } from "../support/processes.js";
import { seededRandom } from "../support/random.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

interface Watched extends CliResult {
  signal: NodeJS.Signals | null;
  /** Processes and groups leakcheck started that are still alive after it exited. */
  survivors: string[];
  /** What is left in the TMPDIR leakcheck was given. */
  tempLeft: string[];
}

/** Runs leakcheck with its own TMPDIR, watching its process tree; `act` gets the child once spawned. */
async function watchedRun(args: string[], name: string, act: (child: import("node:child_process").ChildProcess) => void): Promise<Watched> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-tmp-"));
  let watcher: TreeWatcher | undefined;
  let child: import("node:child_process").ChildProcess | undefined;
  try {
    const result = await runCli([...args, "--quiet", "--report-dir", path.join(reportDir, name)], {
      env: { TMPDIR: tmp },
      timeoutMs: 60_000,
      onSpawn: (spawned) => {
        child = spawned;
        watcher = new TreeWatcher(spawned.pid!, 50);
        act(spawned);
      },
    });
    watcher!.stop();
    // A killed group's last members may take a moment to be reaped.
    let survivors = watcher!.survivors();
    for (let waited = 0; survivors.length > 0 && waited < 2000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      survivors = watcher!.survivors();
    }
    return { ...result, signal: child!.signalCode as NodeJS.Signals | null, survivors, tempLeft: fs.readdirSync(tmp) };
  } finally {
    watcher?.stop();
    // Whatever a failed run left, kill it here so it cannot slow the tests after it.
    watcher?.killSeen();
    removeDir(tmp);
  }
}

/** The run folder holds only complete files: no temp or dot files, every snapshot whole, report.json valid. */
function expectCompleteRunFolder(parent: string, context: string): void {
  if (!fs.existsSync(parent)) return; // stopped before the run folder was made
  for (const runName of fs.readdirSync(parent).filter((entry) => entry !== "latest")) {
    const runDir = path.join(parent, runName);
    const files = fs.readdirSync(runDir, { recursive: true }) as string[];
    expect(files.filter((file) => path.basename(file).startsWith(".") || file.endsWith(".tmp")), context).toEqual([]);
    for (const file of files.filter((name) => name.endsWith(".heapsnapshot"))) {
      const full = path.join(runDir, file);
      const size = fs.statSync(full).size;
      const fd = fs.openSync(full, "r");
      const tail = Buffer.alloc(Math.min(16, size));
      fs.readSync(fd, tail, 0, tail.length, size - tail.length);
      fs.closeSync(fd);
      expect(tail.toString("latin1").trimEnd().endsWith("]}"), `${context}: ${file} is cut short`).toBe(true);
    }
    const report = JSON.parse(fs.readFileSync(path.join(runDir, "report.json"), "utf8")) as { partial: boolean; verdict: string };
    expect(report.partial, context).toBe(true);
    expect(report.verdict, context).toBe("error");
  }
}

const NPM_SERVER = `npm start --silent --prefix ${path.join(FIXTURES, "npm-app")}`;

describe("interrupting runs at random moments", () => {
  const seed = Number(process.env.LEAKCHECK_TEST_SEED ?? Date.now() % 2 ** 31);
  const random = seededRandom(seed); // replayable from the printed seed
  const RUNS = 8;

  it(`stops ${RUNS} runs cleanly (seed ${seed}: LEAKCHECK_TEST_SEED=${seed} replays the moments)`, { timeout: 400_000 }, async () => {
    const outcomes: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const signal: NodeJS.Signals = run % 2 === 0 ? "SIGINT" : "SIGTERM";
      const viaNpm = run % 4 === 3;
      const afterMs = Math.round(random() * 6000);
      const name = `run-${run}`;
      const context = `run ${run} (${signal} after ${afterMs} ms${viaNpm ? ", npm start" : ""}, seed ${seed})`;
      const args = ["run", "abrupt-close", "--sessions", "3000", ...(viaNpm ? ["--server", NPM_SERVER] : [])];
      const result = await watchedRun(args, name, (child) => setTimeout(() => child.kill(signal), afterMs));
      // Before leakcheck installs its handlers (the first few hundred ms of loading), the
      // signal's default action ends it: then nothing can have been started yet.
      if (result.signal === signal) {
        expect(result.survivors, context).toEqual([]);
      } else {
        expect(result.code, `${context}: ${result.stderr}`).toBe(3);
        expect(result.stderr, context).toContain(`interrupted by ${signal}`);
      }
      expect(result.stderr, context).not.toMatch(/\n\s+at /);
      expect(result.survivors, context).toEqual([]);
      expect(result.tempLeft, context).toEqual([]);
      expectCompleteRunFolder(path.join(reportDir, name), context);
      outcomes.push(`${afterMs} ms ${signal}${viaNpm ? " npm" : ""}: ${result.signal ?? `exit ${result.code}`}`);
    }
    expect(outcomes).toHaveLength(RUNS);
    console.log(`interrupted runs (seed ${seed}):\n  ${outcomes.join("\n  ")}`);
  });

  /**
   * abrupt-close against a server deaf to SIGTERM (an orderly stop takes leakcheck's whole
   * 3 s grace), SIGINT once mid-scenario and, with `again`, a second time 200 ms later.
   */
  async function interruptStubborn(name: string, again: boolean) {
    let firstAt = 0;
    let exitedAt = 0;
    const parent = path.join(reportDir, name);
    const stubborn = `node ${path.join(FIXTURES, "stubborn-server.mjs")}`;
    const result = await watchedRun(["run", "abrupt-close", "--sessions", "100000", "--server", stubborn], name, (child) => {
      const poll = setInterval(() => {
        if (!fs.existsSync(path.join(parent, "latest", "report.json"))) return;
        clearInterval(poll);
        setTimeout(() => {
          firstAt = Date.now();
          child.kill("SIGINT");
          if (again) setTimeout(() => child.kill("SIGINT"), 200);
        }, 1500);
      }, 50);
      child.once("exit", () => {
        clearInterval(poll);
        exitedAt = Date.now();
      });
    });
    return { ...result, stopMs: exitedAt - firstAt, runDir: fs.realpathSync(path.join(parent, "latest")) };
  }

  it("a second Ctrl-C kills at once, and still leaves nothing behind", async () => {
    const result = await interruptStubborn("twice", true);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stopMs).toBeLessThan(2000);
    expect(result.survivors).toEqual([]);
    expect(result.tempLeft).toEqual([]);
    // No half-written snapshot or report file either (a report may still say the run is going).
    const files = fs.readdirSync(result.runDir, { recursive: true }) as string[];
    expect(files.filter((file) => path.basename(file).startsWith(".") || file.endsWith(".tmp"))).toEqual([]);
  });

  it("stopping in order waits for a stubborn server's grace (what the second Ctrl-C skips)", async () => {
    const result = await interruptStubborn("once", false);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stopMs).toBeGreaterThanOrEqual(3000);
    expect(result.survivors).toEqual([]);
  });

  it("an uncaught exception in leakcheck stops the run with exit 3 and one line", async () => {
    const result = await watchedRun(["run", path.join(FIXTURES, "throwing-later-scenario.mjs")], "uncaught", () => undefined);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/unexpected error: a bug thrown from a timer/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.survivors).toEqual([]);
    expect(result.tempLeft).toEqual([]);
  });

  it("a server killed mid-run stops the run with exit 3, naming how it died", async () => {
    const parent = path.join(reportDir, "server-killed");
    let watcher: TreeWatcher | undefined;
    const result = await watchedRun(["run", "abrupt-close", "--sessions", "100000"], "server-killed", (child) => {
      watcher = new TreeWatcher(child.pid!, 50);
      const poll = setInterval(() => {
        if (!fs.existsSync(path.join(parent, "latest", "report.json"))) return;
        const server = [...watcher!.seen.values()].find((row) => row.args.includes("server/main.js"));
        if (!server) return;
        clearInterval(poll);
        setTimeout(() => process.kill(server.pid, "SIGKILL"), 1500);
      }, 50);
      child.once("exit", () => (clearInterval(poll), watcher!.stop()));
    });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/the server was killed by SIGKILL during the run: .*see .*server\.log/);
    expect(result.survivors).toEqual([]);
    expect(result.tempLeft).toEqual([]);
  });
});
