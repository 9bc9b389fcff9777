// One scenario's section of report.html: the reasons, the memory timeline with its
// legend and a sentence that reads it, the checks, the load, and the heap diff.

import { formatDuration } from "../duration.js";
import { formatBytes, formatSigned } from "../format.js";
import type { HeapDiff } from "../heap/model.js";
import type { ScenarioResult } from "../report-schema/scenario.js";
import type { Verdict } from "../report-schema/verdict.js";
import { escapeHtml } from "./escape-html.js";
import { failedSessionsText } from "./failed-sessions.js";
import { externalLoadTable, processesTable } from "./html-processes.js";
import { drivenByLoadCommand, MEASURED_BY_LOAD_COMMAND } from "./load-command.js";
import { buildTimeline } from "./timeline.js";
import { GC_COLOR, heapAxisIsZoomed, renderTimelineSvg, seriesColors } from "./timeline-svg.js";

export const VERDICT_LABEL: Record<Verdict, string> = { pass: "PASS", fail: "LEAK", error: "ERROR" };
const HEAP_DIFF_ROWS = 10;

/** The <section> of scenario number `index`. */
export function scenarioSection(scenario: ScenarioResult, index: number): string {
  const parts = [
    `<section class="scenario" id="scenario-${index}" data-scenario="${escapeHtml(scenario.name)}" data-verdict="${scenario.verdict}">`,
    `<h2>${escapeHtml(scenario.name)} ${badge(scenario.verdict)}</h2>`,
    `<div class="facts">${escapeHtml(
      `${scenario.sessions.toLocaleString("en-US")} sessions in ${scenario.settings.rounds} rounds` +
        `${scenario.settings.durationMs !== undefined ? ` (a soak of ${formatDuration(scenario.settings.durationMs)})` : ""} after ${scenario.settings.warmup} warm-up · ` +
        `concurrency ${scenario.settings.concurrency} · ${scenario.target} · seed ${scenario.seed}`,
    )}</div>`,
  ];
  if (scenario.reasons.length) parts.push(`<ul class="reasons">${scenario.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join("")}</ul>`);
  if (scenario.clues?.length) parts.push(`<ul class="clues">${scenario.clues.map((clue) => `<li>${escapeHtml(clue)}</li>`).join("")}</ul>`);
  parts.push(timelineFigure(scenario));
  parts.push(checksTable(scenario));
  parts.push(processesTable(scenario));
  parts.push(loadFacts(scenario));
  parts.push(externalLoadTable(scenario));
  if (scenario.heapDiff) parts.push(heapDiffSection(scenario.heapDiff, scenario));
  if (scenario.notes.length) parts.push(`<ul class="muted">${scenario.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul>`);
  parts.push("</section>");
  return parts.join("\n");
}

function timelineFigure(scenario: ScenarioResult): string {
  const timeline = buildTimeline(scenario);
  if (!timeline) return '<p class="muted">No memory timeline: the server was not measured (no probe, no samples).</p>';
  const colors = seriesColors(timeline);
  const legend = [
    ...[...timeline.heap, ...timeline.counts, ...timeline.otherMemory].map(
      (series) => `<li><span class="swatch" style="background:${colors.get(series.key)}"></span>${escapeHtml(series.label)}</li>`,
    ),
    timeline.gc.length ? `<li><span class="dot" style="background:${GC_COLOR}"></span>heap used after a forced full GC</li>` : "",
  ].join("");
  return (
    `<figure class="timeline" data-scenario="${escapeHtml(scenario.name)}">` +
    renderTimelineSvg(timeline, `memory timeline of ${scenario.name}`) +
    `<ul class="legend">${legend}</ul>` +
    `<figcaption>${escapeHtml(timelineCaption(scenario))}${
      heapAxisIsZoomed(timeline) ? ' <span class="muted">(The heap axis starts above 0 so that growth shows.)</span>' : ""
    }</figcaption></figure>`
  );
}

/** One sentence that reads the chart: the heap after GC from baseline to final, and the gauges left over. */
function timelineCaption(scenario: ScenarioResult): string {
  const parts: string[] = [];
  if (scenario.heap) {
    const heap = scenario.heap;
    parts.push(
      `Heap used after GC: ${formatBytes(heap.baselineBytes)} at the baseline, ${formatBytes(heap.finalBytes)} at the end ` +
        `(${heap.growthBytes >= 0 ? "+" : ""}${formatBytes(heap.growthBytes)}; ${formatBytes(heap.perSessionBytes)} per session from the later rounds).`,
    );
  }
  const left = scenario.gauges.filter((gauge) => gauge.residual !== 0);
  parts.push(
    left.length
      ? `Not back at the baseline: ${left.map((gauge) => `${gauge.name} ${formatSigned(gauge.residual)}`).join(", ")}.`
      : "Every gauge came back to its baseline.",
  );
  return parts.join(" ");
}

