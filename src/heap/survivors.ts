// Survivors: objects allocated after the baseline that are still alive in the last
// snapshot, grouped by constructor and retainer-path shape, ranked by what they keep
// alive, and measured by how their count grows with sessions. Measured only: whether a
// group is a leak is the judge's call (src/verdict/survivors.ts), handed in as `judge`.

import type { GroupCounts, SurvivorGroup, SurvivorGrowth } from "./model.js";
import { classNameOf } from "./census.js";
import type { IdSet } from "./id-set.js";
import { buildGraph, NO_NODE, type FullSnapshot, type HeapGraph } from "./graph.js";
import { PairTable } from "./pair-table.js";
import { PathRenderer } from "./paths.js";
import { nodeTypeName, selfSizeOf } from "./snapshot.js";
import { groupKey, type BaselineGroup } from "./baseline-turnover.js";

/** What a developer allocates and can leak; V8's internal arrays, code and shapes follow those. */
export const USER_TYPES: ReadonlySet<string> = new Set(["object", "closure", "regexp", "native", "string", "concatenated string", "sliced string", "symbol", "bigint"]);

/** Ids kept per group: enough to find where most of its objects were allocated. */
const SAMPLE_IDS = 16;

/** What is measured of one survivor group: the figures the judge decides on. */
export interface SurvivorFigures {
  /** Objects of the group alive in the last snapshot. */
  count: number;
  /** Bytes the group keeps alive on its own. */
  retainedSize: number;
  /** The smallest per-round addition per 1,000 of that round's sessions (null: sessions unknown). */
  perThousandSessions: number | null;
  /** True when at least two rounds with known sessions came before the last snapshot: growth per round is measured. */
  perRound: boolean;
  /** Sessions run by the last snapshot (0 when unknown). */
  sessions: number;
  /** Counts by snapshot net of the baseline's objects it lost, when the baseline was read with its edges (issue 11). */
  counts?: GroupCounts;
}

/** The judge's word on one group. */
export interface SurvivorJudgement {
  trend: SurvivorGroup["trend"];
  leak: boolean;
  /** The judge's reading of the counts, when there were counts. */
  growth?: SurvivorGrowth;
}

/** Decides from a group's figures whether it grows and leaks (the judge's rule: src/verdict/survivors.ts). */
export type SurvivorJudge = (figures: SurvivorFigures) => SurvivorJudgement;

/** No judge: every group measured, none called growing or leaking. */
const MEASURE_ONLY: SurvivorJudge = () => ({ trend: "unknown", leak: false });

export interface SurvivorInput {
  /** The last snapshot, with edges. */
  last: FullSnapshot;
  /** Its graph (buildGraph), when already built. */
  graph?: HeapGraph;
  /** Ids present at the baseline. */
  baseline: IdSet;
  /** Only objects that also existed in this snapshot (`diff --final`: allocated by `after`). */
  allocatedBy?: IdSet;
  /** The snapshots between the baseline and the last (rounds): their ids, and sessions run by then. */
  rounds: { ids: IdSet; sessions?: number }[];
  /** Sessions run by the last snapshot. */
  sessions?: number;
  /** Decides which groups grow and leak (leaks are ranked first); without it none is called either. */
  judge?: SurvivorJudge;
  /**
   * The baseline's groups (baselineTurnover): when given, with sessions known, each group's
   * counts net of turnover are measured (issue 11) and handed to the judge.
   */
  turnover?: Map<string, BaselineGroup>;
  /** How many groups to keep. */
  top: number;
}

export interface SurvivorAnalysis {
  count: number;
  selfSize: number;
  groups: SurvivorGroup[];
}

