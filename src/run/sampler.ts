// Samples over time: the server's memory, gauges and handles, and the load's counters,
// every --sample-interval through every phase, for the report's memory timeline.
// The measurements the run takes anyway (settling, the GC points) are recorded too.

import type { LoadStats } from "../load/stats.js";
import type { Target } from "../server-under-test/target.js";
import type { PhaseSpan, RunPhase, Sample } from "../report-schema/scenario.js";
import { measure, type Measurement, type MeasureOptions } from "./measure.js";

export type { PhaseSpan, Sample } from "../report-schema/scenario.js";



const SAMPLE_TIMEOUT_MS = 2000;
/**
 * At most this many samples are kept (5 minutes at 250 ms; about 0.5 MB): past it, every other plain
 * sample is dropped, so a soak of any length keeps a timeline of constant size.
 */
export const MAX_SAMPLES = 1200;

export class Sampler {
  readonly samples: Sample[] = [];
  readonly phases: PhaseSpan[] = [];
  /** Samples that could not be taken (a slow or busy server); the run does not depend on them. */
  missed = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private paused = 0;
  private lastHttp = { at: 0, requests: 0 };
  /** The last sample went unanswered: the next one waits the full probe timeout. */
  private failing = false;
  private hung: ((waitedMs: number) => void) | undefined;
  /** Plain samples are recorded every stride-th tick; doubled each time the timeline is thinned. */
  private stride = 1;
  private ticks = 0;

  constructor(
    private readonly stats: LoadStats,
    private readonly startedAt: number,
    private readonly intervalMs: number,
  ) {}

  /** Starts timed sampling of `target` (0 ms interval: only the run's own measurements are recorded). */
  start(target: Target, options: MeasureOptions): void {
    if (this.intervalMs <= 0 || this.timer) return;
    // A sample that takes seconds is worth nothing for the timeline. After one goes
    // unanswered, the next waits the whole --probe-timeout: only if that one fails too is
    // the server called hung (a slow server that answers within the timeout never is).
    const quick = { ...options, timeoutMs: Math.min(options.timeoutMs, SAMPLE_TIMEOUT_MS) };
    this.timer = setInterval(() => {
      if (this.paused > 0 || this.inFlight) return;
      const patient = this.failing && this.hung !== undefined;
      if (!patient && this.ticks++ % this.stride !== 0) return;
      const sentAt = Date.now();
      this.inFlight = measure(target, patient ? options : quick, false)
        .then((measurement) => {
          this.failing = false;
          this.record(measurement);
        })
        .catch(() => {
          this.missed++;
          if (patient && this.hung && this.timer) {
            this.hung(Date.now() - sentAt);
            this.hung = undefined;
          }
          this.failing = true;
        })
        .finally(() => (this.inFlight = undefined));
    }, this.intervalMs);
  }

  /**
   * Calls `hung` once when a sample sent after a missed one is not answered within the
   * whole --probe-timeout either: a server that is alive but hung would otherwise hold
   * every session until its own timeout.
   */
  onHung(hung: (waitedMs: number) => void): void {
    if (this.intervalMs > 0) this.hung = hung;
  }

  /** Stops sampling; a sample in flight is waited for at most a quick sample's time. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.hung = undefined;
    await Promise.race([this.inFlight, new Promise((resolve) => setTimeout(resolve, SAMPLE_TIMEOUT_MS).unref())]);
    this.closePhase();
  }

  enterPhase(phase: RunPhase, detail?: string): void {
    this.closePhase();
    const now = this.now();
    this.phases.push({ phase, startMs: now, endMs: now, detail });
  }

  /**
   * Runs `work` with timed sampling paused: a sample's HTTP connection open while the run
   * counts the server's sockets would be counted as one.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    this.paused++;
    try {
      await this.inFlight;
      return await work();
    } finally {
      this.paused--;
    }
  }

  record(measurement: Measurement, gc?: string): void {
    const at = measurement.at;
    const requests = this.stats.httpRequests;
    const seconds = (at - this.lastHttp.at) / 1000;
    const httpRequestsPerSecond = this.lastHttp.at > 0 && seconds > 0 ? Math.round((requests - this.lastHttp.requests) / seconds) : 0;
    this.lastHttp = { at, requests };
    this.samples.push({
      t: at - this.startedAt,
      phase: this.phases.at(-1)?.phase ?? "start",
      ...measurement.memory,
      ...(measurement.heapUsed !== undefined ? { heapUsed: measurement.heapUsed } : {}),
      gauges: measurement.gauges,
      ...(measurement.processes
        ? { processHeap: Object.fromEntries(measurement.processes.filter((each) => each.heapUsed !== undefined).map((each) => [each.label, each.heapUsed!])) }
        : {}),
      timers: measurement.timers,
      sockets: measurement.sockets,
      sessionsStarted: this.stats.sessionsStarted,
      sessionsFinished: this.stats.sessionsFinished,
      sessionsFailed: this.stats.sessionsFailed,
      clients: this.stats.clientsConnected,
      httpRequestsPerSecond,
      ...(gc ? { gc } : {}),
    });
    if (this.samples.length > MAX_SAMPLES) this.thin();
  }

  /**
   * Halves the timeline's resolution evenly: every other plain sample goes and from now on
   * only every other tick is sampled, so old and new stretches keep the same spacing. GC
   * points stay, unless they alone fill half the timeline (a soak of many short rounds).
   */
  private thin(): void {
    this.stride *= 2;
    let plain = 0;
    let kept = this.samples.filter((sample) => sample.gc !== undefined || plain++ % 2 === 0);
    if (kept.length > MAX_SAMPLES / 2) {
      let gc = 0;
      kept = kept.filter((sample) => sample.gc === undefined || gc++ % 2 === 0);
    }
    this.samples.splice(0, this.samples.length, ...kept);
  }

  private closePhase(): void {
    const last = this.phases.at(-1);
    if (last) last.endMs = this.now();
  }

  private now(): number {
    return Date.now() - this.startedAt;
  }
}
