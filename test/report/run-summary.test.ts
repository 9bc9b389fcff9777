// The scenario counts every report shows: each planned scenario once, the one a run stopped
// on included and named with how it stopped.
import { describe, expect, it } from "vitest";
import { scenarioCountsText } from "../../src/report/run-summary.js";
import { runReport, scenarioResult } from "./support/reports.js";

const fixed = scenarioResult("normal-completion", 0);
const leak = scenarioResult("abrupt-close", 40);
const stopped = { verdict: "error" as const, partial: true, planned: ["normal-completion", "abrupt-close", "network-drop"], stoppedDuring: "abrupt-close" };

describe("the scenario counts", () => {
  it("a whole run: passed and leaked, errored only when some did", () => {
    expect(scenarioCountsText(runReport([fixed, leak]))).toBe("2 scenarios: 1 passed, 1 leaked");
    expect(scenarioCountsText(runReport([{ ...leak, verdict: "error" }]))).toBe("1 scenario: 0 passed, 0 leaked, 1 errored");
  });

  it("a run stopped on a scenario: fail-fast and errors count it as errored, an interruption as interrupted, the rest as not run", () => {
    expect(scenarioCountsText(runReport([fixed], { ...stopped, stoppedBy: "fail-fast" }))).toBe(
      "3 scenarios: 1 passed, 0 leaked, 1 errored (abrupt-close stopped by fail-fast: its first sessions all failed), 1 not run",
    );
    expect(scenarioCountsText(runReport([fixed], { ...stopped, stoppedBy: "error" }))).toBe("3 scenarios: 1 passed, 0 leaked, 1 errored (abrupt-close stopped by an error), 1 not run");
    expect(scenarioCountsText(runReport([fixed], { ...stopped, stoppedBy: "interrupted" }))).toBe("3 scenarios: 1 passed, 0 leaked, 1 interrupted (abrupt-close), 1 not run");
    // The report written while the run goes, and one from before stoppedBy was recorded.
    expect(scenarioCountsText(runReport([fixed], { ...stopped, finishedAt: undefined }))).toBe("3 scenarios: 1 passed, 0 leaked, 1 still running (abrupt-close), 1 not run");
    expect(scenarioCountsText(runReport([fixed], stopped))).toBe("3 scenarios: 1 passed, 0 leaked, 1 stopped (abrupt-close), 1 not run");
  });
});
