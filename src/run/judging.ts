// The verdict phase: the judge given the measurements, and the heap snapshots read when
// they can tell more. A series (baseline, rounds, final) is judged for survivors; a
// baseline/final pair (--snapshots on-fail) is read only for a scenario that failed, to
// explain it. The judge decides in both cases; this only feeds it.

import { oneLine } from "../errors.js";
import { allocationSites } from "../heap/allocation-sites.js";
import type { HeapDiff } from "../heap/model.js";
import type { ScenarioVerdict } from "../report-schema/verdict.js";
import type { Budget } from "../verdict/budget.js";
import { judge, type Measurements } from "../verdict/judge.js";
import { MIN_SESSIONS_FOR_COUNT, survivorJudge, survivorLimits } from "../verdict/survivors.js";
import { abortable } from "./abortable.js";
import type { SnapshotSeries } from "./snapshots.js";

export interface JudgingOptions {
  signal: AbortSignal;
  /**
   * The check's reading after the rounds (issue 11: survivors counted net of turnover, from
   * the baseline and the rounds' snapshots). With it, on-fail judges survivors too; always
   * reads once more with the final snapshot.
   */
  checked?: HeapDiff;
  /** --allocation-sites: name where the leaking groups were allocated, before the judge words them. */
  allocationSites?: boolean;
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
  const judged = await judgeReading(measurements, budget, snapshots, options);
  const short = tooShortToCount(judged.heapDiff, measurements.sessions);
  if (short) options.notes.push(short);
  return judged;
}

/**
 * A group kept by every round that a run this short does not call a leak (issue 11's count
 * needs 500 sessions): a pass must not be silent about it. A new user's 200-session run
 * passed a 200 B leak and said nothing.
 */
export function tooShortToCount(heapDiff: HeapDiff | undefined, sessions: number): string | undefined {
  const kept = heapDiff?.survivors.groups.filter((group) => group.growth?.kind === "leak" && !group.leak) ?? [];
  if (kept.length === 0 || sessions >= MIN_SESSIONS_FOR_COUNT) return undefined;
  const [first] = kept;
  const others = kept.length > 1 ? ` and ${kept.length - 1} more group${kept.length > 2 ? "s" : ""}` : "";
  return (
    `${first.count.toLocaleString("en-US")} ${first.name} objects were kept by every round (held by ${first.pathText})${others}, ` +
    `but ${sessions.toLocaleString("en-US")} sessions are too few to call that a leak by count (a cache still filling looks the same): ` +
    `run --sessions ${MIN_SESSIONS_FOR_COUNT} or more to judge them`
  );
}

async function judgeReading(
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
  const sites = async (heapDiff: HeapDiff | undefined) => {
    if (heapDiff && options.allocationSites) await nameAllocationSites(heapDiff, snapshots, options.notes, budget.survivors.minCount);
    return heapDiff;
  };
  if (options.checked) {
    // always: the final snapshot, taken after the full settle, read with the rest (what a resume
    // grace or a ping timeout frees only then does not survive); on-fail: the check stands.
    const heapDiff = await sites(snapshots.mode === "always" && snapshots.taken.at(-1)?.label === "final" ? ((await read()) ?? options.checked) : options.checked);
    const verdict = judge({ ...measurements, survivors: heapDiff?.survivors.groups }, budget);
    if (snapshots.mode === "always" || verdict.verdict === "fail") {
      snapshots.keep();
      return { verdict, heapDiff };
    }
    return { verdict };
  }
  if (snapshots.mode === "always" && enough) {
    const heapDiff = await sites(await read());
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

/** Groups named besides the leaking ones, at most: enough for what the verdict and the heap-diff report show first. */
const OTHER_GROUPS_NAMED = 6;

/**
 * Where the leaking groups' objects were allocated, and those of the other groups of at least
 * `minCount` objects (the survivor check's floor), growing ones first: a leak of small entries
 * fails on its gauge while its group grows (cache) or is capped by time (timers that fire
 * after a while hold 600 at most), and the report shows that group. From the newest
 * snapshot, taken while the probe tracked allocations.
 */
async function nameAllocationSites(diff: HeapDiff, snapshots: SnapshotSeries, notes: string[], minCount: number): Promise<void> {
  const sampled = diff.survivors.groups.filter((group) => group.sampleIds && group.sampleIds.length > 0);
  const others = sampled.filter((group) => !group.leak && group.count >= minCount);
  const named = [
    ...sampled.filter((group) => group.leak),
    ...[...others.filter((group) => group.trend === "grows"), ...others.filter((group) => group.trend !== "grows")].slice(0, OTHER_GROUPS_NAMED),
  ];
  const newest = snapshots.taken.at(-1);
  if (named.length === 0 || !newest) return;
  try {
    const sites = await allocationSites(newest.file, named.map((group) => group.sampleIds!));
    named.forEach((group, index) => {
      const site = sites[index];
      if (site) group.allocatedAt = site.text;
    });
    const unnamed = named.filter((group, index) => group.leak && sites[index] === undefined);
    if (unnamed.length > 0) {
      notes.push(
        `--allocation-sites: no allocation site named for ${unnamed.map((group) => group.name).join(", ")}: the snapshot has no stacks for its sampled objects, or fewer than half of them share a frame of the app's`,
      );
    }
  } catch (error) {
    notes.push(`--allocation-sites: the allocation stacks could not be read: ${oneLine(error)}`);
  }
}
