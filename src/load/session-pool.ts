// Runs a scenario's session many times with bounded concurrency, a ramp so a
// thousand clients do not all knock at once, a timeout per session, and every
// client it opened closed when its session ends.

import { setMaxListeners } from "node:events";
import { UsageError } from "../errors.js";
import type { ScenarioDefinition, SessionContext } from "../scenario/define.js";
import type { SessionClient } from "./client.js";
import { openClient, openLeanClient, type ConnectEnv } from "./connect.js";
import { LEAN_CONNECT } from "./lean-client.js";
import { failFastError } from "./fail-fast.js";
import { SessionTimeoutError } from "./failures.js";
import { Rng } from "./rng.js";

export interface PoolOptions extends ConnectEnv {
  seed: number;
  concurrency: number;
  sessionTimeoutMs: number;
  /** What the scenario's setup returned: every session's ctx.setup. */
  setup?: unknown;
  /** The scenario's name, for the fail-fast sentence. */
  scenarioName: string;
  /** Aborted when the run is interrupted: no new sessions start, open clients are reset. */
  signal: AbortSignal;
}

/**
 * Runs sessions [firstIndex, firstIndex + count) of `scenario` and resolves when all have
 * ended. Rejects at once when the first sessions all fail (fail-fast, a RunError) or when
 * the scenario misuses the API (a UsageError, such as an unknown ctx.connect option).
 */
export async function runSessions(
  scenario: ScenarioDefinition,
  round: number,
  firstIndex: number,
  count: number,
  options: PoolOptions,
): Promise<void> {
  setMaxListeners(0, options.signal); // every session in flight listens for the run's abort
  let next = firstIndex;
  const end = firstIndex + count;
  const workers = Math.max(1, Math.min(options.concurrency, count));
  // Spread the first connections over up to 5 s (0.5 ms per worker), like users arriving.
  const rampStepMs = Math.min(0.5, 5000 / workers);
  let stopped: Error | undefined;
  let stop: (error: Error) => void = () => undefined;
  // Rejects the moment a session says the scenario must stop: the caller aborts the sessions
  // still in flight rather than wait out their timeouts.
  const stopping = new Promise<never>((_, reject) => (stop = reject));
  stopping.catch(() => undefined);
  const worker = async (slot: number) => {
    if (slot > 0) await sleep(slot * rampStepMs, options.signal);
    while (next < end && !options.signal.aborted && !stopped) {
      const index = next++;
      const error = await runOne(scenario, round, index, options);
      if (error && !stopped) stop((stopped = error));
    }
  };
  await Promise.race([Promise.all(Array.from({ length: workers }, (_, slot) => worker(slot))), stopping]);
}

/** Runs one session; resolves with an error that must stop the scenario, if any. */
async function runOne(scenario: ScenarioDefinition, round: number, index: number, options: PoolOptions): Promise<Error | undefined> {
  const { stats } = options;
  stats.sessionsStarted++;
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const onRunAbort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener("abort", onRunAbort, { once: true });
  const clients: SessionClient[] = [];
  const track = <T extends SessionClient>(client: T): T => {
    clients.push(client);
    // A connect the session did not wait for, landing after it ended: nobody would close it.
    if (finished) client.vanish("reset");
    return client;
  };
  let finished = false;
  const ctx: SessionContext = {
    url: options.baseUrl,
    index,
    round,
    concurrency: options.concurrency,
    seed: options.seed,
    rng: Rng.forSession(options.seed, index),
    signal: controller.signal,
    setup: options.setup,
    connect: async (connectOptions) => track(await openClient(connectOptions, options, controller.signal)),
    sleep: (ms) => sleep(ms, controller.signal),
  };
  // Hidden from scenarios' types: the interview helper's lean path (lean-client.ts).
  Object.defineProperty(ctx, LEAN_CONNECT, { value: async (connectOptions: unknown) => track(await openLeanClient(connectOptions, options, controller.signal)) });
  const timer = setTimeout(() => controller.abort(new SessionTimeoutError(options.sessionTimeoutMs)), options.sessionTimeoutMs);
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    await Promise.race([scenario.session(ctx), aborted]);
    stats.sessionsFinished++;
    return undefined;
  } catch (error) {
    // A scenario that misuses the API fails every session the same way: stop with its message.
    if (error instanceof UsageError) return error;
    stats.sessionFailed(error);
    if (error instanceof Error && error.name === "ProtocolError") stats.errorAcks++;
    // Once the run is stopping, every session fails the same way: that is not the scenario's fault.
    return options.signal.aborted ? undefined : failFastError(stats, options.scenarioName);
  } finally {
    finished = true;
    clearTimeout(timer);
    options.signal.removeEventListener("abort", onRunAbort);
    for (const client of clients) {
      if (!client.connected) continue;
      if (controller.signal.aborted) client.vanish("reset");
      else client.disconnect();
    }
  }
}

/** A timer that an abort cuts short (rejecting with the abort reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