function checksTable(scenario: ScenarioResult): string {
  const rows = [...scenario.gauges, ...(scenario.handles ?? [])].map(
    (check) =>
      `<tr><td>${escapeHtml(check.name)}</td><td>${check.baseline.toLocaleString("en-US")}</td><td>${check.final.toLocaleString("en-US")}</td>` +
      `<td>${escapeHtml(formatSigned(check.residual))}</td><td>${check.budget.toLocaleString("en-US")}</td>${mark(check.pass)}</tr>`,
  );
  if (scenario.heap) {
    const heap = scenario.heap;
    // Several processes: these rows are their sum; the Processes table has each one's.
    const ofAll = (scenario.processes ?? []).length > 0 ? " (all processes)" : "";
    rows.push(
      `<tr><td>heap used after GC${ofAll}</td><td>${formatBytes(heap.baselineBytes)}</td><td>${formatBytes(heap.finalBytes)}</td><td>${formatBytes(heap.growthBytes)}</td><td></td><td></td></tr>`,
      `<tr><td>heap growth per session${ofAll}</td><td></td><td></td><td>${formatBytes(heap.perSessionBytes)}</td><td>${formatBytes(heap.budgetBytes)}</td>${mark(heap.pass, heap.note)}</tr>`,
    );
  }
  return (
    '<h3>Checks</h3><table class="checks"><thead><tr><th>check</th><th>baseline</th><th>final</th><th>residual</th><th>budget</th><th></th></tr></thead>' +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}

function loadFacts(scenario: ScenarioResult): string {
  const load = scenario.load;
  const timings = Object.entries(scenario.timings)
    .map(([phase, ms]) => `${phase} ${formatDuration(ms ?? 0)}`)
    .join(" · ");
  const cpu = `CPU per session: driver ${load.driverCpuMsPerSession} ms, server ${load.serverCpuMsPerSession ?? "n/a"} ms`;
  const latency = load.ackLatencyMs;
  const lines =
    drivenByLoadCommand(scenario) || load.peakClients === null || latency === null
      ? [`${scenario.sessions.toLocaleString("en-US")} sessions given to the load command · ${load.sessionsPerSecond}/s · ${MEASURED_BY_LOAD_COMMAND}`, cpu]
      : [
          `${load.started.toLocaleString("en-US")} sessions started (with warm-up), ${load.finished.toLocaleString("en-US")} finished, ${failedSessionsText(load)}, ${load.errorAcks} protocol errors · ` +
            `${load.sessionsPerSecond}/s · peak ${load.peakClients.toLocaleString("en-US")} clients · ${load.httpRequests.toLocaleString("en-US")} HTTP requests`,
          `ack latency p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms, max ${latency.max} ms · ${cpu}`,
        ];
  lines.push(
    `phases: ${timings} · settle ${scenario.settle ? `${formatDuration(scenario.settle.tookMs)}${scenario.settle.atBaseline ? ", back at the baseline" : ", not back at the baseline"}` : "n/a"}`,
  );
  if (load.failures.length) lines.push(`failures: ${load.failures.map((failure) => `${failure.count} × ${failure.message}`).join("; ")}`);
  return `<h3>Load</h3><div class="facts">${lines.map(escapeHtml).join("<br>")}</div>`;
}

function heapDiffSection(diff: HeapDiff, scenario: ScenarioResult): string {
  const parts = [
    "<h3>Heap diff</h3>",
    `<div class="facts">${escapeHtml(
      `${diff.survivors.count.toLocaleString("en-US")} objects (${formatBytes(diff.survivors.selfSize)}) allocated after the baseline snapshot are still alive at the end · ` +
        `heap ${formatBytes(diff.totals.before.size)} → ${formatBytes(diff.totals.after.size)}`,
    )}${
      scenario.heapDiffFiles ? ` · <a href="${escapeHtml(scenario.heapDiffFiles.html)}">full heap diff</a> (<a href="${escapeHtml(scenario.heapDiffFiles.markdown)}">Markdown</a>)` : ""
    }</div>`,
  ];
  const groups = diff.survivors.groups.slice(0, HEAP_DIFF_ROWS);
  if (groups.length) {
    parts.push(
      '<table class="survivors"><thead><tr><th>survivors</th><th>count</th><th>retained</th><th>per 1,000 sessions</th><th class="text">trend</th><th class="text">held by</th></tr></thead><tbody>' +
        groups
          .map(
            (group) =>
              `<tr><td>${escapeHtml(group.name)}</td><td>${group.count.toLocaleString("en-US")}</td><td>${formatBytes(group.retainedSize)}</td>` +
              `<td>${group.perThousandSessions === null ? "" : Math.round(group.perThousandSessions).toLocaleString("en-US")}</td>` +
              // Counted net of turnover when the baseline was read (issue 11): "bounded: at most 500 entries, the oldest evicted".
              `<td class="text${group.leak ? " over" : ""}">${escapeHtml(group.growth ? `${group.leak ? "leak: " : ""}${group.growth.reason}` : group.leak ? `${group.trend}: leak` : group.trend)}</td><td class="text path">${escapeHtml(`${group.pathText}${group.allocatedAt ? `; ${group.allocatedAt}` : ""}`)}</td></tr>`,
          )
          .join("") +
        "</tbody></table>",
    );
  }
  const constructors = diff.constructors.slice(0, HEAP_DIFF_ROWS);
  if (constructors.length) {
    parts.push(
      '<table class="constructors"><thead><tr><th>constructor</th><th>count before</th><th>count after</th><th>Δ count</th><th>Δ size</th></tr></thead><tbody>' +
        constructors
          .map(
            (row) =>
              `<tr><td>${escapeHtml(row.name)}</td><td>${row.countBefore.toLocaleString("en-US")}</td><td>${row.countAfter.toLocaleString("en-US")}</td>` +
              `<td>${escapeHtml(formatSigned(row.countDelta))}</td><td>${formatBytes(row.sizeDelta)}</td></tr>`,
          )
          .join("") +
        "</tbody></table>",
    );
  }
  return parts.join("\n");
}

/** The verdict as a coloured label. */
export function badge(verdict: Verdict): string {
  return `<span class="badge ${verdict}">${VERDICT_LABEL[verdict]}</span>`;
}

function mark(pass: boolean, note?: string): string {
  const why = note ? ` <span class="muted">(${escapeHtml(note)})</span>` : "";
  return pass ? `<td class="ok">ok${why}</td>` : `<td class="over">over${why}</td>`;
}
