// report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched;
// its Content-Security-Policy forbids both) with the verdict on top, then per scenario
// the reasons, the memory timeline, the checks, the heap diff, and links to the files.

import { formatDuration } from "../duration.js";
import { formatBytes, formatSigned } from "../format.js";
import type { Verdict } from "../report-schema/verdict.js";
import { escapeHtml } from "./escape-html.js";
import { badge, scenarioSection, VERDICT_LABEL } from "./html-scenario.js";
import { REPORT_FILES, type RunReport } from "../report-schema/run-report.js";
import { unfinishedScenarios } from "./json.js";
import { scenarioCountsText } from "./run-summary.js";

const HEADLINE: Record<Verdict, string> = {
  pass: "PASS: no leaks within budget",
  fail: "FAIL: memory leaks over budget",
  error: "ERROR: the run could not be judged",
};

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #111827; background: #f9fafb; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 8px; display: flex; gap: 10px; align-items: center; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.verdict { border-radius: 8px; padding: 14px 18px; margin: 16px 0; color: #fff; }
.verdict.pass { background: #15803d; } .verdict.fail { background: #b91c1c; } .verdict.error { background: #b45309; }
.verdict p { margin: 2px 0 0; opacity: .92; }
.partial { border: 2px solid #b45309; background: #fffbeb; color: #78350f; border-radius: 8px; padding: 10px 14px; margin: 12px 0; }
.badge { font-size: 12px; font-weight: 700; border-radius: 4px; padding: 2px 8px; color: #fff; }
.badge.pass { background: #15803d; } .badge.fail { background: #b91c1c; } .badge.error { background: #b45309; } .badge.unfinished { background: #6b7280; }
section.scenario { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 16px 18px; margin: 18px 0; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e5e7eb; text-align: right; vertical-align: top; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
th { font-weight: 600; color: #374151; background: #f3f4f6; }
td.over { color: #b91c1c; font-weight: 600; } td.ok { color: #15803d; }
ul.reasons { margin: 6px 0; padding-left: 20px; color: #991b1b; }
ul.clues { margin: 0 0 6px; padding-left: 36px; color: #57534e; list-style: "↳ "; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 4px 0 0; padding: 0; list-style: none; font-size: 12px; color: #374151; }
.legend span.swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 5px; }
.legend span.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; vertical-align: middle; margin-right: 5px; }
figure { margin: 8px 0; } figcaption { font-size: 13px; color: #374151; margin-top: 4px; }
.facts { color: #4b5563; font-size: 13px; }
code, .path { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
.muted { color: #6b7280; }
details pre { background: #f3f4f6; padding: 8px; overflow: auto; font-size: 12px; }
`;

/** report.html's text. */
export function renderHtml(report: RunReport): string {
  const title = `leakcheck ${VERDICT_LABEL[report.verdict]}${report.partial ? " (partial)" : ""}: ${report.planned.join(", ")}`;
  const body = [
    `<h1>leakcheck report</h1>`,
    `<div class="facts">${escapeHtml(report.startedAt)} · ${escapeHtml(report.planned.join(", "))}</div>`,
    verdictBanner(report),
    report.partial ? partialBanner(report) : "",
    summaryTable(report),
    ...report.scenarios.map((scenario, index) => scenarioSection(scenario, index)),
    filesSection(report),
    optionsSection(report),
  ];
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // Nothing may be fetched or run: the page is complete as written, even offline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    `<body data-verdict="${report.verdict}" data-partial="${report.partial}">`,
    "<main>",
    ...body.filter((part) => part !== ""),
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function verdictBanner(report: RunReport): string {
  const facts = [
    scenarioCountsText(report),
    `seed ${report.seed}`,
    formatDuration(report.durationMs),
    `leakcheck ${report.versions.leakcheck} · node ${report.versions.node} · socket.io ${report.versions.socketIo}`,
  ];
  return `<div class="verdict ${report.verdict}" id="verdict"><strong style="font-size:20px">${escapeHtml(HEADLINE[report.verdict])}${
    report.partial ? " (PARTIAL)" : ""
  }</strong><p>${escapeHtml(facts.join(" · "))}</p></div>`;
}

function partialBanner(report: RunReport): string {
  const unfinished = unfinishedScenarios(report).map(({ name, started }) => `${name} (${started ? "stopped" : "not started"})`);
  return (
    `<div class="partial" id="partial"><strong>PARTIAL run.</strong> ${escapeHtml(report.error ?? "The run stopped early.")}` +
    (unfinished.length ? `<br>Without a verdict: ${escapeHtml(unfinished.join(", "))}.` : "") +
    "</div>"
  );
}

function summaryTable(report: RunReport): string {
  const rows = report.scenarios.map((scenario, index) => {
    const over = [...scenario.gauges, ...(scenario.handles ?? [])].filter((check) => !check.pass);
    return (
      `<tr data-scenario="${escapeHtml(scenario.name)}" data-verdict="${scenario.verdict}"><td><a href="#scenario-${index}">${escapeHtml(scenario.name)}</a></td>` +
      `<td class="text">${badge(scenario.verdict)}</td><td>${scenario.sessions.toLocaleString("en-US")}</td>` +
      `<td>${scenario.heap ? escapeHtml(`${formatBytes(scenario.heap.perSessionBytes)} / ${formatBytes(scenario.heap.budgetBytes)}${scenario.heap.note ? ` (ok: ${scenario.heap.note})` : ""}`) : "n/a"}</td>` +
      `<td class="text">${over.length ? escapeHtml(over.map((check) => `${check.name} ${formatSigned(check.residual)}`).join(", ")) : '<span class="muted">none</span>'}</td>` +
      `<td>${scenario.load.failed.toLocaleString("en-US")}</td><td>${escapeHtml(formatDuration(scenario.durationMs))}</td></tr>`
    );
  });
  for (const { name, started } of unfinishedScenarios(report)) {
    rows.push(
      `<tr data-scenario="${escapeHtml(name)}" data-verdict="none"><td>${escapeHtml(name)}</td><td class="text"><span class="badge unfinished">${
        started ? "STOPPED" : "NOT RUN"
      }</span></td><td></td><td></td><td></td><td></td><td></td></tr>`,
    );
  }
  return (
    '<table class="summary"><thead><tr><th>scenario</th><th class="text">verdict</th><th>sessions</th><th>heap per session / budget</th>' +
    `<th class="text">over budget after settling</th><th>failed sessions</th><th>time</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
  );
}

function filesSection(report: RunReport): string {
  const ownFiles = [
    [REPORT_FILES.json, "the whole report, machine-readable"],
    [REPORT_FILES.markdown, "summary for a pull request"],
    [REPORT_FILES.junit, "JUnit XML for CI servers"],
  ];
  const items = [
    ...ownFiles.map(([name, what]) => `<li><a href="${escapeHtml(name)}">${escapeHtml(name)}</a> <span class="muted">${escapeHtml(what)}</span></li>`),
    ...report.files.map(
      (file) => `<li><a href="${escapeHtml(file.name.split("/").map(encodeURIComponent).join("/"))}">${escapeHtml(file.name)}</a> <span class="muted">${formatBytes(file.bytes)}</span></li>`,
    ),
  ];
  return `<h3>Files in this run folder</h3><ul class="files">${items.join("")}</ul>`;
}

function optionsSection(report: RunReport): string {
  const facts = {
    options: report.options,
    versions: report.versions,
    machine: report.machine,
    timings: report.timings,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
  };
  return `<details><summary>Options, versions, machine</summary><pre>${escapeHtml(JSON.stringify(facts, null, 2))}</pre></details>`;
}

