// Survivors: objects allocated after the baseline that are still alive in the last
// snapshot, grouped by constructor and retainer-path shape, ranked by what they keep
// alive, and judged by how their count grows with sessions.

import type { SurvivorGroup } from "./model.js";
import { classNameOf, type IdSet } from "./census.js";
import { dominators, NO_NODE, shortestPaths, strongEdgeMask, type FullSnapshot } from "./graph.js";
import { PathRenderer } from "./paths.js";
import { nodeTypeName } from "./snapshot.js";

/** What a developer allocates and can leak; V8's internal arrays, code and shapes follow those. */
const USER_TYPES = new Set(["object", "closure", "regexp", "native", "string", "concatenated string", "sliced string", "symbol", "bigint"]);

export interface SurvivorBudget {
  /** A group growing by more than this many objects per 1,000 sessions in every round is a leak… */
  perThousandSessions: number;
  /** …when at least this many of its objects survive (below it, noise)… */
  minCount: number;
  /**
   * …and it keeps more than this many bytes alive per session: a bounded cache that has
   * not filled up yet grows like a leak within one run, but costs little per session.
   */
  bytesPerSession: number;
}

export const DEFAULT_SURVIVOR_BUDGET: SurvivorBudget = { perThousandSessions: 50, minCount: 50, bytesPerSession: 1024 };

export interface SurvivorInput {
  /** The last snapshot, with edges. */
  last: FullSnapshot;
  /** Ids present at the baseline. */
  baseline: IdSet;
  /** Only objects that also existed in this snapshot (`diff --final`: allocated by `after`). */
  allocatedBy?: IdSet;
  /** The snapshots between the baseline and the last (rounds): their ids, and sessions run by then. */
  rounds: { ids: IdSet; sessions?: number }[];
  /** Sessions run by the last snapshot. */
  sessions?: number;
  budget: SurvivorBudget;
  /** How many groups to keep. */
  top: number;
}

export interface SurvivorAnalysis {
  count: number;
  selfSize: number;
  groups: SurvivorGroup[];
}

export function analyzeSurvivors(input: SurvivorInput): SurvivorAnalysis {
  const { last, baseline, allocatedBy } = input;
  const strong = strongEdgeMask(last);
  const paths = shortestPaths(last, strong);
  const { idom, retainedSize } = dominators(last, strong);
  const renderer = new PathRenderer(last, paths);
  const { nodes, nodeFieldCount, nodeCount } = last;
  const { id: idOffset, selfSize: sizeOffset } = last.nodeOffsets;

  interface Group {
    key: number;
    members: number[];
    selfSize: number;
  }
  const groups = new Map<number, Group>();
  let count = 0;
  let selfSize = 0;
  const userType = new Uint8Array(last.nodeTypes.length);
  last.nodeTypes.forEach((type, index) => (userType[index] = USER_TYPES.has(type) ? 1 : 0));
  const typeOffset = last.nodeOffsets.type;
  for (let node = 0, base = 0; node < nodeCount; node++, base += nodeFieldCount) {
    const id = nodes[base + idOffset];
    if (baseline.has(id) || (allocatedBy && !allocatedBy.has(id))) continue;
    if (paths.parentNode[node] === NO_NODE || userType[nodes[base + typeOffset]] === 0) continue;
    const size = nodes[base + sizeOffset];
    count++;
    selfSize += size;
    const key = renderer.shapeOf(node);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, members: [], selfSize: 0 }));
    group.members.push(node);
    group.selfSize += size;
  }

  // Retained size of a group: its members' retained sizes, not counting a member kept
  // alive only through another member of the same group.
  const groupOf = new Int32Array(nodeCount).fill(-1);
  const ordered = [...groups.values()];
  ordered.forEach((group, index) => group.members.forEach((member) => (groupOf[member] = index)));
  const results = ordered.map((group, index) => {
    let retained = 0;
    for (const member of group.members) {
      const dominator = idom[member];
      if (dominator !== NO_NODE && groupOf[dominator] === index) continue;
      retained += retainedSize[member];
    }
    return { group, retained };
  });

  // A group kept alive by another group's objects (a leaked session's answers, its
  // strings) is part of that one: only the outermost groups are reported.
  const outermost = results.filter(({ group }, index) => {
    for (let holder = idom[group.members[0]], hops = 0; holder !== NO_NODE && hops < 1000; holder = idom[holder], hops++) {
      if (groupOf[holder] >= 0 && groupOf[holder] !== index) return false;
      if (holder === last.rootOrdinal) break;
    }
    return true;
  });

  const judged = outermost.map(({ group, retained }) => {
    const name = classNameOf(last, group.members[0]);
    const trend = trendOf(group.members.map((member) => nodes[member * nodeFieldCount + idOffset]), input);
    const sessions = input.sessions ?? 0;
    const leak =
      trend.trend === "grows" && group.members.length >= input.budget.minCount && sessions > 0 && retained / sessions > input.budget.bytesPerSession;
    return { group, retained, name, trend, leak };
  });
  judged.sort((a, b) => Number(b.leak) - Number(a.leak) || b.retained - a.retained || b.group.members.length - a.group.members.length);

  return {
    count,
    selfSize,
    groups: judged.slice(0, input.top).map(({ group, retained, name, trend, leak }) => {
      const steps = renderer.stepsTo(group.members[0]);
      return {
        name,
        type: nodeTypeName(last, group.members[0]),
        count: group.members.length,
        selfSize: group.selfSize,
        retainedSize: retained,
        series: trend.series,
        sessions: trend.sessions,
        perThousandSessions: trend.perThousandSessions,
        trend: trend.trend,
        leak,
        path: steps,
        pathText: PathRenderer.text(steps),
      } satisfies SurvivorGroup;
    }),
  };
}

interface Trend {
  series: number[];
  sessions?: number[];
  perThousandSessions: number | null;
  trend: SurvivorGroup["trend"];
}

/**
 * How a group grew with sessions, from when its surviving objects were born: a leak keeps
 * objects from every round (each round adds survivors in proportion to its sessions); a
 * bounded cache keeps only the newest entries, so its early rounds contributed nothing.
 * series[r] counts the group's survivors already alive at round r's snapshot; growth is
 * the smallest per-round addition per 1,000 of that round's sessions.
 */
export function trendOf(ids: number[], input: Pick<SurvivorInput, "rounds" | "sessions" | "budget">): Trend {
  const series = input.rounds.map((round) => ids.reduce((alive, id) => alive + (round.ids.has(id) ? 1 : 0), 0));
  series.push(ids.length);
  const known = input.rounds.every((round) => round.sessions !== undefined) && input.sessions !== undefined;
  const sessions = known ? [...input.rounds.map((round) => round.sessions as number), input.sessions as number] : undefined;
  if (!sessions || input.rounds.length < 2) {
    const total = sessions?.at(-1);
    return { series, sessions, perThousandSessions: total ? round1((ids.length / total) * 1000) : null, trend: "unknown" };
  }
  let slowest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < input.rounds.length; round++) {
    const added = series[round] - (round > 0 ? series[round - 1] : 0);
    const roundSessions = sessions[round] - (round > 0 ? sessions[round - 1] : 0);
    if (roundSessions > 0) slowest = Math.min(slowest, (added / roundSessions) * 1000);
  }
  if (!Number.isFinite(slowest)) slowest = 0;
  const perThousand = round1(slowest);
  return { series, sessions, perThousandSessions: perThousand, trend: perThousand > input.budget.perThousandSessions ? "grows" : "plateau" };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
