// The verdict phase: the judge given the measurements, and the heap snapshots read when
// they can tell more. A series (baseline, rounds, final) is judged for survivors; a
// baseline/final pair (--snapshots on-fail) is read only for a scenario that failed, to
// explain it. The judge decides in both cases; this only feeds it.

import { oneLine } from "../errors.js";
import type { HeapDiff } from "../heap/model.js";
import type { ScenarioVerdict } from "../report-schema/verdict.js";
import type { Budget } from "../verdict/budget.js";
import { judge, type Measurements } from "../verdict/judge.js";
import { survivorJudge, survivorLimits } from "../verdict/survivors.js";
import { abortable } from "./abortable.js";
import type { SnapshotSeries } from "./snapshots.js";

export interface JudgingOptions {
  signal: AbortSignal;
  /** Called before the snapshots are read (the heap-diff phase starts). */
  onReading: () => void;
  /** Where an analysis that failed is noted (the verdict stands without it). */
  notes: string[];
}

/** The scenario's verdict, and the heap diff when the snapshots were read. */
export async function judgeWithSnapshots(
  measurements: Measurements,
  budget: Budget,
  snapshots: SnapshotSeries,
  options: JudgingOptions,
): Promise<{ verdict: ScenarioVerdict; heapDiff?: HeapDiff }> {
  const read = async (): Promise<HeapDiff | undefined> => {
    options.onReading();
    try {
      return await abortable(snapshots.analyze(survivorJudge(survivorLimits(budget)), options.signal), options.signal);
    } catch (error) {
      if (options.signal.aborted) throw error;
      options.notes.push(`the heap snapshots could not be analysed: ${oneLine(error)}`);
      return undefined;
    }
  };
  const enough = snapshots.taken.length >= 2;
  if (snapshots.mode === "always" && enough) {
    const heapDiff = await read();
    const survivors = heapDiff && snapshots.taken.length >= 3 ? heapDiff.survivors.groups : undefined;
    return { verdict: judge({ ...measurements, survivors }, budget), heapDiff };
  }
  const verdict = judge(measurements, budget);
  if (snapshots.mode === "on-fail" && enough && verdict.verdict === "fail") {
    const heapDiff = await read();
    if (heapDiff) return { verdict: judge({ ...measurements, largestSurvivors: heapDiff.survivors.groups }, budget), heapDiff };
  }
  return { verdict };
}
