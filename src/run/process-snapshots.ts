// Heap snapshots of a server of several processes (issue 12): each serving process gets
// its own series (`<scenario>.worker-2.baseline.heapsnapshot`, …), each read to judge its
// own process; the heap-diff report shows the focused one's. A primary that only hands
// connections on holds no app state: no snapshots.

import type { HeapDiff } from "../heap/model.js";
import type { ServerProcess } from "../probe/processes.js";
import type { Target } from "../server-under-test/target.js";
import type { SnapshotMode } from "./options.js";
import { SnapshotSeries, type TakenSnapshot } from "./snapshots.js";

export class ProcessSnapshots {
  private readonly series: { process: ServerProcess; series: SnapshotSeries }[];
  /** The process whose heap diff the reports show. */
  focus: ServerProcess | undefined;

  constructor(target: Target, processes: ServerProcess[], runDir: string, scenario: string, readonly mode: SnapshotMode, probeTimeoutMs: number) {
    this.series = processes
      .filter((process) => process.serves)
      .map((process) => ({
        process,
        series: new SnapshotSeries({ ...target, probe: process.probe }, runDir, `${scenario}.${slug(process)}`, mode, probeTimeoutMs),
      }));
    this.focus = this.series[0]?.process;
  }

  /** Every snapshot taken, of every process, in order. */
  get taken(): TakenSnapshot[] {
    return this.series.flatMap((each) => each.series.taken);
  }

  /** The focused process's series only. */
  get focusTaken(): TakenSnapshot[] {
    return this.series.find((each) => each.process === this.focus)?.series.taken ?? [];
  }

  /** One snapshot of each serving process, one after another (each pauses its process). */
  async take(label: string, sessions: number): Promise<void> {
    for (const each of this.series) await each.series.take(label, sessions);
  }

  /** The snapshots taken of one process. */
  takenOf(process: ServerProcess): TakenSnapshot[] {
    return this.series.find((each) => each.process.pid === process.pid)?.series.taken ?? [];
  }

  /** Reads one process's series (and marks its files kept, as SnapshotSeries.analyze does). */
  analyzeOf(process: ServerProcess, judge: Parameters<SnapshotSeries["analyze"]>[0], signal: AbortSignal): Promise<HeapDiff> {
    const chosen = this.series.find((each) => each.process.pid === process.pid);
    if (!chosen) throw new Error(`no snapshots of ${process.label}`);
    return chosen.series.analyze(judge, signal);
  }

  async discardUnkept(passed = false): Promise<void> {
    await Promise.all(this.series.map((each) => each.series.discardUnkept(passed)));
  }
}

function slug(process: ServerProcess): string {
  return process.workerId !== undefined ? `worker-${process.workerId}` : `pid-${process.pid}`;
}
