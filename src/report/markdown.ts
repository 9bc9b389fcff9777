// report.md: GitHub-flavoured Markdown short enough for a PR comment or a job summary:
// the verdict, a row per scenario, the reasons, and where the full report is.

import { formatDuration } from "../duration.js";
import { formatBytes, formatSigned } from "../format.js";
import type { ScenarioResult } from "../report-schema/scenario.js";
import type { Verdict } from "../report-schema/verdict.js";
import { REPORT_FILES, type RunReport } from "../report-schema/run-report.js";
import { unfinishedScenarios } from "./json.js";
import { drivenByLoadCommand, MEASURED_BY_LOAD_COMMAND } from "./load-command.js";
import { failedSessionsNote } from "./failed-sessions.js";
import { failedText, processRows } from "./process-rows.js";
import { scenarioCountsText, STOPPED_HOW } from "./run-summary.js";

export const MARKDOWN_VERDICT: Record<Verdict, string> = {
  pass: "✅ PASS",
  fail: "❌ LEAK",
  error: "⚠️ ERROR",
};

const HEADLINE: Record<Verdict, string> = {
  pass: "✅ leakcheck: PASS, no leaks within budget",
  fail: "❌ leakcheck: FAIL, memory leaks over budget",
  error: "⚠️ leakcheck: ERROR, the run could not be judged",
};

/** report.md's text. */
export function renderMarkdown(report: RunReport): string {
  const lines = [`## ${HEADLINE[report.verdict]}`, ""];
  if (report.partial) {
    const unfinished = unfinishedScenarios(report).map(({ name, started }) => `\`${name}\` (${started ? "stopped" : "not started"})`);
    lines.push(
      `> **PARTIAL run**: ${escapeText(report.error ?? "stopped early")}` + (unfinished.length ? ` Unfinished: ${unfinished.join(", ")}.` : ""),
      "",
    );
  }
  lines.push(
    "| scenario | verdict | sessions | heap growth per session | left over after settling | failed sessions | protocol errors | ack p50 / p99 |",
    "|---|---|--:|--:|---|--:|--:|--:|",
  );
  for (const scenario of report.scenarios) lines.push(scenarioRow(scenario), ...processSubRows(scenario));
  for (const { name, started } of unfinishedScenarios(report)) lines.push(`| ${cell(name)} | ${started ? stoppedVerdict(report) : "⏹ not run"} | | | | | | |`);
  lines.push("");

  for (const scenario of report.scenarios) {
    // The table's failed sessions are the judged ones; the warm-up's are said here, apart.
    const warmupFailed = scenario.load.warmupFailed ?? 0;
    const byCommand = drivenByLoadCommand(scenario);
    const failedNote = failedSessionsNote(scenario);
    if (scenario.reasons.length === 0 && warmupFailed === 0 && !byCommand && !failedNote) continue;
    lines.push(`**${escapeText(scenario.name)}**`, "");
    // The table's dashes, explained: the --load command's clients were not leakcheck's to count.
    if (byCommand) lines.push(`- ${escapeText(MEASURED_BY_LOAD_COMMAND)}${scenario.externalLoad ? ` (\`${code(scenario.externalLoad.command)}\`)` : ""}`);
    for (const reason of scenario.reasons) lines.push(`- ${escapeText(reason)}`);
    for (const clue of scenario.clues ?? []) lines.push(`  - ${escapeText(clue)}`);
    if (failedNote) lines.push(`- ${escapeText(failedNote)}`);
    if (warmupFailed > 0) lines.push(`- ${warmupFailed.toLocaleString("en-US")} of ${scenario.settings.warmup.toLocaleString("en-US")} warm-up sessions failed too (not judged)`);
    lines.push("");
  }

  const facts = [
    escapeText(scenarioCountsText(report)),
    `seed ${report.seed}`,
    `leakcheck ${report.versions.leakcheck}`,
    `node ${report.versions.node}`,
    `socket.io ${report.versions.socketIo}`,
    formatDuration(report.durationMs),
  ];
  if (report.reportDir) facts.push(`full report: \`${code(`${report.reportDir}/${REPORT_FILES.html}`)}\``);
  lines.push(`<sub>${facts.join(" · ")}</sub>`, "");
  return lines.join("\n");
}

/** The verdict cell of the scenario a run stopped on: fail-fast or an error is an error, not just a stop. */
function stoppedVerdict(report: RunReport): string {
  if (report.stoppedBy === "fail-fast" || report.stoppedBy === "error") return `⚠️ ${STOPPED_HOW[report.stoppedBy].replace(/:.*/, "")}`;
  return "⏹ stopped";
}

function scenarioRow(scenario: ScenarioResult): string {
  // With an interval (issue 11): `+240 ± 60 B (95 %)` rather than a bare slope.
  const growth = scenario.heap?.trend ? scenario.heap.trend.text.replace(" per session, 95 %", " (95 %)") : scenario.heap ? formatBytes(scenario.heap.perSessionBytes) : "";
  const heap = scenario.heap
    ? `${growth} (budget ${formatBytes(scenario.heap.budgetBytes)}${scenario.heap.note ? `; ok, ${scenario.heap.note}` : ""})`
    : "n/a";
  const over = [...scenario.gauges, ...(scenario.handles ?? [])].filter((check) => !check.pass);
  const leftOver = over.length ? over.map((check) => `${check.name} ${formatSigned(check.residual)}`).join(", ") : "none over budget";
  const load = scenario.load;
  const driver =
    drivenByLoadCommand(scenario) || load.errorAcks === null || load.ackLatencyMs === null
      ? "— | — | —"
      : `${load.failed.toLocaleString("en-US")} | ${load.errorAcks.toLocaleString("en-US")} | ${load.ackLatencyMs.p50} / ${load.ackLatencyMs.p99} ms`;
  return `| ${cell(scenario.name)} | ${MARKDOWN_VERDICT[scenario.verdict]} | ${scenario.sessions.toLocaleString("en-US")} | ${heap} | ${cell(leftOver)} | ${driver} |`;
}

/** A server of several processes: a row per process under its scenario's (which is their sum). */
function processSubRows(scenario: ScenarioResult): string[] {
  return processRows(scenario).map((row) => {
    const heap = row.growth === null ? "not measured" : `${row.growth} (budget ${row.budget})`;
    const verdict = `${MARKDOWN_VERDICT[row.verdict]}${row.verdict === "fail" && row.failed.length ? `: ${failedText(row)}` : ""}`;
    return `| ↳ ${cell(row.label)} | ${cell(verdict)} | | ${cell(heap)} | | | | |`;
  });
}

/** Text inside a table cell: pipes would end the cell, newlines the row. */
function cell(text: string): string {
  return escapeText(text).replace(/\|/g, "\\|");
}

/** Text that Markdown or GitHub's HTML filter could read as markup. */
function escapeText(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/[<>]/g, (char) => (char === "<" ? "&lt;" : "&gt;")).replace(/([\\`*_[\]])/g, "\\$1");
}

/** Text inside a code span: a backtick would close it. */
function code(text: string): string {
  return text.replace(/`/g, "'").replace(/\s*\n\s*/g, " ");
}
