// Adaptive rounds (issue 11): after the planned rounds, the heap interval and the survivors
// are read; when the interval straddles the budget, or the two disagree, more rounds of the
// same size run (bounded by --max-sessions and --max-duration) until they settle it.

import { formatDuration } from "../duration.js";
import { formatBytes } from "../format.js";
import { callTrend, heapTrend, trendText, type HeapReading } from "../verdict/heap-trend.js";

export interface ExtensionCheck {
  readings: HeapReading[];
  budgetBytes: number;
  /** Survivor groups the snapshots call leaks, when snapshots were read (undefined: none taken). */
  leakingGroups?: number;
  /** Of those, how many were seen over one interval only (baseline and one snapshot): growth not yet dated by round. */
  undatedLeaks?: number;
}

/** The heap interval alone straddles the budget: more rounds settle it as soon as it does not. */
export function heapUnsure(readings: HeapReading[], budgetBytes: number): boolean {
  const trend = heapTrend(readings);
  return trend !== undefined && callTrend(trend, budgetBytes) === "unsure";
}

/** Why more rounds would settle the verdict, or undefined when they would not. */
export function whyMoreRounds(check: ExtensionCheck): string | undefined {
  const trend = heapTrend(check.readings);
  if (!trend) return undefined;
  const call = callTrend(trend, check.budgetBytes);
  const budget = `the budget of ${formatBytes(check.budgetBytes)} per session`;
  if (call === "unsure") return `the heap interval (${trendText(trend)}) straddled ${budget}`;
  if (check.leakingGroups === undefined) return undefined;
  // A group counted as growing while the heap stays within budget may be a leak too small for
  // the heap to prove, or a cache still filling (the bundled server's 500 recent results after
  // fewer than 500 sessions): only more sessions tell, when its cap is reached and it evicts.
  if (check.leakingGroups > 0 && call === "within") return `survivors grew with sessions while the heap interval (${trendText(trend)}) was within ${budget}`;
  if ((check.undatedLeaks ?? 0) > 0) return "survivors grew from the baseline to the last round, which one interval cannot date (a cache still filling looks the same)";
  if (check.leakingGroups === 0 && call === "over") return `the heap grew over ${budget} (${trendText(trend)}) while no survivor group did`;
  return undefined;
}

export interface ExtensionLimits {
  maxSessions: number;
  maxDurationMs?: number;
  /** When the planned rounds ended. */
  startedAt: number;
}

/** Whether one more round of `roundSize` sessions fits in the limits after `done` sessions. */
export function roomForRound(done: number, roundSize: number, limits: ExtensionLimits, now = Date.now()): boolean {
  if (done + roundSize > limits.maxSessions) return false;
  return limits.maxDurationMs === undefined || now - limits.startedAt < limits.maxDurationMs;
}

/** The note a report carries: `ran 2 more rounds (400 sessions, 12s) because …; then …`. */
export function extensionNote(rounds: number, sessions: number, ms: number, why: string, still: string | undefined): string {
  const ran = `ran ${rounds} more round${rounds === 1 ? "" : "s"} (${sessions.toLocaleString("en-US")} sessions, ${formatDuration(ms)}) because ${why}`;
  return still ? `${ran}; at the limit of --max-sessions/--max-duration it still stood (${still}): judged as it stands` : `${ran}; that settled it`;
}