/** The survivors of the last snapshot, grouped, ranked by what they keep alive, and judged. */
export function analyzeSurvivors(input: SurvivorInput): SurvivorAnalysis {
  const { last, baseline, allocatedBy } = input;
  const { paths, dominators } = input.graph ?? buildGraph(last);
  const { dom, retained } = dominators;
  const renderer = new PathRenderer(last, paths);
  const { nodeCount } = last;
  const { type: types, id: ids } = last.nodes;
  const rank = paths.rank;

  // Per group, by index (shape keys numbered as first seen): its first member, count and self
  // size. Per rank: the group + 1, 0 for none; a byte while there are fewer than 255 groups
  // (a leak makes a handful), widened as more come.
  const groupByKey = new PairTable();
  const key = new Int32Array(2);
  const firstMember: number[] = [];
  const memberCount: number[] = [];
  const groupSelfSize: number[] = [];
  const samples: number[][] = []; // a few members' ids per group, for allocation sites
  let groupOf: Uint8Array | Uint16Array | Uint32Array = new Uint8Array(paths.reachable);
  let count = 0;
  let selfSize = 0;
  const userType = Uint8Array.from(last.nodeTypes, (type) => (USER_TYPES.has(type) ? 1 : 0));
  for (let node = 0; node < nodeCount; node++) {
    const id = ids[node];
    if (rank[node] === NO_NODE || userType[types[node]] === 0) continue;
    if (baseline.has(id) || (allocatedBy && !allocatedBy.has(id))) continue;
    if (paths.isOwn(node)) continue; // leakcheck's probe and what only it holds: not the server's
    const size = selfSizeOf(last.nodes, node);
    count++;
    selfSize += size;
    renderer.shapeOf(node, key);
    const group = groupByKey.index(key[0], key[1]);
    if (group === firstMember.length) {
      firstMember.push(node);
      memberCount.push(0);
      groupSelfSize.push(0);
      samples.push([]);
      if (group === 0xff) groupOf = Uint16Array.from(groupOf); // group + 1 needs 9 bits from here
      else if (group === 0xffff) groupOf = Uint32Array.from(groupOf);
    }
    groupOf[rank[node]] = group + 1;
    memberCount[group]++;
    if (samples[group].length < SAMPLE_IDS) samples[group].push(id);
    groupSelfSize[group] += size;
  }

  // Retained size of a group: its members' retained sizes, not counting a member kept
  // alive only through another member of the same group.
  const groupRetained = new Float64Array(firstMember.length);
  for (let r = 1; r < paths.reachable; r++) {
    const group = groupOf[r];
    if (group > 0 && groupOf[dom[r]] !== group) groupRetained[group - 1] += retained[r];
  }

  // A group kept alive by another group's objects (a leaked session's answers, its
  // strings) is part of that one: only the outermost groups are reported.
  const outermost: number[] = [];
  for (let group = 0; group < firstMember.length; group++) {
    let inner = false;
    for (let holder = dom[rank[firstMember[group]]], hops = 0; hops < 1000; holder = dom[holder], hops++) {
      if (groupOf[holder] > 0 && groupOf[holder] !== group + 1) {
        inner = true;
        break;
      }
      if (holder === 0) break;
    }
    if (!inner) outermost.push(group);
  }

  const series = roundSeries(input, outermost, groupOf, rank, ids, memberCount);
  const judge = input.judge ?? MEASURE_ONLY;
  const judged = outermost.map((group, index) => {
    const trend = trendOf(series[index], input);
    const name = classNameOf(last, firstMember[group]);
    const counts = input.turnover && trend.sessions ? groupCounts(input.turnover, name, renderer, firstMember[group], trend) : undefined;
    const judged = judge({
      count: memberCount[group],
      retainedSize: groupRetained[group],
      perThousandSessions: trend.perThousandSessions,
      perRound: trend.perRound,
      sessions: input.sessions ?? 0,
      ...(counts ? { counts } : {}),
    });
    const { trend: verdictTrend, leak, growth } = RUNTIME_POOLS.has(name) ? pooled(judged, RUNTIME_POOLS.get(name)!) : judged;
    return { group, retained: groupRetained[group], name, trend: { ...trend, trend: verdictTrend }, leak, growth };
  });
  judged.sort((a, b) => Number(b.leak) - Number(a.leak) || b.retained - a.retained || memberCount[b.group] - memberCount[a.group]);

  return {
    count,
    selfSize,
    groups: judged.slice(0, input.top).map(({ group, retained, name, trend, leak, growth }) => {
      const steps = renderer.stepsTo(firstMember[group]);
      return {
        name,
        type: nodeTypeName(last, firstMember[group]),
        count: memberCount[group],
        selfSize: groupSelfSize[group],
        retainedSize: retained,
        series: trend.series,
        sessions: trend.sessions,
        perThousandSessions: trend.perThousandSessions,
        trend: trend.trend,
        leak,
        ...(growth ? { growth } : {}),
        sampleIds: samples[group],
        path: steps,
        pathText: PathRenderer.text(steps),
      } satisfies SurvivorGroup;
    }),
  };
}

