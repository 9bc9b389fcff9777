// A server of several processes (issue 12) in the text reports: each process's heap growth
// and what failed in it. The scenario's rows are the sum over processes, and a leak in one
// worker (its own heap, or objects that survive in it alone) can read "ok" there.

import { formatBytes, formatSigned } from "../format.js";
import type { ScenarioResult } from "../report-schema/scenario.js";
import type { Verdict } from "../report-schema/verdict.js";

export interface ProcessRow {
  /** `worker 2 (pid 4121)`. */
  label: string;
  verdict: Verdict;
  /** Heap growth per session, with its interval when there is one: `+6,472 ± 2,155 B (95 %)`; null when not measured. */
  growth: string | null;
  budget: string | null;
  /** What failed in this process: `heap growth`, `surviving objects`, `activeSessions +60`. */
  failed: string[];
}

/** One row per process, in report.json's order; [] for a server of one process. */
export function processRows(scenario: ScenarioResult): ProcessRow[] {
  return (scenario.processes ?? []).map((process) => {
    const heap = process.heap;
    const failed: string[] = [];
    if (heap && !heap.pass) failed.push("heap growth");
    if (heap?.survivors && !heap.survivors.pass) failed.push("surviving objects");
    for (const check of [...process.gauges, ...(process.handles ?? [])]) {
      if (!check.pass) failed.push(`${check.name} ${formatSigned(check.residual)}`);
    }
    return {
      label: process.label,
      verdict: process.verdict,
      growth: heap ? (heap.trend ? heap.trend.text.replace(" B per session, 95 %", " B (95 %)") : formatBytes(heap.perSessionBytes)) : null,
      budget: heap ? formatBytes(heap.budgetBytes) : null,
      failed,
    };
  });
}

/** The row's verdict in a few words: `ok`, `over: heap growth, activeSessions +60 and 3 more`, `error` (the reasons say the rest). */
export function processMark(row: ProcessRow, most = 2): string {
  if (row.verdict === "pass") return "ok";
  if (row.verdict === "error") return "error";
  return row.failed.length ? `over: ${failedText(row, most)}` : "over";
}

/** What failed in the process, the first `most` named: `heap growth, activeSessions +60 and 3 more`. */
export function failedText(row: ProcessRow, most = 2): string {
  const more = row.failed.length - most;
  return `${row.failed.slice(0, most).join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}
