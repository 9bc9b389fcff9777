// The server command, however it is started: the probe is found in the process that serves
// (npm → sh → node, tsx on TypeScript, a shell), and nothing is left running after.
// These are about processes, not figures: quick runs, no snapshots.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, removeDir, ROOT, runCli, SERVER_MAIN, tempReportDir } from "../support/cli.js";
import { TreeWatcher } from "../support/processes.js";

interface Report {
  scenarios: { heap: unknown; handles: unknown; reasons: string[] }[];
}

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

const QUICK = ["--sessions", "60", "--warmup", "20", "--rounds", "2", "--concurrency", "20", "--snapshots", "never", "--seed", "7"];

describe("--server", () => {
  for (const [how, command] of [
    ["npm start (npm → sh → node)", `npm start --silent --prefix ${path.join(FIXTURES, "npm-app")}`],
    ["tsx on the TypeScript source", `${path.join(ROOT, "node_modules/.bin/tsx")} ${path.join(ROOT, "src/server/main.ts")} --log none`],
  ]) {
    it(`finds the probe in the server process under ${how}`, async () => {
      const result = await runCli(["run", "normal-completion", ...QUICK, "--server", command, "--json", "--quiet", "--report-dir", reportDir]);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.scenarios[0].heap, result.stderr).not.toBeNull();
      expect(report.scenarios[0].handles).not.toBeNull();
      expect(result.code, report.scenarios[0].reasons.join("; ")).toBe(0);
    });
  }

  it("runs any server command (--server) with the probe preloaded through a shell", async () => {
    // This run's own process tree: the other test lane runs bundled servers of its own.
    let watcher: TreeWatcher | undefined;
    const result = await runCli(
      ["run", "abrupt-close", ...QUICK, "--server", `node ${SERVER_MAIN} --leak disconnect --log none`, "--json", "--quiet", "--report-dir", reportDir],
      { onSpawn: (child) => (watcher = new TreeWatcher(child.pid!, 100)) },
    );
    watcher!.stop();
    const report = JSON.parse(result.stdout) as Report;
    expect(result.code).toBe(1);
    expect(report.scenarios[0].heap).not.toBeNull(); // the probe answered from the grandchild
    expect(watcher!.seenMatching(/server\/main\.js/).length).toBeGreaterThan(0);
    expect(watcher!.survivors()).toEqual([]);
  });
});
