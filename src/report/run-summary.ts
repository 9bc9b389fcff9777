// The run's scenarios counted in one phrase, the same in every report: each planned scenario
// once, the one a run stopped on included. A run stopped by fail-fast said "0 errored".

import type { RunReport, StopCause } from "../report-schema/run-report.js";
import { unfinishedScenarios } from "./json.js";

/** How the scenario a run stopped on ended, by what stopped the run. */
export const STOPPED_HOW: Record<StopCause, string> = {
  "fail-fast": "stopped by fail-fast: its first sessions all failed",
  interrupted: "interrupted",
  error: "stopped by an error",
};

/** `3 scenarios: 1 passed, 0 leaked, 1 errored (chat stopped by fail-fast: its first sessions all failed), 1 not run`. */
export function scenarioCountsText(report: RunReport): string {
  const counts = { pass: 0, fail: 0, error: 0 };
  for (const scenario of report.scenarios) counts[scenario.verdict]++;
  const unfinished = unfinishedScenarios(report);
  const stopped = unfinished.find((each) => each.started)?.name;
  const notRun = unfinished.length - (stopped === undefined ? 0 : 1);
  // Stopped on an error, the scenario has no verdict but is one more error.
  const erred = stopped !== undefined && (report.stoppedBy === "fail-fast" || report.stoppedBy === "error");
  const parts = [`${counts.pass} passed`, `${counts.fail} leaked`];
  if (counts.error > 0 || erred) parts.push(`${counts.error + (erred ? 1 : 0)} errored${erred ? ` (${stopped} ${STOPPED_HOW[report.stoppedBy!]})` : ""}`);
  if (stopped !== undefined && !erred) {
    const how = report.stoppedBy === "interrupted" ? "interrupted" : report.finishedAt === undefined ? "still running" : "stopped";
    parts.push(`1 ${how} (${stopped})`);
  }
  if (notRun > 0) parts.push(`${notRun} not run`);
  const total = report.scenarios.length + unfinished.length;
  return `${total} scenario${total === 1 ? "" : "s"}: ${parts.join(", ")}`;
}
