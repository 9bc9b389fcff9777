// The server under test: the bundled one, any command, or one already running.
// Spawned servers run in their own process group with the probe preloaded, their
// output in a log file, and a kill registered on the run's cleanup stack at once.

import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RunError } from "../errors.js";
import type { LeakMode } from "../protocol.js";
import { AGENT_PATH, type ProbeClient } from "../probe/client.js";
import { attachedSockets, folderSockets, type ServerProcess } from "../probe/processes.js";
import { crashSummary } from "./crash-output.js";
import { watchProcesses, findProcesses } from "./server-processes.js";
import { trackPath, untrackPath } from "./leftovers.js";
import { killGroup, trackGroup } from "./process-tree.js";
import { probePort } from "./ports.js";
import type { TlsOptions } from "./metrics.js";
import { hasMetricsEndpoint, waitReady, type Readiness } from "./readiness.js";

/** The bundled server's program, built beside this file. */
export const BUNDLED_SERVER_MAIN = fileURLToPath(new URL("../server/main.js", import.meta.url));

export type TargetSpec =
  | { kind: "bundled"; leak: LeakMode; resumeGraceMs: number; pingIntervalMs: number; pingTimeoutMs: number }
  | { kind: "command"; command: string }
  | { kind: "url"; url: string; probe?: { socketPath: string; token: string } };

export interface TargetOptions {
  /** What makes the server ready, and where its metrics may be (readinessOf(runOptions)). */
  readiness: Readiness;
  readyTimeoutMs: number;
  /** Where the server's stdout and stderr go. */
  logPath: string;
  port?: number;
  /**
   * --allocation-sites: start the server's Node processes with `--track-heap-objects`, so V8
   * records allocation stacks from the start at a quarter of the inspector's cost (the probe's
   * allocations.cts says why).
   */
  trackHeapObjects?: boolean;
  /** The run's cleanup stack: every stop registered the moment there is something to stop. */
  cleanup: { push(label: string, fn: () => void | Promise<void>): () => Promise<void> };
}

export interface Target {
  readonly kind: TargetSpec["kind"];
  readonly baseUrl: string;
  readonly port: number;
  readonly description: string;
  readonly logPath?: string;
  /** The agent inside the server, when it could be reached (the first serving process of several). */
  readonly probe?: ProbeClient;
  /** Every probed process of the server (issue 12): one, or a cluster's primary and workers. */
  readonly processes?: ServerProcess[];
  /** False when the server has no metrics endpoint: the gauges come from the probe alone. */
  readonly hasMetrics: boolean;
  /** For an https --url: how leakcheck's own requests trust it. */
  readonly tls?: TlsOptions;
  /** Rejects with a RunError if a spawned server exits before stop() is called. */
  readonly crashed: Promise<never>;
  /**
   * The crash error if the spawned server has exited, or exits within `withinMs`: a failure
   * seen first elsewhere (the probe connection closing, a refused request) is better told
   * as how the server died.
   */
  crashError(withinMs: number): Promise<RunError | undefined>;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";

/** Starts (or attaches to) the server and resolves once it is ready (see readiness.ts). */
export async function startTarget(spec: TargetSpec, options: TargetOptions): Promise<Target> {
  if (spec.kind === "url") return attach(spec, options);

  const port = await probePort(HOST, options.port ?? 0);
  const probeDir = await fsp.mkdtemp(path.join(os.tmpdir(), "leakcheck-probe-"));
  trackPath(probeDir);
  options.cleanup.push("probe folder", async () => {
    await fsp.rm(probeDir, { recursive: true, force: true });
    untrackPath(probeDir);
  });
  const token = crypto.randomBytes(16).toString("hex");

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST,
    NODE_OPTIONS: [process.env.NODE_OPTIONS ?? "", "--expose-gc", ...(options.trackHeapObjects ? ["--track-heap-objects"] : []), `--require ${JSON.stringify(AGENT_PATH)}`]
      .join(" ")
      .trim(),
    LEAKCHECK_PROBE_DIR: probeDir,
    LEAKCHECK_PROBE_TOKEN: token,
  };
  // The server writes its output straight into the log file. Through a pipe to leakcheck,
  // a server that logs a line per session would block on every write (stdout to a pipe
  // is synchronous on Linux) whenever leakcheck is busy driving the load.
  const logFd = fs.openSync(options.logPath, "a", 0o600);
  let spawned: ReturnType<typeof spawnServer>;
  try {
    spawned = spawnServer(spec, env, logFd);
  } finally {
    fs.closeSync(logFd);
  }
  const { child, description } = spawned;
  // Listen first: a spawn that fails (EAGAIN, EMFILE) reports it as an 'error' event.
  const exitInfo = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    child.once("error", (error) => resolve(`could not be started (${error.message})`));
  });
  const pid = child.pid;
  if (pid === undefined) throw new RunError(`could not start the server (${description}): ${await exitInfo}`);
  trackGroup(pid);

  let stopping = false;
  const crashed = exitInfo.then(async (how) => {
    if (stopping) return new Promise<never>(() => undefined);
    throw new RunError(`the server ${how} during the run: ${await logSummary(options.logPath)}`);
  });
  crashed.catch(() => undefined);

  const stop = options.cleanup.push("server process", async () => {
    stopping = true;
    await killGroup(pid);
  });

  const baseUrl = `http://${HOST}:${port}`;
  await waitReady(baseUrl, options.readiness, options.readyTimeoutMs, exitInfo.then(async (how) => {
    throw new RunError(`the server ${how} before it was ready: ${await logSummary(options.logPath)}`);
  }));

  const processes = await findProcesses(folderSockets(probeDir), { token, port, timeoutMs: 3000 });
  options.cleanup.push("probe connections", () => processes.forEach((each) => each.probe.close()));
  const probe = processes.find((each) => each.serves)?.probe;
  // One process of several dying (or replaced by its primary) is no crash of the root: told as such.
  const gone = watchProcesses(processes, () => stopping, exitInfo, options.logPath);
  const crashedAny = Promise.race([crashed, gone]);
  crashedAny.catch(() => undefined);
  const hasMetrics = await hasMetricsEndpoint(baseUrl, options.readiness, Math.min(5000, options.readyTimeoutMs));
  const crashError = (withinMs: number) =>
    Promise.race([
      crashedAny.then(
        () => undefined,
        (error: RunError) => error,
      ),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), withinMs).unref()),
    ]);
  return { kind: spec.kind, baseUrl, port, description, logPath: options.logPath, probe, processes, hasMetrics, crashed: crashedAny, crashError, stop };
}