/**
 * Node's own pools, bounded by Node: objects it keeps for reuse, more of them the more were in
 * use at once. HTTP parsers go back to a free list of up to 1,000 when their connection closes
 * (lib/_http_common.js): under HTTP load that list fills over the rounds and counted like a
 * leak (a fixed server failed CI that way). A parser held by a live socket is a socket left
 * open, which the active-sockets check catches.
 */
const RUNTIME_POOLS: ReadonlyMap<string, string> = new Map([["HTTPParser", "Node's free list of HTTP parsers, at most 1,000, reused"]]);

function pooled(judged: ReturnType<SurvivorJudge>, pool: string): ReturnType<SurvivorJudge> {
  if (!judged.leak && judged.growth?.kind !== "leak") return judged;
  return {
    trend: "plateau",
    leak: false,
    ...(judged.growth ? { growth: { ...judged.growth, kind: "bounded" as const, reason: `bounded: ${pool}` } } : {}),
  };
}

/** A group's counts by snapshot: its new objects alive then, and its baseline objects gone by then. */
function groupCounts(turnover: Map<string, BaselineGroup>, name: string, renderer: PathRenderer, member: number, trend: Trend): GroupCounts {
  const before = turnover.get(groupKey(name, PathRenderer.text(renderer.stepsTo(member))));
  const sessions = trend.sessions!;
  return { sessions, newAlive: trend.series, baselineCount: before?.count ?? 0, baselineGone: before?.goneBy ?? sessions.map(() => 0) };
}

/**
 * Per group of `groups`: how many of its members were already alive at each round's
 * snapshot, then all of them (the last snapshot).
 */
function roundSeries(input: SurvivorInput, groups: number[], groupOf: Uint8Array | Uint16Array | Uint32Array, rank: Uint32Array, ids: Uint32Array, memberCount: number[]): number[][] {
  const rounds = input.rounds;
  const series = groups.map((group) => [...rounds.map(() => 0), memberCount[group]]);
  if (rounds.length === 0) return series;
  const slot = new Int32Array(memberCount.length + 1).fill(-1); // by group + 1
  groups.forEach((group, index) => (slot[group + 1] = index));
  for (let node = 0; node < ids.length; node++) {
    const r = rank[node];
    if (r === NO_NODE || slot[groupOf[r]] < 0) continue;
    const counts = series[slot[groupOf[r]]];
    for (let round = 0; round < rounds.length; round++) if (rounds[round].ids.has(ids[node])) counts[round]++;
  }
  return series;
}

interface Trend {
  series: number[];
  sessions?: number[];
  perThousandSessions: number | null;
  /** Growth per round was measured (two rounds or more, sessions known). */
  perRound: boolean;
}

/**
 * How a group grew with sessions, from when its surviving objects were born: a leak keeps
 * objects from every round (each round adds survivors in proportion to its sessions); a
 * bounded cache keeps only the newest entries, so its early rounds contributed nothing.
 * series[r] counts the group's survivors already alive at round r's snapshot (the last entry:
 * all of them); growth is the smallest per-round addition per 1,000 of that round's sessions.
 */
export function trendOf(series: number[], input: Pick<SurvivorInput, "rounds" | "sessions">): Trend {
  const survivors = series[series.length - 1];
  const known = input.rounds.every((round) => round.sessions !== undefined) && input.sessions !== undefined;
  const sessions = known ? [...input.rounds.map((round) => round.sessions as number), input.sessions as number] : undefined;
  if (!sessions || input.rounds.length < 2) {
    const total = sessions?.at(-1);
    return { series, sessions, perThousandSessions: total ? round1((survivors / total) * 1000) : null, perRound: false };
  }
  let slowest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < input.rounds.length; round++) {
    const added = series[round] - (round > 0 ? series[round - 1] : 0);
    const roundSessions = sessions[round] - (round > 0 ? sessions[round - 1] : 0);
    if (roundSessions > 0) slowest = Math.min(slowest, (added / roundSessions) * 1000);
  }
  if (!Number.isFinite(slowest)) slowest = 0;
  return { series, sessions, perThousandSessions: round1(slowest), perRound: true };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
