// The verdict of each process of a server of several (issue 12): the same judge, fed one
// process's own readings, its reasons named `worker 2 (pid 4121): …`, so a leak in one
// worker fails the scenario and says which. Heap growth is per session of the whole run
// (leakcheck cannot tell which worker a connection reached). Each serving process's heap
// snapshots are read and judge it; the heap diff shown is the first failing one's.

import { oneLine } from "../errors.js";
import type { HeapDiff, SurvivorGroup } from "../heap/model.js";
import type { ServerProcess } from "../probe/processes.js";
import type { Budget } from "../verdict/budget.js";
import { judge, type HeapPoint, type Measurements, type ScenarioVerdict } from "../verdict/judge.js";
import { survivorJudge, survivorLimits } from "../verdict/survivors.js";
import { abortable } from "./abortable.js";
import { tooShortToCount, type JudgingOptions } from "./judging.js";
import type { Measurement } from "./measure.js";
import type { ProcessPoint } from "./process-measure.js";
import type { ProcessSnapshots } from "./process-snapshots.js";

export interface ProcessVerdict extends ScenarioVerdict {
  label: string;
  pid: number;
  workerId?: number;
  command: string;
}

/** One HeapPoint series per process, from the GC points of the baseline and every round. */
export class ProcessHeapSeries {
  private readonly series = new Map<number, HeapPoint[]>();

  /** Records a GC point labelled "baseline" or "round N" (the final one is the judge's own reading). */
  add(label: string, sessions: number, measurement: Measurement): void {
    const round = label === "baseline" ? 0 : /^round (\d+)$/.exec(label)?.[1];
    if (round === undefined) return;
    for (const point of measurement.processes ?? []) {
      if (point.heapUsed === undefined) continue;
      const points = this.series.get(point.pid) ?? [];
      points.push({ round: Number(round), sessions, heapUsed: point.heapUsed });
      // A soak of many rounds: every other point goes past 1,000, as for the scenario's own series.
      if (points.length > 1000) points.splice(0, points.length, ...points.filter((_, index) => index % 2 === 0 || index === points.length - 1));
      this.series.set(point.pid, points);
    }
  }

  of(pid: number): HeapPoint[] {
    return this.series.get(pid) ?? [];
  }
}

/** Each process's own measurements (those measured at both the baseline and the end). */
function processMeasurements(whole: Measurements, baseline: Measurement, final: Measurement, heaps: ProcessHeapSeries) {
  const before = new Map((baseline.processes ?? []).map((point) => [point.pid, point]));
  const all: { point: ProcessPoint; measurements: Measurements }[] = [];
  for (const after of final.processes ?? []) {
    const start = before.get(after.pid);
    if (!start) continue;
    all.push({
      point: after,
      measurements: {
        ...whole,
        survivors: undefined,
        largestSurvivors: undefined,
        // Failed sessions are the run's, judged once for the whole.
        failedSessions: 0,
        failureSummary: [],
        gauges: Object.fromEntries(
          Object.keys(after.gauges ?? {}).map((name) => [name, { baseline: start.gauges?.[name] ?? 0, final: after.gauges?.[name] ?? 0 }]),
        ),
        handles:
          start.timers !== undefined && after.timers !== undefined
            ? { timers: { baseline: start.timers, final: after.timers }, sockets: { baseline: start.sockets ?? 0, final: after.sockets ?? 0 } }
            : undefined,
        heap:
          start.heapUsed !== undefined && after.heapUsed !== undefined
            ? { points: heaps.of(after.pid), baseline: start.heapUsed, final: after.heapUsed }
            : undefined,
      },
    });
  }
  return all;
}

function named(point: ProcessPoint, verdict: ScenarioVerdict): ProcessVerdict {
  return {
    label: point.label,
    pid: point.pid,
    ...(point.workerId !== undefined ? { workerId: point.workerId } : {}),
    command: point.command,
    ...verdict,
    reasons: verdict.reasons.map((reason) => `${point.label}: ${reason}`),
    ...(verdict.clues ? { clues: verdict.clues.map((clue) => `${point.label}: ${clue}`) } : {}),
  };
}

/** Judges every process that was measured at both the baseline and the end. */
export function judgeProcesses(whole: Measurements, baseline: Measurement, final: Measurement, heaps: ProcessHeapSeries, budget: Budget): ProcessVerdict[] {
  return processMeasurements(whole, baseline, final, heaps).map(({ point, measurements }) => named(point, judge(measurements, budget)));
}

/**
 * The scenario's verdict from its processes': it fails when any process fails, and its
 * reasons are the processes' (named), so the sum of all never hides, or doubles, one worker's leak.
 */