function spawnServer(spec: Exclude<TargetSpec, { kind: "url" }>, env: NodeJS.ProcessEnv, logFd: number): {
  child: ChildProcess;
  description: string;
} {
  const stdio: ["ignore", number, number] = ["ignore", logFd, logFd];
  if (spec.kind === "bundled") {
    const args = [
      BUNDLED_SERVER_MAIN,
      "--leak", spec.leak,
      "--resume-grace-ms", String(spec.resumeGraceMs),
      "--ping-interval", String(spec.pingIntervalMs),
      "--ping-timeout", String(spec.pingTimeoutMs),
    ];
    const child = spawn(process.execPath, args, { env, stdio, detached: true });
    return { child, description: `bundled interview server (leak mode ${spec.leak})` };
  }
  // A shell, so `npm start` and `PORT=1 node x.js` work as typed; detached puts the whole tree in one group.
  const child = spawn(spec.command, { env, stdio, detached: true, shell: true });
  return { child, description: spec.command };
}

async function attach(spec: Extract<TargetSpec, { kind: "url" }>, options: TargetOptions): Promise<Target> {
  const parsed = new URL(spec.url);
  const port = Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80));
  const baseUrl = parsed.origin;
  await waitReady(baseUrl, options.readiness, options.readyTimeoutMs, new Promise<never>(() => undefined), true);
  const hasMetrics = await hasMetricsEndpoint(baseUrl, options.readiness, Math.min(5000, options.readyTimeoutMs), true);
  if (!spec.probe) {
    return {
      kind: "url",
      baseUrl,
      port,
      description: baseUrl,
      tls: options.readiness.tls,
      hasMetrics,
      crashed: new Promise<never>(() => undefined),
      crashError: async () => undefined,
      stop: async () => undefined,
    };
  }
  // Attached with the probe (issue 12): the server is someone else's, so nothing is stopped, only the connections closed.
  const { socketPath, token } = spec.probe;
  const processes = await findProcesses(attachedSockets(socketPath), { token, port, timeoutMs: 3000, attached: socketPath });
  options.cleanup.push("probe connections", () => processes.forEach((each) => each.probe.close()));
  let stopping = false;
  options.cleanup.push("attached", () => void (stopping = true));
  const crashed = watchProcesses(processes, () => stopping, new Promise<string>(() => undefined), undefined);
  crashed.catch(() => undefined);
  const crashError = (withinMs: number) =>
    Promise.race([
      crashed.then(
        () => undefined,
        (error: RunError) => error,
      ),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), withinMs).unref()),
    ]);
  return {
    kind: "url",
    baseUrl,
    port,
    description: `${baseUrl} (probe ${socketPath})`,
    tls: options.readiness.tls,
    probe: processes.find((each) => each.serves)?.probe ?? processes[0]?.probe,
    processes,
    hasMetrics,
    crashed,
    crashError,
    stop: async () => undefined,
  };
}

/** Why the server died, from its log (the error and where it was thrown), then where the whole log is. */
async function logSummary(logPath: string): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the pipe flush
  let text: string;
  try {
    text = await fsp.readFile(logPath, "utf8");
  } catch {
    return `see ${logPath}`;
  }
  return `${crashSummary(text)}; see ${logPath}`;
}
