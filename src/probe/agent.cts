// The probe: preloaded into every Node process of a spawned server through
// NODE_OPTIONS="--expose-gc --require <this file>". It answers leakcheck over a
// Unix socket in a folder only the owner can open, and only with the run's token,
// so no other local user or process can force GC or read memory figures.
// It must never change the server's behaviour: every handle is unref'd (so it neither
// keeps the server alive nor shows in the handle counts) and every failure is swallowed.

import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import vm from "node:vm";
import v8 from "node:v8";
import { isMainThread } from "node:worker_threads";
import { appGauges, installRegistry } from "./app-gauges.cjs";
import { probeEndpoint, listenOnEndpoint, type ProbeEndpoint } from "./endpoint.cjs";
import { identity } from "./identity.cjs";
import { getFromSelf, noteServer } from "./side-door.cjs";
import { socketIoGauges, socketIoServerCount, watchSocketIo } from "./socketio.cjs";

interface ProbeRequest {
  id: number;
  token: string;
  cmd: "hello" | "gc" | "measure" | "snapshot" | "gauges" | "get" | "track-allocations";
  /** snapshot: absolute path of the .heapsnapshot file to write. */
  file?: string;
  /** get: the path to GET from this process's own HTTP server, on `port`. */
  path?: string;
  port?: number;
  timeoutMs?: number;
  /** track-allocations: false stops it. */
  on?: boolean;
}

const endpoint = probeEndpoint(process.env);

// Ports this process listens on: how leakcheck tells the server apart from
// `npm` or `sh` when the server command is `npm start`.
const listeningPorts = new Set<number>();

function resolveGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return exposed;
  try {
    // Without --expose-gc (a NODE_OPTIONS the server overrode), V8 can still hand one out.
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}

/** Full GC, repeated until the heap stops shrinking (weak callbacks and finalizers free more on later passes). */
async function fullGc(gc: () => void): Promise<number> {
  let previous = Number.POSITIVE_INFINITY;
  let passes = 0;
  for (; passes < 10; passes++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const used = v8.getHeapStatistics().used_heap_size;
    if (used >= previous - 4096) break;
    previous = used;
  }
  return passes + 1;
}

/**
 * Counts of active resources by type. Only handles that keep the event loop alive are
 * listed, so the probe's own (unref'd) pipe server and connections are never among them.
 */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  const info = typeof process.getActiveResourcesInfo === "function" ? process.getActiveResourcesInfo() : [];
  for (const kind of info) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

async function answer(request: ProbeRequest, gc: (() => void) | undefined, socketPath: string): Promise<unknown> {
  switch (request.cmd) {
    case "hello":
      return {
        pid: process.pid,
        ports: [...listeningPorts],
        node: process.version,
        gc: gc !== undefined,
        argv: process.argv.slice(1, 3),
        identity: identity(),
        socketIoServers: socketIoServerCount(),
      };
    case "get": {
      const wanted = request.path;
      if (typeof wanted !== "string" || !wanted.startsWith("/")) throw new Error("get needs a path starting with /");
      return getFromSelf(wanted, request.port, `${socketPath}.http`, request.timeoutMs ?? 10_000);
    }
    case "gc": {
      if (!gc) throw new Error("GC is not available in this process");
      const passes = await fullGc(gc);
      return { passes, memory: process.memoryUsage(), resources: activeResources(), cpu: process.cpuUsage() };
    }
    case "measure":
      return { memory: process.memoryUsage(), resources: activeResources(), cpu: process.cpuUsage() };
    case "gauges":
      // Socket.IO's own counts, then the app's gauges (leakcheck/gauges).
      return { gauges: { ...socketIoGauges(), ...appGauges() } };
    case "snapshot": {
      const file = request.file;
      if (typeof file !== "string" || !path.isAbsolute(file) || !file.endsWith(".heapsnapshot")) {
        throw new Error("snapshot needs an absolute path ending in .heapsnapshot");
      }
      if (gc) await fullGc(gc);
      const started = Date.now();
      const writer = await writeSnapshot(file);
      // Everything in memory is in there: owner-only, whatever the process umask.
      fs.chmodSync(file, 0o600);
      return { file, bytes: fs.statSync(file).size, ms: Date.now() - started, writer };
    }
    case "track-allocations":
      return (require("./allocations.cjs") as typeof import("./allocations.cjs")).allocationTracking(request.on);
    default:
      throw new Error(`unknown probe command ${String((request as { cmd: unknown }).cmd)}`);
  }
}

/** heapdump when it is installed and loads, v8.writeHeapSnapshot otherwise; both take a full GC first. */
async function writeSnapshot(file: string): Promise<"heapdump" | "v8"> {
  let heapdump: { writeSnapshot(file: string, done: (error: Error | null) => void): void } | undefined;
  try {
    heapdump = require("heapdump");
  } catch {
    heapdump = undefined;
  }
  if (heapdump) {
    const written = await new Promise<boolean>((resolve) => {
      try {
        heapdump!.writeSnapshot(file, (error) => resolve(!error));
      } catch {
        resolve(false);
      }
    });
    if (written && fs.existsSync(file)) return "heapdump";
  }
  v8.writeHeapSnapshot(file);
  return "v8";
}

function watchListen(): void {
  const original = net.Server.prototype.listen;
  net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
    this.once("listening", () => {
      const address = this.address();
      if (address && typeof address === "object") {
        listeningPorts.add(address.port);
        noteServer(this);
      }
    });
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof original;
}

function startChannel(at: ProbeEndpoint): void {
  const probeToken = at.token;
  const gc = resolveGc();
  const server = net.createServer((connection) => {
    connection.unref();
    connection.setEncoding("utf8");
    let buffered = "";
    connection.on("data", (chunk: string) => {
      buffered += chunk;
      if (buffered.length > 65_536) return void connection.destroy();
      let newline: number;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        void handleLine(connection, line, probeToken, gc, at.socketPath);
      }
    });
    connection.on("error", () => undefined);
  });
  server.on("error", () => undefined);
  // Listening on a path is not a TCP listen, so it does not mark this process as the server.
  listenOnEndpoint(server, at, () => server.unref());
}

/** Compares in constant time, so the token cannot be guessed a character at a time. */
function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

async function handleLine(
  connection: net.Socket,
  line: string,
  probeToken: string,
  gc: (() => void) | undefined,
  socketPath: string,
) {
  let id = -1;
  try {
    const request = JSON.parse(line) as ProbeRequest;
    id = typeof request.id === "number" ? request.id : -1;
    if (!sameToken(request.token, probeToken)) {
      connection.end(`${JSON.stringify({ id, ok: false, error: "bad token" })}\n`);
      return;
    }
    const result = await answer(request, gc, socketPath);
    connection.write(`${JSON.stringify({ id, ok: true, result })}\n`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!connection.destroyed) connection.write(`${JSON.stringify({ id, ok: false, error: message })}\n`);
  }
}

if (endpoint && isMainThread) {
  try {
    watchListen();
    watchSocketIo();
    installRegistry();
    startChannel(endpoint);
  } catch {
    // A probe that cannot start leaves the server untouched; leakcheck reports heap checks as unavailable.
  }
}
