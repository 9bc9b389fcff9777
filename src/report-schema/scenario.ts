// One scenario's result as report.json carries it: settings, load, the judge's verdict,
// the memory timeline, snapshots and heap diff. The run builds it, the reports render it.

import { z } from "zod";
import type { HeapDiff } from "../heap/model.js";
import { bool, count, list, num, object, str } from "./fields.js";
import { externalLoadSchema, processVerdictSchema } from "./processes.js";
import { scenarioVerdictShape } from "./verdict.js";

export const RUN_PHASES = ["start", "warm-up", "baseline", "rounds", "settle", "final", "stop", "heap-diff"] as const;
export const runPhaseSchema = z.enum(RUN_PHASES, { error: `must be one of ${RUN_PHASES.join(", ")}` });
export type RunPhase = z.infer<typeof runPhaseSchema>;

/** process.memoryUsage() of the server (probe), or the metrics endpoint's memory. */
export const memoryFiguresShape = {
  rss: num.optional(),
  heapTotal: num.optional(),
  heapUsed: num.optional(),
  external: num.optional(),
  arrayBuffers: num.optional(),
};
export type MemoryFigures = z.infer<z.ZodObject<typeof memoryFiguresShape>>;

/** One point of the memory timeline. */
export const sampleSchema = object({
  ...memoryFiguresShape,
  /** ms since the scenario started. */
  t: num,
  phase: runPhaseSchema,
  gauges: z.record(z.string(), num),
  timers: num.optional(),
  sockets: num.optional(),
  sessionsStarted: num,
  sessionsFinished: num,
  sessionsFailed: num,
  clients: num,
  httpRequestsPerSecond: num,
  /** Set on the measurements right after a forced full GC: "baseline", "round 2", "final". */
  gc: str.optional(),
  /** A server of several processes: each one's heap used, by its label (`worker 2 (pid 4121)`). */
  processHeap: z.record(z.string(), num).optional(),
});
export type Sample = z.infer<typeof sampleSchema>;

export const phaseSpanSchema = object({
  phase: runPhaseSchema,
  /** ms since the scenario started. */
  startMs: num,
  endMs: num,
  detail: str.optional(),
});
export type PhaseSpan = z.infer<typeof phaseSpanSchema>;

/** Heap used after a full GC at the baseline and after each round. */
export const heapPointSchema = object({
  round: count,
  /** Sessions run since the baseline. */
  sessions: num,
  heapUsed: num,
});
export type HeapPoint = z.infer<typeof heapPointSchema>;

/** leakcheck's own memory after a round. */
export const harnessMemoryPointSchema = object({
  round: count,
  /** Sessions run since the baseline. */
  sessions: num,
  rssBytes: num,
  heapUsedBytes: num,
  /** True when a full GC of leakcheck's heap came first (soaks), so heapUsed is what is live. */
  afterGc: bool,
});
export type HarnessMemoryPoint = z.infer<typeof harnessMemoryPointSchema>;

export const scenarioSettingsSchema = object({
  sessions: count,
  concurrency: count,
  rounds: count,
  warmup: count,
  httpLoad: bool,
  /** A soak: rounds ran until this long had passed. */
  durationMs: num.optional(),
});
export type ScenarioSettings = z.infer<typeof scenarioSettingsSchema>;

export const loadSummarySchema = object({
  /** Sessions started and finished, the warm-up's included. */
  started: count,
  finished: count,
  /** Sessions that failed after the warm-up: among the `sessions` judged, the ones the judge's "N of M sessions failed" counts. */
  failed: count,
  /** Warm-up sessions that failed (not judged). Absent in reports written before it was counted, whose `failed` counted them too. */
  warmupFailed: count.optional(),
  /** Null when a --load command drove the sessions: its clients, acks and latency are its own, not counted by leakcheck. */
  peakClients: count.nullable(),
  acks: count.nullable(),
  errorAcks: count.nullable(),
  httpRequests: count,
  sessionsPerSecond: num,
  loadMs: num,
  driverCpuMsPerSession: num,
  serverCpuMsPerSession: num.nullable(),
  /** Null with --load, as peakClients. */
  ackLatencyMs: object({ p50: num, p95: num, p99: num, max: num }).nullable(),
  failures: list(object({ message: str, count: count })),
});
export type LoadSummary = z.infer<typeof loadSummarySchema>;

/**
 * The heap diff (its shape is src/heap/model.ts's): what report.json's readers use of it is
 * checked, the constructor table; the rest is carried as written.
 */
export const heapDiffSchema = z
  .looseObject({ constructors: list(z.looseObject({ name: str, countDelta: num, sizeDelta: num }, { error: "must be an object" })) }, { error: "must be an object" })
  .transform((diff) => diff as unknown as HeapDiff);

export const scenarioResultShape = {
  name: str,
  source: str,
  sessions: count,
  seed: num,
  /** How the server under test was started: "bundled interview server (leak mode none)", the command, the URL. */
  target: str,
  settings: scenarioSettingsSchema,
  ...scenarioVerdictShape,
  load: loadSummarySchema,
  heapPoints: list(heapPointSchema),
  /** leakcheck's own memory after each round (after a GC of its own in a soak). */
  harnessMemory: list(harnessMemoryPointSchema),
  /** The memory timeline: a sample every --sample-interval, and every measurement the run took (GC points marked). */
  samples: list(sampleSchema),
  /** Phase boundaries, in ms since the scenario started. */
  phases: list(phaseSpanSchema),
  /** Heap snapshots kept in the run folder (paths relative to it), in the order taken. */
  snapshots: list(object({ label: str, file: str, bytes: num })),
  /** What the snapshots say leaked and what holds it (when snapshots were taken and read). */
  heapDiff: heapDiffSchema.optional(),
  /** The heap-diff report files in the run folder (relative to it). */
  heapDiffFiles: object({ markdown: str, html: str }).optional(),
  settle: object({ tookMs: num, atBaseline: bool }).nullable(),
  timings: z.partialRecord(runPhaseSchema, num),
  notes: list(str),
  /** The server's output, relative to the working folder (absent when attached with --url: not leakcheck's to log). */
  logFile: str.optional(),
  durationMs: num,
  /** A server of several processes (issue 12): each one's verdict; the scenario's figures are their sum. */
  processes: list(processVerdictSchema).optional(),
  /** --load: what the command did in each round. */
  externalLoad: externalLoadSchema.optional(),
};
export const scenarioResultSchema = object(scenarioResultShape, "must be an object (one scenario's result)");
export type ScenarioResult = z.infer<typeof scenarioResultSchema>;
