// Every wait is bounded, and running out names the option that raises it: a server that
// is alive but hung (SIGSTOP) is exit 3 within the probe timeout, not a hang; a round
// that cannot finish in --round-timeout is exit 3. Nothing is left running after either.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { errorLines, removeDir, runCli, tempReportDir } from "../support/cli.js";
import { TreeWatcher } from "../support/processes.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

describe("timeouts", () => {
  it("a hung server (alive, answering nothing) is exit 3 naming --probe-timeout", async () => {
    let watcher: TreeWatcher | undefined;
    let stoppedAt = 0;
    let exitedAt = 0;
    const args = ["run", "abrupt-close", "--sessions", "100000", "--warmup", "0", "--snapshots", "never", "--probe-timeout", "3s"];
    // Inside try: if leakcheck hangs (the bug this guards against), runCli's deadline rejects
    // and the finally still kills the frozen server, which would otherwise outlive the tests.
    try {
      const result = await runCli([...args, "--report-dir", path.join(reportDir, "hung")], {
        timeoutMs: 40_000,
        onSpawn: (child) => {
          watcher = new TreeWatcher(child.pid!, 100);
          let stderr = "";
          // Mid-round, sessions in flight (the progress lines say when): the server freezes, its process lives on.
          child.stderr!.on("data", (chunk: Buffer) => {
            stderr += chunk.toString();
            if (stoppedAt || !/\n {2}rounds: /.test(stderr)) return;
            const server = [...watcher!.seen.values()].find((row) => row.args.includes("server/main.js"));
            if (!server) return;
            stoppedAt = Date.now() + 1000;
            setTimeout(() => process.kill(server.pid, "SIGSTOP"), 1000);
          });
          child.once("exit", () => (exitedAt = Date.now()));
        },
      });
      watcher!.stop();
      expect(result.code, result.stderr).toBe(3);
      const lines = errorLines(result.stderr);
      expect(lines, result.stderr).toHaveLength(1);
      // A quick sample goes unanswered, then one given the whole --probe-timeout: the run stops.
      expect(lines[0]).toMatch(/^leakcheck: the server stopped answering: GET \S+\/api\/metrics had no reply within 3\.\ds \(hung or overloaded\): raise --probe-timeout if it is only slow$/);
      // 2 s + 3 s of silence, then killing the frozen group (SIGTERM waits 3 s, then SIGKILL).
      expect(exitedAt - stoppedAt).toBeLessThan(15_000);
      expect(watcher!.survivors()).toEqual([]);
    } finally {
      watcher?.stop();
      watcher?.killSeen();
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
