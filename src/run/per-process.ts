// The verdict of each process of a server of several (issue 12): the same judge, fed one
// process's own readings, its reasons named `worker 2 (pid 4121): …`, so a leak in one
// worker fails the scenario and says which. Heap growth is per session of the whole run
// (leakcheck cannot tell which worker a connection reached).

import type { Budget } from "../verdict/budget.js";
import { judge, type HeapPoint, type Measurements, type ScenarioVerdict } from "../verdict/judge.js";
import type { Measurement } from "./measure.js";
import type { ProcessPoint } from "./process-measure.js";

export interface ProcessVerdict extends ScenarioVerdict {
  label: string;
  pid: number;
  workerId?: number;
}

/** One HeapPoint series per process, from the GC points of the baseline and every round. */
export class ProcessHeapSeries {
  private readonly series = new Map<number, HeapPoint[]>();

  add(round: number, sessions: number, measurement: Measurement): void {
    for (const point of measurement.processes ?? []) {
      if (point.heapUsed === undefined) continue;
      const points = this.series.get(point.pid) ?? [];
      points.push({ round, sessions, heapUsed: point.heapUsed });
      this.series.set(point.pid, points);
    }
  }

  of(pid: number): HeapPoint[] {
    return this.series.get(pid) ?? [];
  }
}

/**
 * Judges every process that was measured at both the baseline and the end. `whole` is the
 * scenario's own measurements (sessions, failures); each process gets its gauges, handles and heap.
 */
export function judgeProcesses(
  whole: Measurements,
  baseline: Measurement,
  final: Measurement,
  heaps: ProcessHeapSeries,
  budget: Budget,
): ProcessVerdict[] {
  const before = new Map((baseline.processes ?? []).map((point) => [point.pid, point]));
  const verdicts: ProcessVerdict[] = [];
  for (const after of final.processes ?? []) {
    const start = before.get(after.pid);
    if (!start) continue;
    const measurements: Measurements = {
      ...whole,
      survivors: undefined,
      // Failed sessions are the run's, judged once for the whole.
      failedSessions: 0,
      failureSummary: [],
      gauges: Object.fromEntries(
        Object.keys(after.gauges ?? {}).map((name) => [name, { baseline: start.gauges?.[name] ?? 0, final: after.gauges?.[name] ?? 0 }]),
      ),
      handles: readings(start, after),
      heap:
        start.heapUsed !== undefined && after.heapUsed !== undefined
          ? { points: heaps.of(after.pid), baseline: start.heapUsed, final: after.heapUsed }
          : undefined,
    };
    const verdict = judge(measurements, budget);
    verdicts.push({
      label: after.label,
      pid: after.pid,
      ...(after.workerId !== undefined ? { workerId: after.workerId } : {}),
      ...verdict,
      reasons: verdict.reasons.map((reason) => `${after.label}: ${reason}`),
    });
  }
  return verdicts;
}

function readings(start: ProcessPoint, after: ProcessPoint): Measurements["handles"] {
  if (start.timers === undefined || after.timers === undefined) return undefined;
  return {
    timers: { baseline: start.timers, final: after.timers },
    sockets: { baseline: start.sockets ?? 0, final: after.sockets ?? 0 },
  };
}

/**
 * The scenario's verdict from its processes': it fails when any process fails, and its
 * reasons are the processes' (named), so the sum of all never hides, or doubles, one worker's leak.
 */
export function combineVerdicts(whole: ScenarioVerdict, processes: ProcessVerdict[]): ScenarioVerdict {
  if (processes.length === 0) return whole;
  const processReasons = processes.flatMap((process) => process.reasons);
  // The whole's own failed-sessions sentence stays; its leak sentences are the sum's and would repeat the processes'.
  const wholeOnly = whole.reasons.filter((reason) => / sessions failed/.test(reason) || / objects survive/.test(reason));
  const leaked = processes.some((process) => process.verdict === "fail");
  const verdict = leaked ? "fail" : whole.verdict === "error" ? "error" : whole.reasons.some((r) => / objects survive/.test(r)) ? "fail" : "pass";
  // The sum's checks pass as its processes' do: a sum of several heaps' noise is no leak, one worker's leak is.
  const allPass = (pick: (process: ProcessVerdict) => { name: string; pass: boolean }[] | null, name: string) =>
    processes.every((process) => pick(process)?.find((check) => check.name === name)?.pass ?? true);
  return {
    ...whole,
    verdict,
    gauges: whole.gauges.map((check) => ({ ...check, pass: allPass((process) => process.gauges, check.name) })),
    handles: whole.handles?.map((check) => ({ ...check, pass: allPass((process) => process.handles, check.name) })) ?? null,
    heap: whole.heap ? { ...whole.heap, pass: processes.every((process) => process.heap?.pass ?? true) } : null,
    reasons: [...processReasons, ...wholeOnly],
  };
}
