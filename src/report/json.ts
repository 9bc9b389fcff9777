// The machine output of CONTRACT §5: `--json` on stdout and report.json in the run folder.

import type { ScenarioResult } from "../run/scenario-run.js";
import type { Verdict } from "../verdict/judge.js";

export interface RunReport {
  verdict: Verdict;
  /** True when the run was interrupted or stopped by an error before every scenario ran. */
  partial: boolean;
  error?: string;
  seed: number;
  startedAt: string;
  durationMs: number;
  reportDir?: string;
  versions: { leakcheck: string; node: string };
  options: Record<string, unknown>;
  scenarios: ScenarioResult[];
}

/** The overall verdict: error if any scenario erred, else fail if any failed, else pass. */
export function overallVerdict(scenarios: { verdict: Verdict }[], error: boolean): Verdict {
  if (error || scenarios.some((scenario) => scenario.verdict === "error")) return "error";
  if (scenarios.some((scenario) => scenario.verdict === "fail")) return "fail";
  return "pass";
}

/** report.json's text. */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
