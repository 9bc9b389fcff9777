// Survivor growth, net and exact (issue 11): per survivor group, the objects allocated since
// the baseline and alive at the end, minus the group's objects alive at the baseline and gone
// at the end, counted per round. V8's node ids are stable within a process, so both are exact.
// A leak keeps objects from every round in proportion to its sessions, whatever their size; a
// bounded structure evicts its oldest or stops growing at a cap, and passes.

import { formatSigned } from "../format.js";
import type { GroupCounts, GrowthKind, RoundGrowth, SurvivorGrowth } from "../heap/model.js";

export type { GroupCounts, SurvivorGrowth } from "../heap/model.js";

/** How many objects a group must gain to be a leak: a count, not bytes. */
export interface GrowthBudget {
  /** Every round must keep at least this many per 1,000 of its sessions (50: one object per 20 sessions)… */
  perThousandSessions: number;
  /** …and at least this many must be gained in all (below it, V8's own churn). */
  minCount: number;
}

/**
 * Judges one group. A leak: every round with sessions keeps new objects and grows the group
 * net, both at least `perThousandSessions` per 1,000 of its sessions, the net gain is at
 * least `minCount`, and (nearly) none of the group's baseline objects went. Bounded: the oldest rounds' objects are gone while the newest stay, or the
 * net gain stopped (the baseline's objects leave as fast as new ones come). Steady: neither.
 * With one interval (a baseline and a final snapshot only) nothing is dated: net growth over
 * the floor with none of the baseline's objects lost is called a leak (a cache still filling
 * looks the same, and the reason says so: more rounds tell them apart); a group that lost
 * baseline objects is bounded.
 */
export function survivorGrowth(counts: GroupCounts, budget: GrowthBudget): SurvivorGrowth {
  const rounds: RoundGrowth[] = [];
  let previousSessions = 0;
  let previousAlive = 0;
  let previousGone = 0;
  for (let index = 0; index < counts.sessions.length; index++) {
    const kept = counts.newAlive[index] - previousAlive;
    const evicted = counts.baselineGone[index] - previousGone;
    const sessions = counts.sessions[index] - previousSessions;
    // A snapshot with no sessions since the one before (the final after the last round):
    // what it shows belongs to the round before it.
    if (sessions === 0 && rounds.length > 0) {
      const last = rounds[rounds.length - 1];
      last.kept += kept;
      last.evicted += evicted;
      last.net = last.kept - last.evicted;
    } else rounds.push({ sessions, kept, evicted, net: kept - evicted });
    previousSessions = counts.sessions[index];
    previousAlive = counts.newAlive[index];
    previousGone = counts.baselineGone[index];
  }
  const totalSessions = counts.sessions.at(-1) ?? 0;
  const survivors = counts.newAlive.at(-1) ?? 0;
  const gone = counts.baselineGone.at(-1) ?? 0;
  const net = survivors - gone;
  const endCount = counts.baselineCount - gone + survivors;
  let peakCount = counts.baselineCount;
  for (let index = 0; index < counts.sessions.length; index++) {
    peakCount = Math.max(peakCount, counts.baselineCount - counts.baselineGone[index] + counts.newAlive[index]);
  }
  const perThousand = (value: number, sessions: number) => (sessions > 0 ? (value / sessions) * 1000 : 0);
  const netPerThousandSessions = round1(perThousand(net, totalSessions));
  const floor = budget.perThousandSessions;
  const active = rounds.filter((round) => round.sessions > 0);
  const everyRoundKeeps = active.length > 0 && active.every((round) => perThousand(round.kept, round.sessions) >= floor);
  const everyRoundGrows = active.length > 0 && active.every((round) => perThousand(round.net, round.sessions) >= floor);
  const figures = `${formatSigned(netPerThousandSessions)} per 1,000 sessions net`;
  const base = { net, netPerThousandSessions, endCount, peakCount, rounds };

  // A group that lost its baseline objects frees old entries (a leak keeps them all): a
  // cache, filling or full. This holds with one interval too, where nothing else is dated; and
  // it sees a cap reached mid-run that the per-round net alone would miss (objects born in a
  // round and evicted before the end are in no group, so a full cache seems to gain net).
  const evicts = gone > Math.max(2, survivors / 50);
  if (everyRoundKeeps && everyRoundGrows && net >= budget.minCount && !evicts) {
    const reason =
      active.length > 1
        ? `kept by every round, ${figures}`
        : `${figures} from the baseline to the end (one interval: a cache still filling would look the same; --snapshots always dates each round)`;
    return { ...base, kind: "leak", reason };
  }
  const evictedAny = gone > 0 || rounds.some((round) => round.evicted > 0);
  const oldestGone = active.length > 1 && perThousand(active[0].kept, active[0].sessions) < floor;
  const stalled = active.some((round) => perThousand(round.net, round.sessions) < floor);
  if (survivors >= budget.minCount && (oldestGone || evictedAny || stalled)) {
    const how = oldestGone || evictedAny ? ", the oldest evicted" : ", not growing every round";
    return { ...base, kind: "bounded", reason: `bounded: at most ${peakCount.toLocaleString("en-US")} entries${how}` };
  }
  return { ...base, kind: "steady", reason: `${figures}, under the floor of ${floor} per 1,000 sessions and ${budget.minCount} in all` };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The judge's rule for survivor groups counted net of turnover, with the budget's survivor limits. */
export function growthJudge(budget: GrowthBudget): (counts: GroupCounts) => { leak: boolean; growth: SurvivorGrowth } {
  return (counts) => {
    const growth = survivorGrowth(counts, budget);
    return { leak: growth.kind === "leak", growth };
  };
}
