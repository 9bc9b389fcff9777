// The round plan: how many sessions each round runs and when the rounds are over.
// Fixed: --sessions in --rounds. Soak: rounds of the same size until --duration has
// passed. The loop asks the plan for the next round and tells it what each round
// measured, so a later plan can add rounds while the figures are undecided (adaptive),
// or spread a round over several server processes, without the loop changing.

import { formatDuration } from "../duration.js";

export interface Round {
  /** 1, 2, …: the rounds after the baseline. */
  index: number;
  /** Sessions this round runs. */
  count: number;
  /** Sessions run before it (since the baseline). */
  before: number;
}

/** What a round measured, for plans that decide on it. */
export interface RoundOutcome {
  round: Round;
  /** Heap used after GC once the round settled, when measured. */
  heapUsed?: number;
}

export interface RoundPlan {
  readonly kind: "fixed" | "soak";
  /** The rounds phase's detail line: "500 sessions in 4 rounds". */
  readonly detail: string;
  /** Planned rounds for progress events; 0 when the plan does not know yet (a soak, extra rounds). */
  readonly plannedRounds: number;
  /** Rounds run after the planned ones because the verdict was unsure (issue 11). */
  readonly extra?: boolean;
  /** Whether a heap snapshot after each round is worth taking (a plan of unknown length: no). */
  readonly snapshotEachRound: boolean;
  /** The next round, or undefined when the plan is done. */
  next(): Round | undefined;
  /** The progress bar's total for `round`. */
  progressTotal(round: Round): number;
  /** Tells the plan what a round measured. */
  completed(outcome: RoundOutcome): void;
  /** Rounds and sessions actually run. */
  readonly ran: { rounds: number; sessions: number };
}

/** `sessions` spread over `rounds` rounds as evenly as whole sessions allow. */
export function fixedPlan(sessions: number, rounds: number): RoundPlan {
  const total = Math.max(1, Math.min(rounds, sessions));
  const ran = { rounds: 0, sessions: 0 };
  return {
    kind: "fixed",
    detail: `${sessions} sessions in ${total} rounds`,
    plannedRounds: total,
    snapshotEachRound: true,
    next() {
      if (ran.rounds >= total) return undefined;
      const index = ran.rounds + 1;
      return { index, count: Math.floor((sessions * index) / total) - ran.sessions, before: ran.sessions };
    },
    progressTotal: () => sessions,
    completed({ round }) {
      ran.rounds = round.index;
      ran.sessions = round.before + round.count;
    },
    ran,
  };
}

/**
 * Rounds of sessions/rounds sessions until `durationMs` has passed since the plan was made
 * (the first round always runs); the total is known at the end.
 */
export function soakPlan(sessions: number, rounds: number, durationMs: number, now: () => number = Date.now): RoundPlan {
  const size = Math.max(1, Math.ceil(sessions / Math.max(1, Math.min(rounds, sessions))));
  const endsAt = now() + durationMs;
  const ran = { rounds: 0, sessions: 0 };
  return {
    kind: "soak",
    detail: `soak for ${formatDuration(durationMs)} in rounds of ${size} sessions`,
    plannedRounds: 0,
    snapshotEachRound: false,
    next() {
      if (ran.rounds > 0 && now() >= endsAt) return undefined;
      return { index: ran.rounds + 1, count: size, before: ran.sessions };
    },
    progressTotal: (round) => round.before + round.count,
    completed({ round }) {
      ran.rounds = round.index;
      ran.sessions = round.before + round.count;
    },
    ran,
  };
}

/**
 * Whether a heap snapshot follows round `index`: every round with --snapshots always; with
 * on-fail one half way (the check takes one after the last), so that two intervals date what
 * survives and a pool or cache that filled in the first half is seen to stop (issue 11).
 * A plan of unknown length (a soak) takes none.
 */
export function snapshotAfter(plan: RoundPlan, index: number, mode: "always" | "on-fail" | "never"): boolean {
  if (!plan.snapshotEachRound) return false;
  if (mode === "always") return true;
  return mode === "on-fail" && plan.plannedRounds >= 2 && index === Math.ceil(plan.plannedRounds / 2);
}

/**
 * More rounds of `size` sessions after the planned ones (issue 11), numbered on from
 * `after`, while `more()` says they are still wanted and `room()` allows one more. No
 * snapshot per round: the check after them takes one.
 */
export function extensionPlan(size: number, after: { rounds: number; sessions: number }, room: (done: number) => boolean, more: () => boolean): RoundPlan {
  const ran = { rounds: after.rounds, sessions: after.sessions };
  let stop = false;
  return {
    kind: "fixed",
    detail: `more rounds of ${size} sessions`,
    plannedRounds: 0,
    extra: true,
    snapshotEachRound: false,
    next() {
      if (stop || !room(ran.sessions)) return undefined;
      return { index: ran.rounds + 1, count: size, before: ran.sessions };
    },
    progressTotal: (round) => round.before + round.count,
    completed({ round }) {
      ran.rounds = round.index;
      ran.sessions = round.before + round.count;
      stop = !more();
    },
    ran,
  };
}

/** Past MAX_ROUND_POINTS, every other point goes (the first and the newest stay): constant memory, same trend. */
export const MAX_ROUND_POINTS = 1000;
export function keepBounded<T>(points: T[]): void {
  if (points.length <= MAX_ROUND_POINTS) return;
  const last = points.length - 1;
  const kept = points.filter((_, index) => index % 2 === 0 || index === last);
  points.splice(0, points.length, ...kept);
}
