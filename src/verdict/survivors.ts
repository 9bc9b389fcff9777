// The judge's rule for heap-snapshot survivors: from what src/heap/survivors.ts measured of
// a group, whether it grows with sessions and whether that growth is a leak.

import type { SurvivorFigures, SurvivorJudge } from "../heap/survivors.js";
import type { Budget } from "./budget.js";

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

/** The survivor limits of a scenario's budget. */
export function survivorLimits(budget: Budget): SurvivorLimits {
  return { ...budget.survivors, bytesPerSession: budget.heap.perSessionBytes };
}

/** The rule handed to the heap analysis: figures in, trend and leak out. */
export function survivorJudge(limits: SurvivorLimits): SurvivorJudge {
  return (figures: SurvivorFigures) => {
    if (!figures.perRound || figures.perThousandSessions === null) return { trend: "unknown", leak: false };
    const grows = figures.perThousandSessions > limits.perThousandSessions;
    const leak = grows && figures.count >= limits.minCount && figures.sessions > 0 && figures.retainedSize / figures.sessions > limits.bytesPerSession;
    return { trend: grows ? "grows" : "plateau", leak };
  };
}
