// Runs a scenario's session many times with bounded concurrency, a ramp so a
// thousand clients do not all knock at once, a timeout per session, and every
// client it opened closed when its session ends.

import { setMaxListeners } from "node:events";
import type { ConnectOptions, ScenarioDefinition, SessionContext } from "../scenario/define.js";
import type { FaultProxy } from "./fault-proxy.js";
import { InterviewClient } from "./interview-client.js";
import { Rng } from "./rng.js";
import { SioClient } from "./sio-client.js";
import type { LoadStats } from "./stats.js";

export interface PoolOptions {
  host: string;
  port: number;
  socketIoPath: string;
  seed: number;
  concurrency: number;
  sessionTimeoutMs: number;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  stats: LoadStats;
  /** The fault proxy, started on first use. */
  proxy: () => Promise<FaultProxy>;
  /** Aborted when the run is interrupted: no new sessions start, open clients are reset. */
  signal: AbortSignal;
}

const WORDS = ["closure", "event", "loop", "heap", "map", "timer", "socket", "stream", "buffer", "promise", "cache", "graph"];

/** Runs sessions [firstIndex, firstIndex + count) of `scenario` and resolves when all have ended. */
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
  const worker = async (slot: number) => {
    if (slot > 0) await sleep(slot * rampStepMs, options.signal);
    while (next < end && !options.signal.aborted) {
      const index = next++;
      await runOne(scenario, round, index, options);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, slot) => worker(slot)));
}

async function runOne(scenario: ScenarioDefinition, round: number, index: number, options: PoolOptions): Promise<void> {
  const { stats } = options;
  stats.sessionsStarted++;
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const onRunAbort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener("abort", onRunAbort, { once: true });
  const clients: InterviewClient[] = [];
  let finished = false;
  const rng = Rng.forSession(options.seed, index);
  const ctx: SessionContext = {
    index,
    round,
    concurrency: options.concurrency,
    rng,
    candidateId: `candidate-${options.seed}-${index}`,
    signal: controller.signal,
    connect: (connectOptions) => connectClient(connectOptions, options, clients, controller.signal, () => finished),
    sleep: (ms) => sleep(ms, controller.signal),
    answerText: () => Array.from({ length: rng.int(3, 12) }, () => rng.pick(WORDS)).join(" "),
  };
  const timer = setTimeout(() => controller.abort(new Error(`session timed out after ${options.sessionTimeoutMs} ms`)), options.sessionTimeoutMs);
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    await Promise.race([scenario.session(ctx), aborted]);
    stats.sessionsFinished++;
  } catch (error) {
    stats.sessionFailed(error instanceof Error ? error.message : String(error));
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

async function connectClient(
  connectOptions: ConnectOptions | undefined,
  options: PoolOptions,
  clients: InterviewClient[],
  signal: AbortSignal,
  sessionFinished: () => boolean,
): Promise<InterviewClient> {
  if (signal.aborted) throw signal.reason;
  const viaProxy = connectOptions?.via === "proxy";
  const proxy = viaProxy ? await options.proxy() : undefined;
  const socket = await SioClient.connect({
    host: viaProxy ? "127.0.0.1" : options.host,
    port: proxy ? proxy.port : options.port,
    path: options.socketIoPath,
    connectTimeoutMs: options.connectTimeoutMs,
    ackTimeoutMs: options.ackTimeoutMs,
  });
  options.stats.clientOpened();
  void socket.closed().then(() => options.stats.clientClosed());
  const localPort = socket.localPort;
  const client = new InterviewClient(
    socket,
    options.stats,
    proxy ? () => proxy.linkFor(localPort) : undefined,
    // The server gives up after its ping interval + timeout; half a second more and it surely has.
    socket.pingDeadlineMs + 500,
  );
  clients.push(client);
  // A connect the session did not wait for, landing after it ended: nobody would close it.
  if (signal.aborted || sessionFinished()) client.vanish("reset");
  return client;
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
