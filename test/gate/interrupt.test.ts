// Ctrl-C mid-run: the server tree is killed, the probe folder removed, and the
// report says it is partial (never a truncated file).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { processesMatching, removeDir, runCli, SERVER_MAIN, tempReportDir } from "../support/cli.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

const probeFolders = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith("leakcheck-probe-"));

describe("interrupting a run", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} mid-scenario leaves no process, no temp folder, and a partial report`, async () => {
      const before = probeFolders();
      const result = await runCli(["run", "abrupt-close", "--sessions", "100000", "--json", "--quiet", "--report-dir", reportDir], {
        onSpawn: (child) => setTimeout(() => child.kill(signal), 2500),
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`interrupted by ${signal}`));
      const report = JSON.parse(result.stdout) as { partial: boolean; verdict: string };
      expect(report.partial).toBe(true);
      expect(report.verdict).toBe("error");
      const latest = JSON.parse(fs.readFileSync(path.join(reportDir, "latest", "report.json"), "utf8")) as { partial: boolean };
      expect(latest.partial).toBe(true);
      expect(processesMatching(SERVER_MAIN)).toEqual([]);
      expect(probeFolders().filter((name) => !before.includes(name))).toEqual([]);
    });
  }
});
