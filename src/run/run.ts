// A whole run: scenarios and budget loaded (bad input fails before anything starts),
// a run folder, each scenario in turn on a fresh server. The run emits its events and
// the report writer (src/report/sink.ts) subscribes: a partial report as each scenario
// starts and the final one at the end, so whatever stops the run (an error, Ctrl-C, even
// SIGKILL), the folder holds complete report files, and they say whether the run finished.

import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { InterruptedError, oneLine } from "../errors.js";
import { FailFastError } from "../load/fail-fast.js";
import { REPORT_SCHEMA_VERSION, type RunReport, type RunTimings, type StopCause } from "../report-schema/run-report.js";
import { overallVerdict } from "../verdict/judge.js";
import { loadScenarios } from "../scenario/loader.js";
import { budgetFor, readBudgetFile } from "../verdict/budget.js";
import type { RunListener } from "../report-schema/events.js";
import type { RunOptions, RunPhase, TargetChoice } from "./options.js";
import { listRunFiles, makeRunDir } from "./run-folder.js";
import { runScenario, type ScenarioResult } from "./scenario-run.js";

const require = createRequire(import.meta.url);
export const LEAKCHECK_VERSION: string = (require("../../../package.json") as { version: string }).version;

export interface RunHooks {
  /** Every event of the run; a promise returned is waited for (the report writer: files on disk before the run goes on). */
  emit: RunListener;
  signal: AbortSignal;
}

/** The error that stopped a run, with the partial report already handed to the listeners. */
export class RunStopped extends Error {
  constructor(override readonly cause: unknown, readonly report: RunReport) {
    super(oneLine(cause));
  }
}

const STILL_RUNNING =
  "the run had not finished when this report was written: it is still going, or leakcheck was killed before it could write the final report";

interface ReportState {
  partial: boolean;
  error?: string;
  stoppedBy?: StopCause;
  finished: boolean;
}

/**
 * Runs the scenarios and returns the report; throws RunStopped (holding the partial report) when it cannot finish.
 * The run writes nothing itself: it emits run-start, scenario-start (with the partial report),
 * scenario-end (with the result) and run-end (with the report), and subscribers render them.
 */
export async function runLeakcheck(options: RunOptions, hooks: RunHooks): Promise<RunReport> {
  const scenarios = await loadScenarios(options.scenarios);
  const budgetFile = options.budget ?? (options.budgetFile ? await readBudgetFile(options.budgetFile) : undefined);
  const planned = scenarios.map((scenario) => scenario.definition.name);
  const runDir = await makeRunDir(options.reportDir, planned);

  const started = Date.now();
  const results: ScenarioResult[] = [];
  let running: string | undefined;
  const versions = {
    leakcheck: LEAKCHECK_VERSION,
    node: process.version,
    v8: process.versions.v8,
    socketIo: socketIoVersion(options.target),
  };
  const machine = {
    hostname: os.hostname(),
    platform: process.platform,
    arch: process.arch,
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
  };
  const report = async (state: ReportState): Promise<RunReport> => ({
    schemaVersion: REPORT_SCHEMA_VERSION,
    verdict: overallVerdict(results, state.error !== undefined),
    partial: state.partial,
    error: state.error,
    planned,
    stoppedDuring: state.partial ? running : undefined,
    stoppedBy: state.stoppedBy,
    seed: options.seed,
    startedAt: new Date(started).toISOString(),
    finishedAt: state.finished ? new Date().toISOString() : undefined,
    durationMs: Date.now() - started,
    reportDir: path.relative(process.cwd(), runDir) || runDir,
    versions,
    machine,
    options: describeOptions(options),
    timings: sumTimings(results),
    files: await listRunFiles(runDir),
    scenarios: [...results],
  });

  try {
    await hooks.emit({ type: "run-start", runDir });
    for (const [index, scenario] of scenarios.entries()) {
      hooks.signal.throwIfAborted();
      running = scenario.definition.name;
      // With the report as it stands, so a run killed outright (SIGKILL, power) still leaves a whole one.
      await hooks.emit({
        type: "scenario-start",
        scenario: scenario.definition.name,
        index,
        total: scenarios.length,
        seed: options.seed,
        target: describeTarget(options.target),
        report: await report({ partial: true, error: STILL_RUNNING, finished: false }),
      });
      const result = await runScenario(scenario, {
        options,
        budget: budgetFor(scenario.definition.name, budgetFile),
        runDir,
        signal: hooks.signal,
        emit: hooks.emit,
      });
      results.push(result);
      running = undefined;
      await hooks.emit({ type: "scenario-end", scenario: result.name, verdict: result.verdict, ms: result.durationMs, result });
    }
  } catch (error) {
    const partial = await report({ partial: true, error: oneLine(error), stoppedBy: stopCause(error), finished: true });
    try {
      await hooks.emit({ type: "run-end", report: partial });
    } catch (writeError) {
      // The reports could not be written either: the caller still gets the report and the first error.
      process.stderr.write(`leakcheck: ${oneLine(writeError)}\n`);
    }
    throw new RunStopped(error, partial);
  }
  const final = await report({ partial: false, finished: true });
  await hooks.emit({ type: "run-end", report: final });
  return final;
}

/** What stopped the run, for the reports' summary: a run stopped by fail-fast stopped on errors, and must not read like one that found none. */
function stopCause(error: unknown): StopCause {
  if (error instanceof FailFastError) return "fail-fast";
  return error instanceof InterruptedError ? "interrupted" : "error";
}

function describeTarget(target: TargetChoice): string {
  if (target.kind === "bundled") return `bundled server (leak mode ${target.leak})`;
  return target.kind === "url" ? target.url : target.command;
}

function sumTimings(results: ScenarioResult[]): RunTimings {
  const phasesMs: Partial<Record<RunPhase, number>> = {};
  for (const result of results) {
    for (const [phase, ms] of Object.entries(result.timings) as [RunPhase, number][]) {
      phasesMs[phase] = (phasesMs[phase] ?? 0) + ms;
    }
  }
  return { scenariosMs: Object.fromEntries(results.map((result) => [result.name, result.durationMs])), phasesMs };
}

/**
 * The socket.io version the server under test runs: the one installed beside leakcheck
 * for the bundled server; for a command, the first socket.io found from the working
 * folder or the folder of a file the command names; "unknown" for --url.
 */
function socketIoVersion(target: TargetChoice): string {
  if (target.kind === "url") return "unknown";
  const starts =
    target.kind === "bundled"
      ? [path.dirname(fileURLToPath(import.meta.url))]
      : [
          process.cwd(),
          ...target.command
            .split(/\s+/)
            .map((word) => path.resolve(word.replace(/^["']|["']$/g, "")))
            .filter((file) => fs.existsSync(file))
            .map((file) => (fs.statSync(file).isDirectory() ? file : path.dirname(file))),
        ];
  for (const start of starts) {
    const version = installedVersion(start, "socket.io");
    if (version) return version;
  }
  return "unknown";
}

/** The version in node_modules/<name>/package.json, looking up from `start` as Node's resolver does. */
function installedVersion(start: string, name: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")) as { version?: unknown };
      if (typeof manifest.version === "string") return manifest.version;
    } catch {
      // not installed here: look one folder up
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Every option of the run, as given after defaults: enough to repeat it. */
function describeOptions(options: RunOptions): Record<string, unknown> {
  return { ...options };
}
