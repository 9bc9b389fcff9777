// What a scenario is: a name, defaults, optional per-run setup and teardown, and one
// session's behaviour. The harness runs that session many times, in rounds, with bounded
// concurrency; the bundled scenarios in scenarios/ are written exactly as a user writes one.

import type { Client } from "../load/client.js";
import type { ConnectOptions } from "../load/connect.js";
import type { Rng } from "../load/rng.js";

export type { ConnectOptions };

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

/** What setup and teardown get: the run of this scenario against one server. */
export interface RunContext {
  /** The server's base URL (http(s)://host:port), for HTTP calls of one's own. */
  readonly url: string;
  /** The scenario's name. */
  readonly scenario: string;
  /** The run's seed (--seed). */
  readonly seed: number;
  /** Sessions after warm-up, warm-up sessions, and sessions in flight at once, as this run uses them. */
  readonly sessions: number;
  readonly warmup: number;
  readonly concurrency: number;
  /** Aborted when the run is interrupted or the server crashes. */
  readonly signal: AbortSignal;
}

/** What one session gets from the harness. */
export interface SessionContext<Setup = unknown> {
  /** The server's base URL (http(s)://host:port). */
  readonly url: string;
  /** The session's number in the run (warm-up sessions count too): unique in the run. */
  readonly index: number;
  /** 0 for warm-up, then 1..rounds. */
  readonly round: number;
  /** Sessions in flight at once in this run (--concurrency). */
  readonly concurrency: number;
  /** The run's seed (--seed). */
  readonly seed: number;
  /** Seeded from --seed and the index: the same choices on every replay. */
  readonly rng: Rng;
  /** Aborted when the run is interrupted or the session runs out of time. */
  readonly signal: AbortSignal;
  /** What the scenario's setup(run) returned (undefined without a setup). */
  readonly setup: Setup;
  /**
   * Opens a socket.io-client connection and resolves once its namespace accepted it; it
   * counts in the load figures, and the harness closes any the session leaves open.
   */
  connect(options?: ConnectOptions): Promise<Client>;
  /** Waits, unless the session is aborted. */
  sleep(ms: number): Promise<void>;
}

export interface ScenarioDefinition<Setup = unknown> {
  name: string;
  description: string;
  /** What one session is, in the plural, for verdict sentences ("abrupt closes"); default "sessions". */
  sessionLabel?: string;
  defaults?: ScenarioDefaults;
  /**
   * Once per run, after the server is ready and before the warm-up (so what it allocates
   * is part of the baseline): create users, fetch tokens. Its result is every session's
   * ctx.setup. A throw stops the run (exit 3).
   */
  setup?(run: RunContext): Setup | Promise<Setup>;
  /** Once per run, after the final measurement and before the server stops; gets what setup returned. */
  teardown?(run: RunContext, setup: Setup): void | Promise<void>;
  session(ctx: SessionContext<Setup>): Promise<void>;
}

/** Declares a scenario (identity at run time; it gives a scenario file its types). */
export function defineScenario<Setup = undefined>(definition: ScenarioDefinition<Setup>): ScenarioDefinition<Setup> {
  return definition;
}
