// Every wait is bounded, and running out names the option that raises it: a server that
// is alive but hung (SIGSTOP) is exit 3 within the probe timeout, not a hang; a round
// that cannot finish in --round-timeout is exit 3. Nothing is left running after either.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { errorLines, removeDir, runCli, tempReportDir } from "../support/cli.js";
import { TreeWatcher } from "../support/processes.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

describe("timeouts", () => {
  it("a hung server (alive, answering nothing) is exit 3 naming --probe-timeout", async () => {
    const parent = path.join(reportDir, "hung");
    let watcher: TreeWatcher | undefined;
    let stoppedAt = 0;
    let exitedAt = 0;
    const result = await runCli(["run", "abrupt-close", "--sessions", "100000", "--probe-timeout", "3s", "--quiet", "--report-dir", parent], {
      timeoutMs: 90_000,
      onSpawn: (child) => {
        watcher = new TreeWatcher(child.pid!, 50);
        const poll = setInterval(() => {
          const server = [...watcher!.seen.values()].find((row) => row.args.includes("server/main.js"));
          if (!server || !fs.existsSync(path.join(parent, "latest", "report.json"))) return;
          clearInterval(poll);
          // Mid-round, with sessions in flight: the server freezes but its process lives on.
          setTimeout(() => {
            stoppedAt = Date.now();
            process.kill(server.pid, "SIGSTOP");
          }, 2000);
        }, 50);
        child.once("exit", () => {
          clearInterval(poll);
          exitedAt = Date.now();
        });
      },
    });
    watcher!.stop();
    try {
      expect(result.code, result.stderr).toBe(3);
      const lines = errorLines(result.stderr);
      expect(lines).toHaveLength(1);
      // Mid-round the sampler notices the silence; during a forced GC or a snapshot the probe's request times out.
      expect(lines[0]).toMatch(
        /the server stopped answering: GET \S+\/api\/metrics had no reply for \d.*raise --probe-timeout|the server did not answer the probe's "\w+" within \d+ ms: it is hung or overloaded \(raise --probe-timeout\)/,
      );
      // At most a snapshot's 4 × 3 s, then killing the frozen group (SIGTERM waits 3 s, then SIGKILL).
      expect(exitedAt - stoppedAt).toBeLessThan(30_000);
      expect(watcher!.survivors()).toEqual([]);
    } finally {
      for (const row of watcher!.seen.values()) {
        try {
          process.kill(row.pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  });

  it("a round that outlasts --round-timeout is exit 3 naming it", async () => {
    const result = await runCli(
      ["run", "normal-completion", "--sessions", "100000", "--round-timeout", "2s", "--snapshots", "never", "--quiet", "--report-dir", path.join(reportDir, "round")],
      { timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(3);
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/round 1 of normal-completion did not finish within 2\.0s \(\d+ of 25000 sessions done\): raise --round-timeout, or lower --sessions/);
  });
});