export function combineVerdicts(whole: ScenarioVerdict, processes: ProcessVerdict[]): ScenarioVerdict {
  if (processes.length === 0) return whole;
  const processReasons = processes.flatMap((process) => process.reasons);
  // The whole's own failed-sessions sentence stays; its leak sentences are the sum's and would repeat the processes'.
  const wholeOnly = whole.reasons.filter((reason) => / sessions failed/.test(reason));
  const leaked = processes.some((process) => process.verdict === "fail");
  const verdict = leaked ? "fail" : whole.verdict === "error" ? "error" : "pass";
  // The sum's checks pass as its processes' do: a sum of several heaps' noise is no leak, one worker's leak is.
  const allPass = (pick: (process: ProcessVerdict) => { name: string; pass: boolean }[] | null, name: string) =>
    processes.every((process) => pick(process)?.find((check) => check.name === name)?.pass ?? true);
  const { clues: _sumClues, ...wholeChecks } = whole; // the sum's clues would repeat the processes'
  const clues = processes.flatMap((process) => process.clues ?? []);
  return {
    ...wholeChecks,
    verdict,
    gauges: whole.gauges.map((check) => ({ ...check, pass: allPass((process) => process.gauges, check.name) })),
    handles: whole.handles?.map((check) => ({ ...check, pass: allPass((process) => process.handles, check.name) })) ?? null,
    heap: whole.heap ? { ...whole.heap, pass: processes.every((process) => process.heap?.pass ?? true) } : null,
    reasons: [...processReasons, ...wholeOnly],
    ...(clues.length > 0 ? { clues } : {}),
  };
}

/**
 * The verdict phase for a server of several processes: each judged on its own readings and
 * its own snapshot series (three or more: survivors judged, as for one process; a pair: they
 * explain a failure), the whole combined. The heap diff shown is the first failing
 * process's, else the one whose heap grew most. A new user's leak in worker 2 alone passed
 * when only the process that grew most (worker 1, by noise) was read.
 */
export async function judgeSeveral(
  whole: Measurements,
  baseline: Measurement,
  final: Measurement,
  heaps: ProcessHeapSeries,
  budget: Budget,
  snapshots: ProcessSnapshots,
  processes: ServerProcess[],
  options: JudgingOptions,
): Promise<{ verdict: ScenarioVerdict; processes: ProcessVerdict[]; heapDiff?: HeapDiff }> {
  const each = processMeasurements(whole, baseline, final, heaps);
  const wholeVerdict = judge(whole, budget);
  const firstVerdicts = each.map(({ measurements }) => judge(measurements, budget));
  const serving = processes.filter((process) => process.serves);
  const diffs = new Map<number, { heapDiff: HeapDiff; series: boolean }>();
  for (const process of serving) {
    const taken = snapshots.takenOf(process);
    const failed = firstVerdicts[each.findIndex(({ point }) => point.pid === process.pid)]?.verdict === "fail";
    // A series judges; a pair (on-fail's baseline and final) only explains a failure.
    if (taken.length < 2 || (taken.length < 3 && !failed)) continue;
    options.onReading();
    try {
      const heapDiff = await abortable(snapshots.analyzeOf(process, survivorJudge(survivorLimits(budget)), options.signal), options.signal);
      diffs.set(process.pid, { heapDiff, series: taken.length >= 3 });
    } catch (error) {
      if (options.signal.aborted) throw error;
      options.notes.push(`the heap snapshots of ${process.label} could not be analysed: ${oneLine(error)}`);
    }
  }
  const verdicts = each.map(({ point, measurements }, index) => {
    const read = diffs.get(point.pid);
    if (!read) return named(point, firstVerdicts[index]);
    // As for one process: a pass is not silent about groups kept by every round in a run too short to call them.
    const short = tooShortToCount(read.heapDiff, whole.sessions);
    if (short) options.notes.push(`${point.label}: ${short}`);
    const groups = read.heapDiff.survivors.groups;
    return named(point, judge({ ...measurements, ...(read.series ? { survivors: groups } : { largestSurvivors: groups as SurvivorGroup[] }) }, budget));
  });
  const growth = (pid: number) => {
    const found = each.find(({ point }) => point.pid === pid)?.measurements.heap;
    return found ? found.final - found.baseline : 0;
  };
  const read = serving.filter((process) => diffs.has(process.pid));
  const failing = verdicts.find((verdict) => verdict.verdict === "fail" && diffs.has(verdict.pid));
  snapshots.focus = read.find((process) => process.pid === failing?.pid) ?? [...read].sort((a, b) => growth(b.pid) - growth(a.pid))[0];
  const focus = snapshots.focus;
  if (focus && read.length > 0) {
    const others = read.length > 1 ? ` (each judged on its own; the heap-diff report shows ${focus.label}'s)` : "";
    options.notes.push(`heap snapshots read: ${read.map((process) => `${process.label}'s`).join(", ")}${others}`);
  }
  return { verdict: combineVerdicts(wholeVerdict, verdicts), processes: verdicts, heapDiff: focus ? diffs.get(focus.pid)?.heapDiff : undefined };
}
