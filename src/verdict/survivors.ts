// The judge's rule for heap-snapshot survivors: from what src/heap/survivors.ts measured of
// a group, whether it grows with sessions and whether that growth is a leak.

import type { SurvivorFigures, SurvivorJudge } from "../heap/survivors.js";
import type { Budget } from "./budget.js";
import { survivorGrowth } from "./survivor-growth.js";

/** A group is a leak when it grows in every round, enough of it survives, and it keeps enough alive per session. */
export interface SurvivorLimits {
  /** Growing: every round added more than this many objects per 1,000 of its sessions. */
  perThousandSessions: number;
  /** Below this many survivors a group is noise. */
  minCount: number;
  /**
   * Bytes kept alive per session: a bounded cache that has not filled up yet grows like a
   * leak within one run, but costs little per session.
   */
  bytesPerSession: number;
}

/**
 * Sessions (after the baseline, extra rounds included) from which a group under the bytes
 * budget is called a leak on its count alone (issue 11). Every bundled scenario runs more.
 */
export const MIN_SESSIONS_FOR_COUNT = 500;

/** The survivor limits of a scenario's budget. */
export function survivorLimits(budget: Budget): SurvivorLimits {
  return { ...budget.survivors, bytesPerSession: budget.heap.perSessionBytes };
}

/**
 * The rule handed to the heap analysis: figures in, trend and leak out. With counts net of
 * turnover (issue 11) the floor is a count, whatever the size: see survivor-growth.ts.
 */
export function survivorJudge(limits: SurvivorLimits): SurvivorJudge {
  return (figures: SurvivorFigures) => {
    if (figures.counts) {
      const growth = survivorGrowth(figures.counts, limits);
      const trend = growth.kind === "leak" ? "grows" : growth.kind === "bounded" ? "plateau" : figures.perRound && figures.perThousandSessions !== null && figures.perThousandSessions > limits.perThousandSessions ? "grows" : "plateau";
      // Counted, a group is a leak whatever its size; but a small one needs a run long enough
      // that an ordinary cache would have filled and evicted (a run of 60 sessions sees the
      // bundled server's 500 recent results only grow). Over the bytes budget, any length.
      const big = figures.sessions > 0 && figures.retainedSize / figures.sessions > limits.bytesPerSession;
      const long = figures.sessions >= MIN_SESSIONS_FOR_COUNT;
      return { trend, leak: growth.kind === "leak" && (big || long), growth };
    }
    if (!figures.perRound || figures.perThousandSessions === null) return { trend: "unknown", leak: false };
    const grows = figures.perThousandSessions > limits.perThousandSessions;
    const leak = grows && figures.count >= limits.minCount && figures.sessions > 0 && figures.retainedSize / figures.sessions > limits.bytesPerSession;
    return { trend: grows ? "grows" : "plateau", leak };
  };
}
