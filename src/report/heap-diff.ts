// The heap-diff report: what grew, what survived and what holds it, for the terminal
// (`leakcheck diff`), as Markdown and as one self-contained HTML page.

import path from "node:path";
import type { ChalkInstance } from "chalk";
import Table from "cli-table3";
import { formatBytes, formatSigned } from "../format.js";
import type { HeapDiff, SurvivorGroup } from "../heap/model.js";
import { pathTokens } from "../heap/paths.js";
import { chalkFor } from "./color.js";
import { escapeHtml } from "./escape-html.js";
import { writeFileAtomic } from "./writer.js";

const TERMINAL_ROWS = 10;
/** Without rounds (a trend of "unknown"), groups of fewer objects than this are folded: the survivor check's own floor. */
const UNKNOWN_SHOWN = 50;

/**
 * The terminal view: top growing constructors, then survivor groups with their retainer paths.
 * Colours from `chalk`, by default as stdout wants them (NO_COLOR, FORCE_COLOR, pipes: the
 * global chalk ignored NO_COLOR, issue 13).
 */
export function renderHeapDiffTerminal(diff: HeapDiff, chalk: ChalkInstance = chalkFor(process.stdout)): string {
  const lines: string[] = [];
  lines.push(chalk.bold(`Heap diff: ${diff.files.before} → ${diff.files.after}${diff.files.final ? ` (survivors alive in ${diff.files.final})` : ""}`));
  lines.push(
    chalk.dim(
      `  ${diff.totals.before.count.toLocaleString("en-US")} → ${diff.totals.after.count.toLocaleString("en-US")} objects, ` +
        `${formatBytes(diff.totals.before.size)} → ${formatBytes(diff.totals.after.size)} · read ${formatBytes(diff.timings.bytes)} in ${diff.timings.readMs} ms, analysed in ${diff.timings.analyzeMs} ms`,
    ),
  );
  const growing = new Table({
    head: ["constructor", "count", "Δ count", "size", "Δ size"],
    colAligns: ["left", "right", "right", "right", "right"],
    // cli-table3 colours the head by itself: only where colour is wanted.
    style: { head: chalk.level > 0 ? ["bold"] : [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const row of diff.constructors.slice(0, TERMINAL_ROWS)) {
    growing.push([truncate(row.name, 48), row.countAfter.toLocaleString("en-US"), formatSigned(row.countDelta), formatBytes(row.sizeAfter), signedBytes(row.sizeDelta)]);
  }
  lines.push("", chalk.bold("Top growing constructors"), growing.toString());

  lines.push("", chalk.bold(`Survivors: ${diff.survivors.count.toLocaleString("en-US")} new objects still alive (${formatBytes(diff.survivors.selfSize)})`));
  const { first, folded } = partition(diff.survivors.groups);
  if (diff.survivors.groups.length === 0) lines.push(chalk.dim("  none"));
  else if (first.length === 0) lines.push(chalk.dim("  no group grows with the sessions"));
  for (const group of first.slice(0, TERMINAL_ROWS)) {
    const head = `${group.count.toLocaleString("en-US")} × ${group.name}`;
    const figures = `retains ${formatBytes(group.retainedSize)}, ${growthCell(group)}`.replace(/, $/, "");
    lines.push(`  ${group.leak ? chalk.red("LEAK") : chalk.dim("    ")} ${chalk.bold(head)} ${chalk.dim(figures)}`);
    lines.push(`       ${chalk.cyan(group.pathText)}`);
    if (group.allocatedAt) lines.push(`       ${chalk.dim(group.allocatedAt)}`);
  }
  const more = folded.length + Math.max(0, first.length - TERMINAL_ROWS);
  if (more > 0) lines.push(chalk.dim(`  … and ${more} more ${more === 1 ? "group" : "groups"} that stopped growing or are small (caches, buffers, runtime data): --out writes them all`));
  return `${lines.join("\n")}\n`;
}

/** The Markdown report (GitHub-flavoured). */
export function renderHeapDiffMarkdown(diff: HeapDiff, title: string): string {
  const lines: string[] = [];
  lines.push(`# Heap diff: ${title}`, "");
  lines.push(
    `\`${diff.files.before}\` → \`${diff.files.after}\`${diff.files.final ? `, survivors alive in \`${diff.files.final}\`` : ""}: ` +
      `${diff.totals.before.count.toLocaleString("en-US")} → ${diff.totals.after.count.toLocaleString("en-US")} objects, ${formatBytes(diff.totals.before.size)} → ${formatBytes(diff.totals.after.size)}.`,
    "",
  );
  lines.push("## Survivors: allocated after the baseline and still alive", "");
  lines.push(`${diff.survivors.count.toLocaleString("en-US")} objects, ${formatBytes(diff.survivors.selfSize)} of their own.`, "");
  const { first, folded } = partition(diff.survivors.groups);
  const table = (groups: SurvivorGroup[]) => [
    "| | objects | constructor | retained | growth | held by |",
    "|---|---:|---|---:|---|---|",
    ...groups.map(
      (group) =>
        `| ${group.leak ? "**leak**" : ""} | ${group.count.toLocaleString("en-US")} | ${cell(group.name)} | ${formatBytes(group.retainedSize)} | ${cell(growthCell(group))} | ${cell(group.pathText)}${group.allocatedAt ? `<br>${cell(group.allocatedAt)}` : ""} |`,
    ),
    "",
  ];
  if (first.length > 0) lines.push(...table(first));
  else if (folded.length > 0) lines.push("No group grows with the sessions.", "");
  if (folded.length > 0) {
    // GitHub renders <details>; a blank line lets the table inside it render too.
    lines.push(`<details><summary>${foldedSummary(folded)}</summary>`, "", ...table(folded), "</details>", "");
  }
  lines.push("## Top growing constructors", "", "| constructor | count | Δ count | size | Δ size |", "|---|---:|---:|---:|---:|");
  for (const row of diff.constructors) {
    lines.push(`| ${cell(row.name)} | ${row.countAfter.toLocaleString("en-US")} | ${formatSigned(row.countDelta)} | ${formatBytes(row.sizeAfter)} | ${signedBytes(row.sizeDelta)} |`);
  }
  lines.push("", `Read ${formatBytes(diff.timings.bytes)} of snapshots in ${diff.timings.readMs} ms, analysed in ${diff.timings.analyzeMs} ms.`, "");
  return lines.join("\n");
}

/** One self-contained HTML page (no scripts, no network): opens from disk. */
export function renderHeapDiffHtml(diff: HeapDiff, title: string): string {
  const { first, folded } = partition(diff.survivors.groups);
  const rows = (groups: SurvivorGroup[]) =>
    groups
      .map(
        (group) =>
          `<tr class="${group.leak ? "leak" : ""}"><td>${group.leak ? "leak" : ""}</td><td class="n">${group.count.toLocaleString("en-US")}</td><td>${escapeHtml(group.name)}</td>` +
          `<td class="n">${formatBytes(group.retainedSize)}</td><td>${escapeHtml(growthCell(group))}${seriesText(group)}</td>` +
          `<td class="path">${pathHtml(group)}${group.allocatedAt ? `<br><span class="site">${escapeHtml(group.allocatedAt)}</span>` : ""}</td></tr>`,
      )
      .join("\n");
  const head = `<thead><tr><th></th><th>objects</th><th>constructor</th><th>retained</th><th>growth</th><th>held by (shortest path from the GC roots)</th></tr></thead>`;
  const survivors =
    first.length > 0
      ? `<table>${head}\n<tbody>\n${rows(first)}\n</tbody></table>`
      : `<p class="muted">${diff.survivors.groups.length === 0 ? "No survivor groups." : "No group grows with the sessions."}</p>`;
  const rest =
    folded.length > 0 ? `\n<details><summary>${escapeHtml(foldedSummary(folded))}</summary>\n<table>${head}\n<tbody>\n${rows(folded)}\n</tbody></table>\n</details>` : "";
  const constructors = diff.constructors
    .map(
      (row) => `<tr><td>${escapeHtml(row.name)}</td><td class="n">${row.countAfter.toLocaleString("en-US")}</td><td class="n">${formatSigned(row.countDelta)}</td>` +
        `<td class="n">${formatBytes(row.sizeAfter)}</td><td class="n">${signedBytes(row.sizeDelta)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Heap diff: ${escapeHtml(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:1200px}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .5rem;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
th{background:#f4f6f8}td.n{text-align:right;white-space:nowrap}tr.leak td:first-child{color:#b42318;font-weight:600}
.path{font-family:ui-monospace,monospace;font-size:12.5px}.path .arrow{color:#9ca3af}.path .site{color:#4b5563}.muted{color:#6b7280}
details{margin-top:1rem}summary{cursor:pointer;color:#374151}details table{margin-top:.5rem}
</style></head><body>
<h1>Heap diff: ${escapeHtml(title)}</h1>
<p class="muted"><code>${escapeHtml(diff.files.before)}</code> → <code>${escapeHtml(diff.files.after)}</code>${diff.files.final ? `, survivors alive in <code>${escapeHtml(diff.files.final)}</code>` : ""}:
${diff.totals.before.count.toLocaleString("en-US")} → ${diff.totals.after.count.toLocaleString("en-US")} objects, ${formatBytes(diff.totals.before.size)} → ${formatBytes(diff.totals.after.size)}.</p>
<h2>Survivors: allocated after the baseline and still alive</h2>
<p>${diff.survivors.count.toLocaleString("en-US")} objects, ${formatBytes(diff.survivors.selfSize)} of their own.</p>
${survivors}${rest}
<h2>Top growing constructors</h2>
<table><thead><tr><th>constructor</th><th>count</th><th>Δ count</th><th>size</th><th>Δ size</th></tr></thead>
<tbody>
${constructors}
</tbody></table>
<p class="muted">Read ${formatBytes(diff.timings.bytes)} of snapshots in ${diff.timings.readMs} ms, analysed in ${diff.timings.analyzeMs} ms.</p>
</body></html>
`;
}

/** Writes `<baseName>.md` and `<baseName>.html` into `dir`; returns their names in it. */
export async function writeHeapDiffReport(dir: string, baseName: string, diff: HeapDiff, title: string): Promise<{ markdown: string; html: string }> {
  const markdown = `${baseName}.md`;
  const html = `${baseName}.html`;
  await writeFileAtomic(path.join(dir, markdown), renderHeapDiffMarkdown(diff, title));
  await writeFileAtomic(path.join(dir, html), renderHeapDiffHtml(diff, title));
  return { markdown, html };
}

/**
 * How the group grew, as report.html words it: the judge's reading of its counts net of
 * turnover when there is one ("leak: kept by every round, …", "bounded: at most 500 entries,
 * the oldest evicted"), else the rate and trend of its count.
 */
function growthCell(group: SurvivorGroup): string {
  if (group.growth) return `${group.leak ? "leak: " : ""}${group.growth.reason}`;
  return growthText(group).replace(/^, /, "");
}

function growthText(group: SurvivorGroup): string {
  if (group.perThousandSessions === null) return "";
  const rate = `${group.perThousandSessions > 0 ? "+" : ""}${group.perThousandSessions.toLocaleString("en-US")} per 1,000 sessions`;
  return `, ${rate}${group.trend === "unknown" ? "" : `, ${group.trend}`}`;
}

function seriesText(group: SurvivorGroup): string {
  if (group.series.length < 2) return "";
  return `<br><span class="muted">${group.series.map((count) => count.toLocaleString("en-US")).join(" → ")}</span>`;
}

function pathHtml(group: SurvivorGroup): string {
  return pathTokens(group.path)
    .map((token) => escapeHtml(token))
    .join(` <span class="arrow">→</span> `);
}

/**
 * The groups a reader looks at first (leaks, groups that grow with the sessions, and with no
 * rounds to tell a trend, groups of many objects), and the rest (stopped growing, or a few
 * objects: parser buffers, realm data, caches), folded away. Each keeps the survivors' order.
 */
function partition(groups: SurvivorGroup[]): { first: SurvivorGroup[]; folded: SurvivorGroup[] } {
  const first: SurvivorGroup[] = [];
  const folded: SurvivorGroup[] = [];
  for (const group of groups) (group.leak || group.trend === "grows" || (group.trend === "unknown" && group.count >= UNKNOWN_SHOWN) ? first : folded).push(group);
  return { first, folded };
}

function foldedSummary(folded: SurvivorGroup[]): string {
  const objects = folded.reduce((sum, group) => sum + group.count, 0);
  const retained = folded.reduce((sum, group) => sum + group.retainedSize, 0);
  return `${folded.length} more ${folded.length === 1 ? "group" : "groups"} that stopped growing or are small (caches, buffers, runtime data): ${objects.toLocaleString("en-US")} objects, ${formatBytes(retained)} retained`;
}

function signedBytes(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
