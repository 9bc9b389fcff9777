// The measurer: everything that takes the server's measure during a scenario. The guard
// (a wait that ends when the scenario is aborted, and tells a dead server as its crash),
// the timeline sampler, the GC points and heap snapshots, and settling.

import { formatDuration } from "../duration.js";
import { RunError, UsageError } from "../errors.js";
import { FailFastError } from "../load/fail-fast.js";
import type { Target } from "../server-under-test/target.js";
import { abortable } from "./abortable.js";
import type { CleanupStack } from "./cleanup.js";
import { measure, settle, type Measurement, type MeasureOptions, type SettleOptions, type SettleResult } from "./measure.js";
import type { SnapshotMode } from "./options.js";
import type { Sampler } from "./sampler.js";
import { SnapshotSeries } from "./snapshots.js";
import type { HeapReading } from "../verdict/heap-trend.js";

/** GC readings per round: their mean is the round's point in the heap interval. */
export const GC_READINGS = 3;
import { ProcessHeapSeries } from "./per-process.js";
import { ProcessSnapshots } from "./process-snapshots.js";

export interface MeasurerOptions {
  target: Target;
  measure: MeasureOptions;
  /** The timeline (made when the scenario started, its zero). */
  sampler: Sampler;
  runDir: string;
  scenario: string;
  snapshots: SnapshotMode;
  probeTimeoutMs: number;
  /** The scenario's own abort: aborted here when the server hangs. */
  abort: AbortController;
  /** Where the sampler's stop is registered when it starts. */
  cleanup: CleanupStack;
}

export class Measurer {
  readonly sampler: Sampler;
  /** One series, or with a server of several processes one per serving process (issue 12). */
  readonly snapshots: SnapshotSeries | ProcessSnapshots;
  /** Each process's heap after GC at the baseline and every round (a server of several). */
  readonly processHeaps = new ProcessHeapSeries();
  private readonly target: Target;
  private readonly options: MeasureOptions;
  private readonly signal: AbortSignal;
  private readonly cleanup: CleanupStack;

  constructor(options: MeasurerOptions) {
    this.cleanup = options.cleanup;
    this.target = options.target;
    this.options = options.measure;
    this.signal = options.abort.signal;
    this.sampler = options.sampler;
    const processes = options.target.processes ?? [];
    this.snapshots =
      processes.length > 1
        ? new ProcessSnapshots(options.target, processes, options.runDir, options.scenario, options.snapshots, options.probeTimeoutMs)
        : new SnapshotSeries(options.target, options.runDir, options.scenario, options.target.probe ? options.snapshots : "never", options.probeTimeoutMs);
    // A crash, or a server alive but answering nothing, ends the scenario through its abort
    // signal: every wait is abortable, and nothing holds a reaction per wait on a promise
    // that stays pending all run (a soak waits thousands of times).
    options.target.crashed.catch((error: unknown) => options.abort.abort(error));
    const metricsUrl = new URL(options.measure.metricsPath, options.target.baseUrl).href;
    this.sampler.onHung((waitedMs) =>
      options.abort.abort(
        new RunError(
          `the server stopped answering: GET ${metricsUrl} had no reply within ${formatDuration(waitedMs)} (hung or overloaded): raise --probe-timeout if it is only slow`,
        ),
      ),
    );
  }

  /** Starts the timeline sampler (stopped by the cleanup stack, or by stop()). */
  start(): void {
    this.sampler.start(this.target, this.options);
    this.cleanup.push("sampler", () => this.sampler.stop());
  }

  stop(): Promise<void> {
    return this.sampler.stop();
  }

  /** `work`, ended by the scenario's abort; a refused request or closed probe told as the server's crash when it crashed. */
  guard<T>(work: Promise<T>): Promise<T> {
    return abortable(work, this.signal).catch(async (error: unknown) => {
      if (this.signal.aborted) throw this.signal.reason;
      // A scenario's misuse, or failures only a live server gives: no crash to wait for.
      if (error instanceof UsageError || (error instanceof FailFastError && error.serverAnswered)) throw error;
      throw (await this.target.crashError(2000)) ?? error;
    });
  }

  /** A measurement without GC, with timed sampling paused (its connection must not count as a socket). */
  quiet(): Promise<Measurement> {
    return this.guard(this.sampler.exclusive(() => measure(this.target, this.options, false)));
  }

  /**
   * A measurement after a full GC (when the probe can), recorded as a GC point of the
   * timeline; a heap snapshot when wanted. Guarded outside, so an interruption never waits
   * for a timeline sample in flight, and inside, so no snapshot is started after it.
   */
  gcPoint(label: string, sessions: number, snapshot: boolean): Promise<Measurement> {
    return this.guard(
      this.sampler.exclusive(async () => {
        const point = await this.guard(measure(this.target, this.options, Boolean(this.target.probe)));
        this.sampler.record(point, label);
        this.processHeaps.add(label, sessions, point);
        if (snapshot) await this.guard(this.snapshots.take(label, sessions).then(() => undefined));
        return point;
      }),
    );
  }

  /** A heap snapshot now (the probe runs a full GC first), outside any GC point. */
  snapshot(label: string, sessions: number): Promise<unknown> {
    return this.guard(this.sampler.exclusive(() => this.guard(this.snapshots.take(label, sessions).then(() => undefined))));
  }

  /**
   * Adds `first` and GC_READINGS − 1 more readings after a full GC each to `readings`: the
   * round's point in the heap interval is their mean (issue 11).
   */
  async readHeap(readings: HeapReading[], round: number, sessions: number, first: Measurement): Promise<void> {
    if (!this.target.probe || first.heapUsed === undefined) return;
    readings.push({ round, sessions, heapUsed: first.heapUsed });
    for (let more = 1; more < GC_READINGS; more++) {
      const again = await this.guard(this.sampler.exclusive(() => measure(this.target, this.options, true)));
      if (again.heapUsed !== undefined) readings.push({ round, sessions, heapUsed: again.heapUsed });
    }
  }

  /** Polls until the gauges and handles are back at `reference` or hold still (see settle()). */
  settleTo(reference: Measurement, options: Omit<SettleOptions, "onMeasure" | "signal">): Promise<SettleResult> {
    return this.guard(
      this.sampler.exclusive(() =>
        settle(this.target, reference, this.options, { ...options, signal: this.signal, onMeasure: (now) => this.sampler.record(now) }),
      ),
    );
  }
}
