// The machine output of CONTRACT §5: `--json` on stdout and report.json in the run folder.

import type { RunPhase } from "../run/options.js";
import type { ScenarioResult } from "../run/scenario-run.js";
import type { Verdict } from "../verdict/judge.js";

/** The version of report.json's layout; raised only when a stable field changes meaning. */
export const REPORT_SCHEMA_VERSION = 1;

export interface RunReport {
  schemaVersion: number;
  verdict: Verdict;
  /** True unless every planned scenario ran to its verdict: the run was interrupted, stopped by an error, or is still going. */
  partial: boolean;
  error?: string;
  /** Every scenario the run was asked for, in order; in a partial report the ones without a result did not finish. */
  planned: string[];
  /** Partial reports only: the scenario that was running when the run stopped (or, while the run goes, when the report was written). */
  stoppedDuring?: string;
  seed: number;
  startedAt: string;
  /** Set when the run ended, however it ended; absent while it is still going. */
  finishedAt?: string;
  durationMs: number;
  reportDir?: string;
  versions: { leakcheck: string; node: string; v8: string; socketIo: string };
  machine: { hostname: string; platform: string; arch: string; cpus: number; memoryBytes: number };
  options: Record<string, unknown>;
  timings: RunTimings;
  /** The other files in the run folder when the report was written (logs, snapshots, heap diffs), names relative to it. */
  files: RunFile[];
  scenarios: ScenarioResult[];
}

export interface RunTimings {
  /** Wall time per finished scenario. */
  scenariosMs: Record<string, number>;
  /** Wall time per phase, summed over the finished scenarios. */
  phasesMs: Partial<Record<RunPhase, number>>;
}

export interface RunFile {
  name: string;
  bytes: number;
}

/** The report files leakcheck writes into every run folder. */
export const REPORT_FILES = {
  json: "report.json",
  markdown: "report.md",
  junit: "junit.xml",
  html: "report.html",
} as const;

/** The overall verdict: error if any scenario erred, else fail if any failed, else pass. */
export function overallVerdict(scenarios: { verdict: Verdict }[], error: boolean): Verdict {
  if (error || scenarios.some((scenario) => scenario.verdict === "error")) return "error";
  if (scenarios.some((scenario) => scenario.verdict === "fail")) return "fail";
  return "pass";
}

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
