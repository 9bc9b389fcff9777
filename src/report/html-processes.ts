// report.html's tables for issue 12: a server of several processes, one row per process
// (its verdict, heap growth per session, what each gauge and handle left behind), and
// what a --load command did in each round.

import { formatDuration } from "../duration.js";
import { formatBytes, formatSigned } from "../format.js";
import type { ScenarioResult } from "../report-schema/scenario.js";
import { escapeHtml } from "./escape-html.js";

const LABEL = { pass: "PASS", fail: "LEAK", error: "ERROR" } as const;

/** The processes table, or "" for a server of one process. */
export function processesTable(scenario: ScenarioResult): string {
  const processes = scenario.processes ?? [];
  if (processes.length === 0) return "";
  const rows = processes.map((process) => {
    const left = [...process.gauges, ...(process.handles ?? [])].filter((check) => check.residual !== 0);
    const heap = process.heap
      ? `${formatBytes(process.heap.perSessionBytes)} per session (${formatBytes(process.heap.growthBytes)} in all)`
      : "not measured";
    return (
      `<tr data-pid="${process.pid}"><td class="text" title="${escapeHtml(process.command ?? "")}">${escapeHtml(process.label)}</td>` +
      `<td class="${process.verdict === "pass" ? "ok" : "over"}">${LABEL[process.verdict]}</td>` +
      `<td>${escapeHtml(heap)}</td>` +
      `<td class="text">${escapeHtml(left.length ? left.map((check) => `${check.name} ${formatSigned(check.residual)}`).join(", ") : "all back at the baseline")}</td></tr>`
    );
  });
  return (
    '<h3>Processes</h3><table class="processes"><thead><tr><th class="text">process</th><th>verdict</th><th>heap growth</th><th class="text">gauges and handles left</th></tr></thead>' +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}

/** The --load table, or "" when the built-in driver ran the sessions. */
export function externalLoadTable(scenario: ScenarioResult): string {
  const load = scenario.externalLoad;
  if (!load) return "";
  const rows = load.rounds.map(
    (round) =>
      `<tr><td>${round.round === 0 ? "warm-up" : `round ${round.round}`}</td><td>${round.sessions.toLocaleString("en-US")}</td><td>${round.exitCode}</td>` +
      `<td>${escapeHtml(formatDuration(round.durationMs))}</td><td class="text"><a href="${escapeHtml(round.output)}">${escapeHtml(round.output)}</a></td>` +
      `<td class="text">${escapeHtml(round.tail.at(-1) ?? "")}</td></tr>`,
  );
  return (
    `<h3>Load command</h3><div class="facts"><code>${escapeHtml(load.command)}</code></div>` +
    '<table class="external-load"><thead><tr><th>run</th><th>sessions</th><th>exit</th><th>took</th><th class="text">output</th><th class="text">last line</th></tr></thead>' +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}
