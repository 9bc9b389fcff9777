// Ctrl-C mid-run: the server tree is killed, the probe folder removed, and every report
// says it is partial (never a truncated file). Even SIGKILL, which leaves leakcheck no
// time at all, leaves complete report files marked partial.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { removeDir, runCli, tempReportDir } from "../support/cli.js";
import { childrenOf, TreeWatcher } from "../support/processes.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

// A run that outlives its test (a hang) is killed, so it cannot slow the tests after it.
let started: ChildProcess | undefined;
afterEach(() => {
  if (started && started.exitCode === null && started.signalCode === null) started.kill("SIGKILL");
  started = undefined;
});

/**
 * Calls `then` once the run is inside its first scenario: its run folder has the report
 * written as each scenario starts, and a second has passed (the server up, sessions going).
 */
function whenScenarioRuns(parent: string, child: ChildProcess, then: () => void, serverUp: () => boolean = () => true): void {
  started = child;
  const poll = setInterval(() => {
    if (child.exitCode !== null) return clearInterval(poll);
    // The run folder is there and (when watched) the server runs: on a loaded machine the
    // folder came first and the signal arrived before the server had started.
    if (!fs.existsSync(path.join(parent, "latest", "report.json")) || !serverUp()) return;
    clearInterval(poll);
    setTimeout(then, 1000);
  }, 50);
}

// Each run gets a TMPDIR of its own: other leakcheck runs on the machine (a developer's,
// another worktree's tests) put their probe folders in the shared one.
const ownTmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-interrupt-"));
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "testcase" });

/** Every report file in the run folder parses, says PARTIAL, and no half-written file is left. */
function expectCompletePartialReports(runDir: string, stopped: string, notStarted: string): void {
  const files = fs.readdirSync(runDir);
  expect(files.filter((name) => name.startsWith(".") || name.endsWith(".tmp"))).toEqual([]);
  const report = JSON.parse(fs.readFileSync(path.join(runDir, "report.json"), "utf8")) as { partial: boolean; verdict: string; planned: string[] };
  expect(report.partial).toBe(true);
  expect(report.verdict).toBe("error");
  expect(report.planned).toEqual([stopped, notStarted]);
  expect(fs.readFileSync(path.join(runDir, "report.md"), "utf8")).toMatch(/\*\*PARTIAL run\*\*/);
  const html = fs.readFileSync(path.join(runDir, "report.html"), "utf8");
  expect(html).toContain("<strong>PARTIAL run.</strong>");
  expect(html.trimEnd().endsWith("</html>")).toBe(true);
  // junit: the scenario that was stopped is an error, the one never started is skipped.
  const cases = xml.parse(fs.readFileSync(path.join(runDir, "junit.xml"), "utf8")).testsuites.testsuite.testcase as {
    name: string;
    error?: unknown;
    skipped?: unknown;
  }[];
  expect(cases.map((testcase) => testcase.name)).toEqual([stopped, notStarted]);
  expect(cases[0].error).toBeDefined();
  expect(cases[1].skipped).toBeDefined();
}

describe("interrupting a run", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} mid-scenario leaves no process, no temp folder, and a partial report`, async () => {
      const tmp = ownTmp();
      const parent = path.join(reportDir, signal);
      // This run's own process tree: the other test lane runs bundled servers of its own.
      let watcher: TreeWatcher | undefined;
      const result = await runCli(["run", "abrupt-close", "normal-completion", "--sessions", "100000", "--json", "--quiet", "--report-dir", parent], {
        env: { TMPDIR: tmp },
        onSpawn: (child) => {
          const tree = (watcher = new TreeWatcher(child.pid!, 100));
          whenScenarioRuns(parent, child, () => child.kill(signal), () => tree.seenMatching(/server\/main\.js/).length > 0);
        },
      });
      watcher!.stop();
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`interrupted by ${signal}`));
      const report = JSON.parse(result.stdout) as { partial: boolean; verdict: string; stoppedDuring: string };
      expect(report.partial).toBe(true);
      expect(report.verdict).toBe("error");
      expect(report.stoppedDuring).toBe("abrupt-close");
      const latest = JSON.parse(fs.readFileSync(path.join(parent, "latest", "report.json"), "utf8")) as { partial: boolean; error: string };
      expect(latest.partial).toBe(true);
      expect(latest.error).toMatch(new RegExp(`interrupted by ${signal}`));
      expectCompletePartialReports(fs.realpathSync(path.join(parent, "latest")), "abrupt-close", "normal-completion");
      expect(watcher!.seenMatching(/server\/main\.js/).length).toBeGreaterThan(0);
      expect(watcher!.survivors()).toEqual([]);
      expect(fs.readdirSync(tmp)).toEqual([]);
      removeDir(tmp);
    });
  }

  it("SIGKILL mid-scenario still leaves complete report files, marked partial", async () => {
    const tmp = ownTmp();
    const parent = path.join(reportDir, "SIGKILL");
    const serverGroups: number[] = [];
    const result = await runCli(["run", "abrupt-close", "normal-completion", "--sessions", "100000", "--quiet", "--report-dir", parent], {
      env: { TMPDIR: tmp },
      onSpawn: (child) =>
        whenScenarioRuns(parent, child, () => {
          // leakcheck cannot clean up after SIGKILL: note its server (own process group) to kill it here.
          serverGroups.push(...childrenOf(child.pid!));
          child.kill("SIGKILL");
        }),
    });
    try {
      expect(result.code, result.stderr).toBeNull();
      const runDir = fs.realpathSync(path.join(parent, "latest"));
      const report = JSON.parse(fs.readFileSync(path.join(runDir, "report.json"), "utf8")) as { partial: boolean; error: string; finishedAt?: string };
      expect(report.error).toMatch(/had not finished when this report was written/);
      expect(report.finishedAt).toBeUndefined();
      expectCompletePartialReports(runDir, "abrupt-close", "normal-completion");
    } finally {
      for (const pid of serverGroups) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      removeDir(tmp); // leakcheck could not remove its probe folder after SIGKILL
    }
  });
});
