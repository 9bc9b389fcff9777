// The typed options of `leakcheck run`, as the CLI hands them to the core.

import type { LeakMode } from "../protocol.js";
import type { BudgetFile } from "../verdict/budget.js";

export type TargetChoice =
  | { kind: "bundled"; leak: LeakMode }
  | { kind: "command"; command: string }
  | { kind: "url"; url: string; probe?: { socketPath: string; token: string } };

export interface RunOptions {
  scenarios: string[];
  target: TargetChoice;
  /** Overrides of the scenarios' own defaults. */
  sessions?: number;
  concurrency?: number;
  rounds?: number;
  warmup?: number;
  seed: number;
  port?: number;
  budgetFile?: string;
  /** A budget given inline (a config file's); wins over budgetFile. */
  budget?: BudgetFile;
  reportDir: string;
  /** When heap snapshots are taken and kept (see SNAPSHOT_MODES). */
  snapshots: SnapshotMode;
  /** --snapshots always typed (not the one-scenario default): a passing scenario keeps its snapshots too. */
  keepPassingSnapshots?: boolean;
  /** Timeline sampling interval; 0 records only the run's own measurements. */
  sampleIntervalMs: number;
  readyTimeoutMs: number;
  settleTimeoutMs: number;
  sessionTimeoutMs: number;
  /** Longest one round of sessions may take. */
  roundTimeoutMs: number;
  probeTimeoutMs: number;
  /**
   * Soak: keep running rounds (each of sessions/rounds sessions) until this long has
   * passed since the first round started, then settle and judge as usual.
   */
  durationMs?: number;
  /**
   * Adaptive rounds (issue 11): when the heap interval straddles the budget, or heap and
   * survivors disagree, more rounds run, up to this many sessions in all (default: twice the
   * scenario's sessions)…
   */
  maxSessions?: number;
  /** …and for at most this long after the planned rounds. */
  maxDurationMs?: number;
  /** Record allocation stacks in the server from the baseline on, to name where leaking groups were allocated. */
  allocationSites?: boolean;
  metricsPath: string;
  /** Where the metrics path was given (--metrics-path, a config file's metricsPath): the endpoint must exist (otherwise a 404 means gauges from the probe only); errors name it so. */
  metricsPathFrom?: string;
  /** --ready-path: readiness is this path answering 2xx (default: a Socket.IO handshake, or the metrics path). */
  readyPath?: string;
  gauges?: string[];
  socketIoPath: string;
  /** Longest an emitWithAck waits for its acknowledgement (--ack-timeout). */
  ackTimeoutMs: number;
  /** For https targets: a CA certificate (PEM, --ca's contents) and whether to skip verification (--insecure). */
  tls: { ca?: string; insecure: boolean };
  /** undefined: as the scenario says. */
  httpLoad?: boolean;
  /** --load: each round's load is this shell command instead of the built-in driver (issue 12). */
  load?: string;
}

/**
 * always: a snapshot at the baseline, after each round and at the end; kept when the scenario
 * fails, or always when asked for by name (keepPassingSnapshots).
 * on-fail: the baseline and final snapshots, kept and analysed only when the scenario fails.
 * never: none.
 */
export const SNAPSHOT_MODES = ["always", "on-fail", "never"] as const;
export type SnapshotMode = (typeof SNAPSHOT_MODES)[number];

export const RUN_DEFAULTS = {
  sampleIntervalMs: 250,
  snapshotTimeoutMs: 120_000,
  reportDir: "reports",
  readyTimeoutMs: 15_000,
  settleTimeoutMs: 30_000,
  sessionTimeoutMs: 60_000,
  roundTimeoutMs: 600_000,
  probeTimeoutMs: 30_000,
  metricsPath: "/api/metrics",
  socketIoPath: "/socket.io/",
  // The bundled server under leakcheck: a short grace so abandoned sessions are freed
  // before settling ends (pings: see pingForConcurrency).
  resumeGraceMs: 1000,
  // Generous: at 10,000 clients one server core takes seconds to answer them all.
  connectTimeoutMs: 30_000,
  // A server that answers at all answers within seconds; fail-fast needs a bound that is not minutes.
  ackTimeoutMs: 10_000,
} as const;

/**
 * Ping interval (= timeout) for the bundled server: short, so a dead network is noticed
 * in a second or two, but never more than ~1,000 pings a second, which at 10,000 clients
 * would take the server's one core for themselves and time clients out.
 */
export function pingForConcurrency(concurrency: number): number {
  return Math.min(10_000, Math.max(500, concurrency));
}

export type { RunEvent, RunListener } from "../report-schema/events.js";
export type { RunPhase } from "../report-schema/scenario.js";
