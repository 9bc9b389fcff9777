// What a run tells its subscribers as it goes (the progress display, the report writer):
// the run emits, they render, and neither imports the other.

import type { RunReport } from "./run-report.js";
import type { RunPhase, ScenarioResult } from "./scenario.js";

export type RunEvent =
  /** The run folder exists and nothing has started. */
  | { type: "run-start"; runDir: string }
  | { type: "scenario-start"; scenario: string; index: number; total: number; seed: number; target: string; /** The partial report as the scenario starts. */ report?: RunReport }
  | { type: "phase"; scenario: string; phase: RunPhase; detail?: string }
  | { type: "progress"; scenario: string; round: number; /** 0 in a soak and in extra rounds */ rounds: number; /** a round run because the verdict was unsure */ extra?: boolean; done: number; total: number; clients: number; failed: number }
  | { type: "scenario-end"; scenario: string; verdict: string; ms: number; result?: ScenarioResult }
  /** The run is over, finished or stopped (then `report.partial`, with the error). */
  | { type: "run-end"; report: RunReport };

/** A subscriber: may return a promise the run waits for (the report writer: the files are on disk before the run goes on). */
export type RunListener = (event: RunEvent) => void | Promise<void>;
