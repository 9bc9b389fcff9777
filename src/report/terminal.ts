// The terminal report: a table per scenario, then one verdict line. Returns a string.

import type { ChalkInstance } from "chalk";
import Table from "cli-table3";
import { formatDuration } from "../duration.js";
import { formatBytes, formatSigned } from "../format.js";
import type { ScenarioResult } from "../report-schema/scenario.js";
import type { Verdict } from "../report-schema/verdict.js";
import { chalkFor } from "./color.js";
import { REPORT_FILES, type RunReport } from "../report-schema/run-report.js";
import { failedSessionsNote, failedSessionsText } from "./failed-sessions.js";
import { drivenByLoadCommand, MEASURED_BY_LOAD_COMMAND } from "./load-command.js";
import { processMark, processRows } from "./process-rows.js";
import { unfinishedScenarios } from "./json.js";
import { scenarioCountsText } from "./run-summary.js";

/** One scenario's table and its reasons; colours from `chalk` (none when it has level 0). */
export function renderScenario(result: ScenarioResult, chalk: ChalkInstance = chalkFor(process.stdout)): string {
  const verdictText: Record<Verdict, string> = { pass: chalk.green("PASS"), fail: chalk.red("LEAK"), error: chalk.yellow("ERROR") };
  const mark = (pass: boolean) => (pass ? chalk.green("ok") : chalk.red("over"));
  const table = checksTable(["check", "baseline", "final", "residual", "budget", ""], ["left", "right", "right", "right", "right", "left"], chalk);
  const processes = processRows(result);
  // Several processes: the rows above are their sum, and say so; each process has its own row below.
  const ofAll = processes.length > 0 ? " (all processes)" : "";
  for (const gauge of result.gauges) {
    table.push([gauge.name, gauge.baseline, gauge.final, formatSigned(gauge.residual), gauge.budget, mark(gauge.pass)]);
  }
  if (result.handles) {
    for (const handle of result.handles) {
      table.push([handle.name, handle.baseline, handle.final, formatSigned(handle.residual), handle.budget, mark(handle.pass)]);
    }
  }
  if (result.heap) {
    const heap = result.heap;
    table.push([
      `heap used after GC${ofAll}`,
      formatBytes(heap.baselineBytes),
      formatBytes(heap.finalBytes),
      formatBytes(heap.growthBytes),
      "",
      "",
    ]);
    // With an interval (issue 11): `+240 ± 60 B (95 %)` rather than a bare slope.
    const growth = heap.trend ? heap.trend.text.replace(" B per session, 95 %", " B (95 %)") : formatBytes(heap.perSessionBytes);
    table.push([
      `heap growth per session${ofAll}`,
      "",
      "",
      growth,
      formatBytes(heap.budgetBytes),
      heap.note ? `${mark(heap.pass)} ${chalk.dim(`(${heap.note})`)}` : mark(heap.pass),
    ]);
  }
  const load = result.load;
  const clients = drivenByLoadCommand(result)
    ? MEASURED_BY_LOAD_COMMAND
    : `peak ${(load.peakClients ?? 0).toLocaleString("en-US")} clients · ${failedSessionsText(load)} · ${load.errorAcks ?? 0} protocol errors · ` +
      `ack p50 ${load.ackLatencyMs?.p50 ?? 0} ms, p99 ${load.ackLatencyMs?.p99 ?? 0} ms`;
  const lines = [
    `${chalk.bold(result.name)}  ${verdictText[result.verdict]}  ${chalk.dim(
      `${result.sessions.toLocaleString("en-US")} sessions · ${load.sessionsPerSecond}/s · ${clients} · ${formatDuration(result.durationMs)}`,
    )}`,
    table.toString(),
  ];
  if (processes.length > 0) {
    const each = checksTable(["process", "heap growth per session", "budget", ""], ["left", "right", "right", "left"], chalk);
    for (const row of processes) {
      const text = processMark(row);
      each.push([row.label, row.growth ?? "not measured", row.budget ?? "", row.verdict === "pass" ? chalk.green(text) : row.verdict === "fail" ? chalk.red(text) : chalk.yellow(text)]);
    }
    lines.push(each.toString());
  }
  for (const reason of result.reasons) lines.push(`  ${chalk.red("✗")} ${reason}`);
  // Clues explain the failure above; they are not failures of their own.
  for (const clue of result.clues ?? []) lines.push(`    ${chalk.dim("↳")} ${clue}`);
  const failedNote = failedSessionsNote(result);
  if (failedNote) lines.push(chalk.yellow(`  · ${failedNote}`));
  for (const note of result.notes) lines.push(chalk.dim(`  · ${note}`));
  if (result.logFile) lines.push(chalk.dim(`  · server log: ${result.logFile}`));
  return lines.join("\n");
}

/** A table in the terminal report's style. */
function checksTable(head: string[], colAligns: ("left" | "right")[], chalk: ChalkInstance): Table.Table {
  return new Table({
    head,
    colAligns,
    // cli-table3 colours the head by itself: only where colour is wanted (NO_COLOR, pipes).
    style: { head: chalk.level > 0 ? ["bold"] : [], border: [] },
    // No rule between rows: a dozen checks stay readable at a glance.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
}

/** The whole run: every scenario, then the verdict line and where the reports are. */
export function renderRun(report: RunReport, chalk: ChalkInstance = chalkFor(process.stdout)): string {
  const parts = report.scenarios.map((scenario) => renderScenario(scenario, chalk));
  const summary = `${scenarioCountsText(report)} · seed ${report.seed} · ${formatDuration(report.durationMs)}`;
  const headline =
    report.verdict === "pass"
      ? chalk.green.bold("PASS: no leaks within budget")
      : report.verdict === "fail"
        ? chalk.red.bold("FAIL: memory leaks over budget")
        : chalk.yellow.bold("ERROR: the run could not be judged");
  const lines = [`${headline}  ${chalk.dim(summary)}`];
  if (report.partial) {
    const unfinished = unfinishedScenarios(report).map(({ name, started }) => `${name} (${started ? "stopped" : "not started"})`);
    lines.push(chalk.yellow(`PARTIAL run: ${report.error ?? "stopped early"}${unfinished.length ? `; without a verdict: ${unfinished.join(", ")}` : ""}`));
  }
  if (report.reportDir) lines.push(chalk.dim(`reports: ${report.reportDir}/${REPORT_FILES.html} (also report.json, report.md, junit.xml)`));
  parts.push(lines.join("\n"));
  return `${parts.join("\n\n")}\n`;
}
