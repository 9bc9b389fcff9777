// The machine output of CONTRACT §5: `--json` on stdout and report.json in the run folder.
// Its shape is the report schema's (src/report-schema/).

import type { RunReport } from "../report-schema/run-report.js";

/** The planned scenarios that have no result: the one stopped mid-way first, then those never started. */
export function unfinishedScenarios(report: RunReport): { name: string; started: boolean }[] {
  const done = new Set(report.scenarios.map((scenario) => scenario.name));
  return report.planned
    .filter((name) => !done.has(name))
    .map((name) => ({ name, started: name === report.stoppedDuring }));
}

/** report.json's text. */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
