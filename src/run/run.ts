// A whole run: scenarios and budget loaded (bad input fails before anything starts),
// a run folder, each scenario in turn on a fresh server, report.json written at the
// end, or marked partial when an error or a signal stopped the run.

import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { oneLine, UsageError } from "../errors.js";
import { overallVerdict, renderJson, type RunReport } from "../report/json.js";
import { writeFileAtomic } from "../report/writer.js";
import { loadScenarios } from "../scenario/loader.js";
import { budgetFor, readBudgetFile } from "../verdict/budget.js";
import type { RunEvent, RunOptions } from "./options.js";
import { runScenario, type ScenarioResult } from "./scenario-run.js";

const require = createRequire(import.meta.url);
export const LEAKCHECK_VERSION: string = (require("../../../package.json") as { version: string }).version;

export interface RunHooks {
  emit: (event: RunEvent) => void;
  signal: AbortSignal;
}

/** The error that stopped a run, with the partial report already written. */
export class RunStopped extends Error {
  constructor(override readonly cause: unknown, readonly report: RunReport) {
    super(oneLine(cause));
  }
}

/** Runs the scenarios and returns the report; throws RunStopped (holding the partial report) when it cannot finish. */
export async function runLeakcheck(options: RunOptions, hooks: RunHooks): Promise<RunReport> {
  const scenarios = await loadScenarios(options.scenarios);
  const budgetFile = options.budgetFile ? await readBudgetFile(options.budgetFile) : undefined;
  const runDir = await makeRunDir(options.reportDir, scenarios.map((scenario) => scenario.definition.name));

  const started = Date.now();
  const results: ScenarioResult[] = [];
  const report = (partial: boolean, error?: string): RunReport => ({
    verdict: overallVerdict(results, error !== undefined),
    partial,
    error,
    seed: options.seed,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    reportDir: path.relative(process.cwd(), runDir) || runDir,
    versions: { leakcheck: LEAKCHECK_VERSION, node: process.version },
    options: describeOptions(options),
    scenarios: results,
  });

  try {
    for (const [index, scenario] of scenarios.entries()) {
      hooks.signal.throwIfAborted();
      hooks.emit({
        type: "scenario-start",
        scenario: scenario.definition.name,
        index,
        total: scenarios.length,
        seed: options.seed,
        target: options.target.kind === "bundled" ? `bundled server (leak mode ${options.target.leak})` : options.target.kind === "url" ? options.target.url : options.target.command,
      });
      const result = await runScenario(scenario, {
        options,
        budget: budgetFor(scenario.definition.name, budgetFile),
        runDir,
        signal: hooks.signal,
        emit: hooks.emit,
      });
      results.push(result);
      hooks.emit({ type: "scenario-end", scenario: result.name, verdict: result.verdict, ms: result.durationMs });
    }
  } catch (error) {
    const partial = report(true, oneLine(error));
    await writeReport(runDir, partial);
    throw new RunStopped(error, partial);
  }
  const complete = report(false);
  await writeReport(runDir, complete);
  return complete;
}

async function writeReport(runDir: string, report: RunReport): Promise<void> {
  await writeFileAtomic(path.join(runDir, "report.json"), renderJson(report));
  // reports/latest → the newest run folder (a relative link, so the folder can move).
  const latest = path.join(path.dirname(runDir), "latest");
  const temporary = `${latest}.${process.pid}.tmp`;
  try {
    await fs.rm(temporary, { force: true });
    await fs.symlink(path.basename(runDir), temporary);
    await fs.rename(temporary, latest);
  } catch {
    await fs.rm(temporary, { force: true });
  }
}

/** reports/<UTC timestamp>-<scenarios>/, created now so a bad --report-dir fails before any server starts. */
async function makeRunDir(reportDir: string, names: string[]): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const label = names.length > 3 ? `${names.length}-scenarios` : names.join("+");
  let runDir = path.resolve(reportDir, `${stamp}-${label}`);
  try {
    await fs.mkdir(path.resolve(reportDir), { recursive: true });
    for (let attempt = 2; ; attempt++) {
      try {
        await fs.mkdir(runDir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 50) throw error;
        runDir = path.resolve(reportDir, `${stamp}-${label}-${attempt}`);
      }
    }
  } catch (error) {
    throw new UsageError(
      `cannot write reports to ${reportDir} (${(error as NodeJS.ErrnoException).code ?? oneLine(error)}): choose a writable folder with --report-dir`,
    );
  }
  return runDir;
}

function describeOptions(options: RunOptions): Record<string, unknown> {
  return { ...options };
}
