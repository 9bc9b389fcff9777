// report.json (and `--json`): the whole run, CONTRACT §5's stable fields and more.
// The one description of the report: the run builds it, the renderers read it, and
// `leakcheck compare` reads older reports back through it (see readable()).

import { z } from "zod";
import { bool, count, list, num, object, str } from "./fields.js";
import { runPhaseSchema, scenarioResultSchema } from "./scenario.js";
import { verdictSchema } from "./verdict.js";

/** The version of report.json's layout; raised only when a stable field changes meaning. */
export const REPORT_SCHEMA_VERSION = 1;

/** The report files leakcheck writes into every run folder. */
export const REPORT_FILES = {
  json: "report.json",
  markdown: "report.md",
  junit: "junit.xml",
  html: "report.html",
} as const;

export const runTimingsSchema = object({
  /** Wall time per finished scenario. */
  scenariosMs: z.record(z.string(), num),
  /** Wall time per phase, summed over the finished scenarios. */
  phasesMs: z.partialRecord(runPhaseSchema, num),
});
export type RunTimings = z.infer<typeof runTimingsSchema>;

export const runFileSchema = object({ name: str, bytes: num });

/** What stopped a run early: fail-fast (a scenario's first sessions all failed), Ctrl-C or a signal, any other error. */
export const STOP_CAUSES = ["fail-fast", "interrupted", "error"] as const;
export const stopCauseSchema = z.enum(STOP_CAUSES, { error: `must be one of ${STOP_CAUSES.join(", ")}` });
export type StopCause = z.infer<typeof stopCauseSchema>;
export type RunFile = z.infer<typeof runFileSchema>;

export const runReportShape = {
  schemaVersion: num,
  verdict: verdictSchema,
  /** True unless every planned scenario ran to its verdict: the run was interrupted, stopped by an error, or is still going. */
  partial: bool,
  error: str.optional(),
  /** Every scenario the run was asked for, in order; in a partial report the ones without a result did not finish. */
  planned: list(str),
  /** Partial reports only: the scenario that was running when the run stopped (or, while the run goes, when the report was written). */
  stoppedDuring: str.optional(),
  /** A run that stopped before its end: what stopped it (`error` holds the message). Absent while it goes, and in reports written before it was recorded. */
  stoppedBy: stopCauseSchema.optional(),
  seed: num,
  startedAt: str,
  /** Set when the run ended, however it ended; absent while it is still going. */
  finishedAt: str.optional(),
  durationMs: num,
  reportDir: str.optional(),
  versions: object({ leakcheck: str, node: str, v8: str, socketIo: str }),
  machine: object({ hostname: str, platform: str, arch: str, cpus: count, memoryBytes: num }),
  /** Every option of the run, as given after defaults: enough to repeat it. */
  options: z.record(z.string(), z.unknown()),
  timings: runTimingsSchema,
  /** The other files in the run folder when the report was written (logs, snapshots, heap diffs), names relative to it. */
  files: list(runFileSchema),
  scenarios: list(scenarioResultSchema),
};
export const runReportSchema = object(runReportShape, 'must be a JSON object like {"verdict": "pass", "scenarios": [...]}');
export type RunReport = z.infer<typeof runReportSchema>;
