// The one place a scenario's sessions are driven: the session pool's options (the fault
// proxy started on first use), a round of sessions, and waiting for the proxy to drain.
// Swapping the load client means changing this file only.

import { FaultProxy } from "../load/fault-proxy.js";
import { runSessions, type PoolOptions } from "../load/session-pool.js";
import type { LoadStats } from "../load/stats.js";
import type { ScenarioDefinition } from "../scenario/define.js";
import type { Target } from "../server-under-test/target.js";
import type { CleanupStack } from "./cleanup.js";
import { RUN_DEFAULTS, type RunOptions } from "./options.js";

export interface LoadDriver {
  /** Runs sessions [firstIndex, firstIndex + count) of round `round`. */
  run(round: number, firstIndex: number, count: number): Promise<void>;
  /** Silently cut connections are the server's to time out: resolves once the proxy has closed them (or at once without a proxy). */
  proxyDrained(timeoutMs: number): Promise<void>;
}

export function loadDriver(
  scenario: ScenarioDefinition,
  target: Target,
  options: Pick<RunOptions, "socketIoPath" | "seed" | "sessionTimeoutMs" | "ackTimeoutMs" | "tls">,
  concurrency: number,
  setup: unknown,
  stats: LoadStats,
  signal: AbortSignal,
  cleanup: CleanupStack,
): LoadDriver {
  let proxy: Promise<FaultProxy> | undefined;
  const host = new URL(target.baseUrl).hostname;
  const pool: PoolOptions = {
    baseUrl: target.baseUrl,
    socketIoPath: options.socketIoPath,
    seed: options.seed,
    concurrency,
    sessionTimeoutMs: options.sessionTimeoutMs,
    connectTimeoutMs: RUN_DEFAULTS.connectTimeoutMs,
    ackTimeoutMs: options.ackTimeoutMs,
    tls: options.tls,
    setup,
    scenarioName: scenario.name,
    stats,
    signal,
    proxy: () => {
      proxy ??= FaultProxy.start(host, target.port).then((started) => {
        cleanup.push("fault proxy", () => started.close());
        return started;
      });
      return proxy;
    },
  };
  return {
    run: (round, firstIndex, count) => runSessions(scenario, round, firstIndex, count, pool),
    proxyDrained: async (timeoutMs) => {
      if (proxy) await (await proxy).drained(timeoutMs);
    },
  };
}

/** The load's counters as plain figures, for the result. */
export interface LoadCounts {
  started: number;
  finished: number;
  /** After the warm-up: the sessions judged. */
  failed: number;
  warmupFailed: number;
  peakClients: number;
  acks: number;
  errorAcks: number;
  httpRequests: number;
  ackLatencyMs: { p50: number; p95: number; p99: number; max: number };
  failures: { message: string; count: number }[];
}

export function loadCounts(stats: LoadStats, warmupFailed: number): LoadCounts {
  return {
    started: stats.sessionsStarted,
    finished: stats.sessionsFinished,
    failed: stats.sessionsFailed - warmupFailed,
    warmupFailed,
    peakClients: stats.peakClients,
    acks: stats.acks,
    errorAcks: stats.errorAcks,
    httpRequests: stats.httpRequests,
    ackLatencyMs: {
      p50: stats.latency.percentile(50),
      p95: stats.latency.percentile(95),
      p99: stats.latency.percentile(99),
      max: stats.latency.max,
    },
    failures: stats.failureSummary(),
  };
}
