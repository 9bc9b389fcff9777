// What a scenario is: a name, defaults, and one session's behaviour. The harness runs
// that session many times, in rounds, with bounded concurrency; the four bundled
// scenarios in scenarios/ are written exactly the way a user writes one.

import type { InterviewClient } from "../load/interview-client.js";
import type { Rng } from "../load/rng.js";

export interface ScenarioDefaults {
  /** Sessions in one run of the scenario (after warm-up), split across the rounds. */
  sessions?: number;
  /** Sessions in flight at once. */
  concurrency?: number;
  /** Rounds: heap is measured after each, to tell growth per session from a plateau. */
  rounds?: number;
  /** Sessions run before the baseline, so one-time allocations are not counted. */
  warmup?: number;
  /** Load the server's HTTP endpoints with autocannon while the rounds run. */
  httpLoad?: boolean;
  /**
   * For the bundled server only: how long it holds a dropped session for resume-interview
   * (default 1000 ms; 0 frees it at once, the server's own default).
   */
  resumeGraceMs?: number;
}

export interface ConnectOptions {
  /** `proxy` routes the client through leakcheck's fault proxy, so its network can be cut. */
  via?: "direct" | "proxy";
}

/** What one session gets from the harness. */
export interface SessionContext {
  /** The session's number in the run (warm-up sessions count too). */
  readonly index: number;
  /** 0 for warm-up, then 1..rounds. */
  readonly round: number;
  /** Sessions in flight at once in this run (--concurrency). */
  readonly concurrency: number;
  /** Seeded from --seed and the index: the same choices on every replay. */
  readonly rng: Rng;
  /** A candidate id unique in the run. */
  readonly candidateId: string;
  /** Aborted when the run is interrupted or the session runs out of time. */
  readonly signal: AbortSignal;
  /** Opens a client; the harness closes any the session leaves open. */
  connect(options?: ConnectOptions): Promise<InterviewClient>;
  /** Waits, unless the run is interrupted. */
  sleep(ms: number): Promise<void>;
  /** A plausible answer of a few words, from the session's rng. */
  answerText(): string;
}

export interface ScenarioDefinition {
  name: string;
  description: string;
  /** What one session is, in the plural, for verdict sentences ("abrupt closes"); default "sessions". */
  sessionLabel?: string;
  defaults?: ScenarioDefaults;
  session(ctx: SessionContext): Promise<void>;
}

/** Declares a scenario (identity at run time; it gives a scenario file its types). */
export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  return definition;
}
