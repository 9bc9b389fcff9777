// The harness side of the probe: finds the agent inside the server process tree
// and asks it to force GC and measure memory and active handles.

import net from "node:net";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RunError } from "../errors.js";
import type { ProbeIdentity } from "./identity.cjs";

export type { ProbeIdentity } from "./identity.cjs";

/** Where the built agent lives (dist/src/probe/agent.cjs beside this file). */
export const AGENT_PATH = fileURLToPath(new URL("./agent.cjs", import.meta.url));

export interface ProbeHello {
  pid: number;
  ports: number[];
  node: string;
  gc: boolean;
  argv: string[];
  /** pid, parent, cluster worker id and command line (agents of leakcheck 0.1 leave it out). */
  identity?: ProbeIdentity;
  /** How many Socket.IO Servers the process has (agents before sticky-session support leave it out). */
  socketIoServers?: number;
}

export interface ProbeMeasure {
  memory: NodeJS.MemoryUsage;
  resources: Record<string, number>;
  /** The server process's CPU time so far. */
  cpu?: NodeJS.CpuUsage;
  passes?: number;
}

export interface ProbeSnapshot {
  file: string;
  bytes: number;
  /** How long writing took inside the server (its event loop is blocked meanwhile). */
  ms: number;
  writer: "heapdump" | "v8";
}

export interface ProbeGauges {
  /** Socket.IO's counts (`socket.io /chat rooms`...) and the app's own (leakcheck/gauges). */
  gauges: Record<string, number>;
}

type Command = "hello" | "gc" | "measure" | "snapshot" | "gauges" | "get" | "track-allocations";

/** One connection to one agent; requests are answered in order. */
export class ProbeClient {
  private nextId = 1;
  private pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private buffered = "";
  private closeListeners: (() => void)[] = [];
  private isClosed = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly token: string,
    readonly hello: ProbeHello,
  ) {}

  /** Connects to the agent listening at `socketPath`; rejects if it does not answer hello in time. */
  static async connect(socketPath: string, token: string, timeoutMs = 2000): Promise<ProbeClient> {
    const socket = net.connect(socketPath);
    socket.setEncoding("utf8");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new ProbeClient(socket, token, undefined as unknown as ProbeHello);
    socket.on("data", (chunk: string) => client.onData(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      client.isClosed = true;
      client.failAll(new RunError("the server's probe connection closed: the server process exited"));
      for (const listener of client.closeListeners.splice(0)) listener();
    });
    try {
      const hello = (await client.request("hello", timeoutMs)) as ProbeHello;
      (client as { hello: ProbeHello }).hello = hello;
      return client;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /** Forces a full GC in the server and returns memory and handles measured right after it. */
  gc(timeoutMs: number): Promise<ProbeMeasure> {
    return this.request("gc", timeoutMs) as Promise<ProbeMeasure>;
  }

  /** Starts (or with `on` false, stops) recording allocation stacks: later snapshots carry them. */
  trackAllocations(timeoutMs: number, on = true): Promise<{ tracking: boolean }> {
    return this.request("track-allocations", timeoutMs, { on }) as Promise<{ tracking: boolean }>;
  }

  /** Memory and handles now, without GC (cheap enough to sample). */
  measure(timeoutMs: number): Promise<ProbeMeasure> {
    return this.request("measure", timeoutMs) as Promise<ProbeMeasure>;
  }

  /** Socket.IO's counts and the app's gauges, read in the server now. */
  gauges(timeoutMs: number): Promise<ProbeGauges> {
    return this.request("gauges", timeoutMs) as Promise<ProbeGauges>;
  }

  /** Writes a heap snapshot of the server, after a full GC, to `file` (absolute, owner-only). */
  snapshot(file: string, timeoutMs: number): Promise<ProbeSnapshot> {
    return this.request("snapshot", timeoutMs, { file }) as Promise<ProbeSnapshot>;
  }

  /** GET `requestPath` from this very process's HTTP server on `port` (not whichever worker a shared port picks). */
  get(requestPath: string, port: number, timeoutMs: number): Promise<{ status: number; body: string }> {
    return this.request("get", timeoutMs, { path: requestPath, port, timeoutMs }) as Promise<{ status: number; body: string }>;
  }

  /** Asks who the process is again (a cluster primary's workers change). */
  identify(timeoutMs: number): Promise<ProbeHello> {
    return this.request("hello", timeoutMs) as Promise<ProbeHello>;
  }

  /** Calls `listener` once when the connection ends (the process exited, or close() was called). */
  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.closeListeners = [];
    this.socket.destroy();
    this.failAll(new RunError("probe closed"));
  }

  private request(cmd: Command, timeoutMs: number, args: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new RunError(
            `the server did not answer the probe's "${cmd}" within ${timeoutMs} ms: it is hung or overloaded (raise --probe-timeout)`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.socket.write(`${JSON.stringify({ ...args, id, token: this.token, cmd })}\n`);
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf("\n")) !== -1) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      let reply: { id: number; ok: boolean; result?: unknown; error?: string };
      try {
        reply = JSON.parse(line);
      } catch {
        continue;
      }
      const waiter = this.pending.get(reply.id);
      if (!waiter) continue;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new RunError(`the server's probe failed: ${reply.error}`));
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

/**
 * Finds the agent of the process that listens on `port` among all agents in `probeDir`
 * (with `npm start`, npm and sh carry an agent too). Resolves undefined if none does in time.
 */
export async function findServerProbe(
  probeDir: string,
  token: string,
  port: number,
  timeoutMs: number,
): Promise<ProbeClient | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let names: string[] = [];
    try {
      names = (await fs.readdir(probeDir)).filter((name) => name.endsWith(".sock"));
    } catch {
      return undefined;
    }
    for (const name of names) {
      let client: ProbeClient | undefined;
      try {
        client = await ProbeClient.connect(path.join(probeDir, name), token, 1000);
      } catch {
        continue; // a process that exited left its socket file behind
      }
      if (client.hello.ports.includes(port)) return client;
      client.close();
      // A process that is not listening yet may start to; only skip it for this pass.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}
