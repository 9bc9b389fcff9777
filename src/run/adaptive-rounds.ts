// Adaptive rounds (issue 11): after the planned rounds, the heap interval and the survivors
// are read; when the interval straddles the budget, or the two disagree, more rounds of the
// same size run (bounded by --max-sessions and --max-duration) until they settle it.

import { formatDuration } from "../duration.js";
import { oneLine } from "../errors.js";
import { formatBytes } from "../format.js";
import type { HeapDiff } from "../heap/model.js";
import { gaugeBudget, type Budget } from "../verdict/budget.js";
import { callTrend, heapTrend, overButSmall, trendText, type HeapReading } from "../verdict/heap-trend.js";
import { survivorJudge, survivorLimits } from "../verdict/survivors.js";
import { abortable } from "./abortable.js";
import type { Measurement } from "./measure.js";
import type { Measurer } from "./measurer.js";
import { extensionPlan, type RoundPlan } from "./round-plan.js";
import { SnapshotSeries } from "./snapshots.js";

export interface ExtensionCheck {
  readings: HeapReading[];
  budgetBytes: number;
  /** Growth in all under which the heap alone never fails (the budget's minGrowthBytes). */
  floorBytes: number;
  /** Survivor groups the snapshots call leaks, when snapshots were read (undefined: none taken). */
  leakingGroups?: number;
  /** Of those, how many were seen over one interval only (baseline and one snapshot): growth not yet dated by round. */
  undatedLeaks?: number;
}

/** The heap alone cannot decide yet: its interval straddles the budget, or it is over with too little growth in all. More rounds settle it as soon as it can. */
export function heapUndecided(readings: HeapReading[], budgetBytes: number, floorBytes: number): boolean {
  const trend = heapTrend(readings);
  return trend !== undefined && (callTrend(trend, budgetBytes) === "unsure" || overButSmall(trend, budgetBytes, floorBytes));
}

/** Why more rounds would settle the verdict, or undefined when they would not. */
export function whyMoreRounds(check: ExtensionCheck): string | undefined {
  const trend = heapTrend(check.readings);
  if (!trend) return undefined;
  const call = callTrend(trend, check.budgetBytes);
  const budget = `the budget of ${formatBytes(check.budgetBytes)} per session`;
  if (call === "unsure") return `the heap interval (${trendText(trend)}) straddled ${budget}`;
  if (overButSmall(trend, check.budgetBytes, check.floorBytes) && !check.leakingGroups) {
    return `the heap grew over ${budget} (${trendText(trend)}) but only ${formatBytes(Math.max(0, trend.growthBytes))} in all, under the ${formatBytes(check.floorBytes)} noise floor`;
  }
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
  // A new user found "it still stood … judged as it stands" hard to read: say what remained, and what was done.
  return still ? `${ran}; at the --max-sessions/--max-duration limit the doubt remained (${still}): judged on what was measured` : `${ran}; that settled it`;
}

export interface AdaptInput {
  m: Measurer;
  readings: HeapReading[];
  budget: Budget;
  /** The planned rounds as run. */
  ran: { rounds: number; sessions: number };
  roundSize: number;
  limits: Omit<ExtensionLimits, "startedAt">;
  /** The baseline and the last round's GC point: gauges or handles already over budget need no more rounds. */
  baseline: Measurement;
  last: Measurement;
  signal: AbortSignal;
  notes: string[];
  /** Called before the snapshots are read (true: the heap-diff phase) and before more rounds run (false: rounds again). */
  onReading: (reading: boolean) => void;
  /** Runs the extra rounds of `plan` (as runRounds does). */
  runMore: (plan: RoundPlan) => Promise<void>;
}

/**
 * The check after the planned rounds, and the extra rounds it may call for (issue 11):
 * survivors counted net of turnover from the snapshots so far (on-fail takes one now), the
 * heap interval from the readings; more rounds, one check after them. Resolves with the
 * last reading of the snapshots (undefined without snapshots) and the rounds as run.
 */
export async function adaptRounds(input: AdaptInput): Promise<{ checked?: HeapDiff; ran: { rounds: number; sessions: number } }> {
  const { m, budget } = input;
  const judge = survivorJudge(survivorLimits(budget));
  let checked: HeapDiff | undefined;
  const check = async (ran: { rounds: number; sessions: number }): Promise<string | undefined> => {
    const snapshots = m.snapshots;
    // One process: its series read now. Several (per-process.ts): judged per process at the end; the heap interval alone decides here.
    if (snapshots instanceof SnapshotSeries && snapshots.mode !== "never") {
      if (snapshots.lastSessions !== ran.sessions) await m.snapshot(`round ${ran.rounds}`, ran.sessions);
      input.onReading(true);
      try {
        checked = await abortable(snapshots.analyze(judge, input.signal, false), input.signal);
      } catch (error) {
        if (input.signal.aborted) throw error;
        input.notes.push(`the heap snapshots could not be analysed: ${oneLine(error)}`);
        checked = undefined;
      }
    }
    const leaking = checked?.survivors.groups.filter((group) => group.leak);
    return whyMoreRounds({
      readings: input.readings,
      budgetBytes: budget.heap.perSessionBytes,
      floorBytes: budget.heap.minGrowthBytes,
      leakingGroups: leaking?.length,
      undatedLeaks: leaking?.filter((group) => group.growth && group.growth.rounds.filter((round) => round.sessions > 0).length < 2).length,
    });
  };
  const why = await check(input.ran);
  if (why === undefined || overBudgetAlready(input)) return { checked, ran: input.ran };
  const limits = { ...input.limits, startedAt: Date.now() };
  // Only the heap interval in doubt: stop as soon as it no longer straddles the budget.
  const heapOnly =
    whyMoreRounds({ readings: input.readings, budgetBytes: budget.heap.perSessionBytes, floorBytes: budget.heap.minGrowthBytes }) !== undefined &&
    !checked?.survivors.groups.some((group) => group.leak);
  const plan = extensionPlan(
    input.roundSize,
    input.ran,
    (done) => roomForRound(done, input.roundSize, limits),
    () => !heapOnly || heapUndecided(input.readings, budget.heap.perSessionBytes, budget.heap.minGrowthBytes),
  );
  // Back to the rounds only when more run: a check that settles it goes on to the settle phase.
  input.onReading(false);
  await input.runMore(plan);
  const extra = plan.ran.rounds - input.ran.rounds;
  if (extra === 0) {
    input.notes.push(`${why}; no room for more rounds within --max-sessions/--max-duration: judged on what was measured`);
    return { checked, ran: input.ran };
  }
  const still = await check(plan.ran);
  input.notes.push(extensionNote(extra, plan.ran.sessions - input.ran.sessions, Date.now() - limits.startedAt, why, still));
  return { checked, ran: { ...plan.ran } };
}

/** Gauges or handles already over budget after the last round: a leak whatever the heap says; more rounds would only change its count. */
function overBudgetAlready({ baseline, last, budget }: AdaptInput): boolean {
  return (
    Object.entries(last.gauges).some(([gauge, value]) => value - (baseline.gauges[gauge] ?? 0) > gaugeBudget(budget, gauge)) ||
    (last.timers ?? 0) - (baseline.timers ?? 0) > budget.handles.timers ||
    (last.sockets ?? 0) - (baseline.sockets ?? 0) > budget.handles.sockets
  );
}
