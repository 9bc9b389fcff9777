// The heap diff of a series of snapshots of one process: read them (only the last with its
// edges), compare constructors first → last, and find the survivors.

import path from "node:path";
import { census, type Census, type SnapshotSummary } from "./census.js";
import { buildGraph, hasEdges, type FullSnapshot, type HeapGraph } from "./graph.js";
import { IdSet } from "./id-set.js";
import { baselineTurnover, type BaselineGroup } from "./baseline-turnover.js";
import type { ConstructorDelta, HeapDiff } from "./model.js";
import { readHeapSnapshot } from "./snapshot.js";
import { readSummaries } from "./summaries.js";
import { analyzeSurvivors, USER_TYPES, type SurvivorJudge } from "./survivors.js";

export interface SnapshotSeries {
  /** The baseline. */
  before: string;
  /** Snapshots between (rounds): only their ids are used, to date the survivors. */
  between?: string[];
  /** Compared with `before` in the constructor table (`diff <before> <after>`); default: the last. */
  after?: string;
  /** The snapshot survivors are looked for in, read with its edges. */
  last: string;
  /** Survivors must also exist in `after` (`diff --final`: allocated before `after` was taken). */
  survivorsFromAfter?: boolean;
  /** Sessions run at each snapshot after the baseline (between…, last), for growth per session. */
  sessions?: number[];
  /** The judge's survivor rule (src/verdict/survivors.ts); without it groups are measured, none called a leak. */
  judge?: SurvivorJudge;
  /**
   * Also read the baseline with its edges, to count survivors net of the baseline objects
   * each group lost (issue 11): exact for caches that evict, at the cost of a second graph.
   */
  turnover?: boolean;
  /** How many constructors and survivor groups to report. */
  top?: number;
  signal?: AbortSignal;
}

/**
 * Reads and analyses a series of snapshots; throws SnapshotFormatError on a corrupt file (the
 * baseline's when more than one is). timings.readMs is the time spent reading or waiting for a
 * read; the baseline and the rounds are read on a worker thread alongside.
 */
export async function analyzeSnapshots(series: SnapshotSeries): Promise<HeapDiff> {
  const started = Date.now();
  const top = series.top ?? 20;
  const between = series.between ?? [];
  const afterFile = series.after ?? series.last;

  // Of the baseline and the rounds only the census and the ids are needed: a worker thread
  // reads them (their nodes counted as they stream by, never held) while this one reads the
  // last snapshot and builds its graph, which needs nothing from them.
  const stop = new AbortController(); // the worker's reads
  const stopLast = new AbortController(); // this thread's: a broken baseline ends it early
  const onAbort = () => {
    stop.abort(series.signal!.reason);
    stopLast.abort(series.signal!.reason);
  };
  if (series.signal?.aborted) onAbort();
  series.signal?.addEventListener("abort", onAbort, { once: true });
  const summaries = readSummaries([series.before, ...between], { signal: stop.signal });
  summaries.catch((error: unknown) => stopLast.abort(error));
  let readMs = 0;
  let last: FullSnapshot;
  let graph: HeapGraph;
  let before: SnapshotSummary;
  let roundSummaries: SnapshotSummary[];
  try {
    const read = await readHeapSnapshot(series.last, { edges: true, signal: stopLast.signal });
    readMs = Date.now() - started;
    if (!hasEdges(read)) throw new Error(`${series.last}: read without edges`);
    last = read;
    graph = buildGraph(last);
    const waited = Date.now();
    [before, ...roundSummaries] = await summaries;
    readMs += Date.now() - waited;
  } catch (error) {
    stop.abort(error);
    // The baseline's own error first, as when the files were read one after the other.
    const earlier = await summaries.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    throw earlier ?? error;
  } finally {
    series.signal?.removeEventListener("abort", onAbort);
  }
  const bytes = last.byteLength + before.byteLength + roundSummaries.reduce((sum, summary) => sum + summary.byteLength, 0);
  const beforeCensus = before.census;
  const baseline = before.ids;
  const rounds = roundSummaries.map((summary, index) => ({ ids: summary.ids, sessions: series.sessions?.[index] }));
  const afterIndex = between.indexOf(afterFile);
  const afterCensus: Census = afterIndex >= 0 ? roundSummaries[afterIndex].census : census(last);
  const afterIds: IdSet | undefined = afterIndex >= 0 && series.survivorsFromAfter ? roundSummaries[afterIndex].ids : undefined;

  let turnover: Map<string, BaselineGroup> | undefined;
  if (series.turnover && series.sessions !== undefined) {
    const waited = Date.now();
    const read = await readHeapSnapshot(series.before, { edges: true, signal: series.signal });
    readMs += Date.now() - waited;
    if (!hasEdges(read)) throw new Error(`${series.before}: read without edges`);
    const finalIds = IdSet.from(last.nodes.id, last.nodeCount);
    turnover = baselineTurnover(read, buildGraph(read), USER_TYPES, { rounds: rounds.map((round) => round.ids), finalIds });
  }
  const survivors = analyzeSurvivors({
    last,
    graph,
    baseline,
    allocatedBy: afterIds,
    rounds,
    sessions: series.sessions?.[between.length],
    judge: series.judge,
    turnover,
    top,
  });
  return {
    files: {
      before: path.basename(series.before),
      after: path.basename(afterFile),
      ...(series.last !== afterFile ? { final: path.basename(series.last) } : {}),
      ...(between.length > 0 && series.after === undefined ? { rounds: between.map((file) => path.basename(file)) } : {}),
    },
    totals: {
      before: { count: beforeCensus.count, size: beforeCensus.size },
      after: { count: afterCensus.count, size: afterCensus.size },
    },
    constructors: compareCensus(beforeCensus, afterCensus, top),
    survivors,
    timings: { readMs, analyzeMs: Date.now() - started - readMs, bytes },
  };
}

/** DevTools' comparison view: per class, count and size deltas; the biggest growth first. */
export function compareCensus(before: Census, after: Census, top: number): ConstructorDelta[] {
  const names = new Set([...before.classes.keys(), ...after.classes.keys()]);
  const deltas: ConstructorDelta[] = [];
  for (const name of names) {
    const was = before.classes.get(name);
    const now = after.classes.get(name);
    const delta: ConstructorDelta = {
      name,
      type: (now ?? was)!.type,
      countBefore: was?.count ?? 0,
      countAfter: now?.count ?? 0,
      countDelta: (now?.count ?? 0) - (was?.count ?? 0),
      sizeBefore: was?.size ?? 0,
      sizeAfter: now?.size ?? 0,
      sizeDelta: (now?.size ?? 0) - (was?.size ?? 0),
    };
    if (delta.countDelta !== 0 || delta.sizeDelta !== 0) deltas.push(delta);
  }
  deltas.sort((a, b) => b.sizeDelta - a.sizeDelta || b.countDelta - a.countDelta);
  return deltas.slice(0, top);
}
