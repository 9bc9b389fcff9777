// The terminal report: a table per scenario, then one verdict line. Returns a string.

import type { ChalkInstance } from "chalk";
import Table from "cli-table3";
import { formatDuration } from "../duration.js";
import { formatBytes, formatSigned } from "../format.js";
import type { ScenarioResult } from "../report-schema/scenario.js";
import type { Verdict } from "../report-schema/verdict.js";
import { chalkFor } from "./color.js";
import { REPORT_FILES, type RunReport } from "../report-schema/run-report.js";
import { failedSessionsText } from "./failed-sessions.js";
import { unfinishedScenarios } from "./json.js";
import { scenarioCountsText } from "./run-summary.js";

/** One scenario's table and its reasons; colours from `chalk` (none when it has level 0). */
export function renderScenario(result: ScenarioResult, chalk: ChalkInstance = chalkFor(process.stdout)): string {
  const verdictText: Record<Verdict, string> = { pass: chalk.green("PASS"), fail: chalk.red("LEAK"), error: chalk.yellow("ERROR") };
  const mark = (pass: boolean) => (pass ? chalk.green("ok") : chalk.red("over"));
  const table = new Table({
    head: ["check", "baseline", "final", "residual", "budget", ""],
    colAligns: ["left", "right", "right", "right", "right", "left"],
    // cli-table3 colours the head by itself: only where colour is wanted (NO_COLOR, pipes).
    style: { head: chalk.level > 0 ? ["bold"] : [], border: [] },
    // No rule between rows: a dozen checks stay readable at a glance.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
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
      "heap used after GC",
      formatBytes(heap.baselineBytes),
      formatBytes(heap.finalBytes),
      formatBytes(heap.growthBytes),
      "",
      "",
    ]);
    // With an interval (issue 11): `+240 ± 60 B (95 %)` rather than a bare slope.
    const growth = heap.trend ? heap.trend.text.replace(" B per session, 95 %", " B (95 %)") : formatBytes(heap.perSessionBytes);
    table.push([
      "heap growth per session",
      "",
      "",
      growth,
      formatBytes(heap.budgetBytes),
      heap.note ? `${mark(heap.pass)} ${chalk.dim(`(${heap.note})`)}` : mark(heap.pass),
    ]);
  }
  const load = result.load;
  const lines = [
    `${chalk.bold(result.name)}  ${verdictText[result.verdict]}  ${chalk.dim(
      `${result.sessions.toLocaleString("en-US")} sessions · ${load.sessionsPerSecond}/s · peak ${load.peakClients.toLocaleString("en-US")} clients · ` +
        `${failedSessionsText(load)} · ${load.errorAcks} protocol errors · ack p50 ${load.ackLatencyMs.p50} ms, p99 ${load.ackLatencyMs.p99} ms · ${formatDuration(result.durationMs)}`,
    )}`,
    table.toString(),
  ];
  for (const reason of result.reasons) lines.push(`  ${chalk.red("✗")} ${reason}`);
  // Clues explain the failure above; they are not failures of their own.
  for (const clue of result.clues ?? []) lines.push(`    ${chalk.dim("↳")} ${clue}`);
  for (const note of result.notes) lines.push(chalk.dim(`  · ${note}`));
  if (result.logFile) lines.push(chalk.dim(`  · server log: ${result.logFile}`));
  return lines.join("\n");
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
