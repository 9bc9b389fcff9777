// The heap diff of a series of snapshots of one process: read them one at a time (only
// the last with its edges), compare constructors first → last, and find the survivors.

import path from "node:path";
import { census, IdSet, type Census } from "./census.js";
import { hasEdges } from "./graph.js";
import type { ConstructorDelta, HeapDiff } from "./model.js";
import { readHeapSnapshot } from "./snapshot.js";
import { analyzeSurvivors, DEFAULT_SURVIVOR_BUDGET, type SurvivorBudget } from "./survivors.js";

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
  budget?: SurvivorBudget;
  /** How many constructors and survivor groups to report. */
  top?: number;
  signal?: AbortSignal;
}

/** Reads and analyses a series of snapshots; throws SnapshotFormatError on a corrupt file. */
export async function analyzeSnapshots(series: SnapshotSeries): Promise<HeapDiff> {
  const started = Date.now();
  let readMs = 0;
  let bytes = 0;
  const read = async (file: string, edges: boolean) => {
    const at = Date.now();
    const snapshot = await readHeapSnapshot(file, { edges, signal: series.signal });
    readMs += Date.now() - at;
    bytes += snapshot.byteLength;
    return snapshot;
  };
  const top = series.top ?? 20;
  const between = series.between ?? [];
  const afterFile = series.after ?? series.last;

  // The baseline is needed only for its census and ids: let it go before reading the rest.
  const { beforeCensus, baseline } = await read(series.before, false).then((before) => ({ beforeCensus: census(before), baseline: IdSet.of(before) }));

  const rounds: { ids: IdSet; sessions?: number }[] = [];
  let afterCensus: Census | undefined;
  let afterIds: IdSet | undefined;
  for (const [index, file] of between.entries()) {
    const snapshot = await read(file, false);
    const ids = IdSet.of(snapshot);
    rounds.push({ ids, sessions: series.sessions?.[index] });
    if (file === afterFile) {
      afterCensus = census(snapshot);
      if (series.survivorsFromAfter) afterIds = ids;
    }
  }
  const last = await read(series.last, true);
  if (!hasEdges(last)) throw new Error(`${series.last}: read without edges`);
  afterCensus ??= census(last);

  const survivors = analyzeSurvivors({
    last,
    baseline,
    allocatedBy: afterIds,
    rounds,
    sessions: series.sessions?.[between.length],
    budget: series.budget ?? DEFAULT_SURVIVOR_BUDGET,
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
