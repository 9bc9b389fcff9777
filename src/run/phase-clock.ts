// Phase timing: which phase a scenario is in, how long each took, and the phase events
// the progress display and the timeline's phase bands are drawn from.

import type { RunEvent } from "../report-schema/events.js";
import type { RunPhase } from "../report-schema/scenario.js";

/** Where phase boundaries go besides the clock: the sampler's phase spans. */
export interface PhaseRecorder {
  enterPhase(phase: RunPhase, detail?: string): void;
}

export class PhaseClock {
  private readonly timings: Partial<Record<RunPhase, number>> = {};
  private current: RunPhase = "start";
  private since: number;

  constructor(
    private readonly scenario: string,
    private readonly recorder: PhaseRecorder,
    private readonly emit: (event: RunEvent) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
    recorder.enterPhase("start");
    emit({ type: "phase", scenario, phase: "start" });
  }

  get phase(): RunPhase {
    return this.current;
  }

  /** Ends the current phase and starts `phase`. */
  enter(phase: RunPhase, detail?: string): void {
    this.close();
    this.current = phase;
    this.recorder.enterPhase(phase, detail);
    this.emit({ type: "phase", scenario: this.scenario, phase, detail });
  }

  /** Wall time per phase so far, the current one included up to now. */
  read(): Partial<Record<RunPhase, number>> {
    this.close();
    return { ...this.timings };
  }

  private close(): void {
    const now = this.now();
    this.timings[this.current] = (this.timings[this.current] ?? 0) + (now - this.since);
    this.since = now;
  }
}
