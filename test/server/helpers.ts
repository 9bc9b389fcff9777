// Shared helpers of the server tests: build once, spawn real server processes (test/support/server.ts),
// talk to them over 127.0.0.1.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll } from "vitest";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { io } from "socket.io-client";
import type { Socket } from "socket.io-client";
import type { MetricsBody } from "../../src/protocol.js";
import { ROOT, SERVER_MAIN } from "../support/paths.js";
import { startServer, stopServers, type ServerProcess } from "../support/server.js";

// One definition each, in test/support; re-exported for the server tests' imports.
export { ROOT, SERVER_MAIN } from "../support/paths.js";
export { spawnServer, startServer, waitForExit, type ServerProcess } from "../support/server.js";

/** Rebuilds with tsc when dist/src/server/main.js is missing or older than the server's sources. */
export function ensureBuilt(): void {
  const sources = [join(ROOT, "src/protocol.ts"), ...readdirSync(join(ROOT, "src/server")).map((f) => join(ROOT, "src/server", f))];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(SERVER_MAIN) && statSync(SERVER_MAIN).mtimeMs >= newest) return;
  // Type errors elsewhere in the repo must not block these tests: tsc still emits, so only the output counts.
  spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.json")], { cwd: ROOT, stdio: "ignore" });
  if (!existsSync(SERVER_MAIN) || statSync(SERVER_MAIN).mtimeMs < newest) throw new Error(`build failed: run npx tsc -p tsconfig.json and fix ${SERVER_MAIN}`);
}

const sockets = new Set<Socket>();

/**
 * One server for a describe block: built if needed, started before its tests, every
 * child stopped after them. The returned object reads the live server.
 */
export function useServer(args: string[] = []): ServerProcess {
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    ensureBuilt();
    server = await startServer(args);
  });
  afterAll(cleanup);
  const live = () => {
    if (!server) throw new Error("useServer: the server is not started yet (use it inside a test)");
    return server;
  };
  return {
    get child() {
      return live().child;
    },
    get url() {
      return live().url;
    },
    stdout: () => live().stdout(),
    stderr: () => live().stderr(),
  };
}

/** Closes every client and kills every server the helpers started. */
export async function cleanup(): Promise<void> {
  for (const socket of sockets) socket.close();
  sockets.clear();
  await stopServers();
}

/** Connects a fresh websocket-only client and waits for the connection. */
export async function connect(url: string): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  sockets.add(socket);
  await new Promise<void>((done, fail) => {
    socket.once("connect", () => done());
    socket.once("connect_error", fail);
  });
  return socket;
}

/** Emits an event with an ack and resolves with the ack. */
export function call<T = any>(socket: Socket, event: string, ...payload: unknown[]): Promise<T> {
  return socket.timeout(5000).emitWithAck(event, ...payload) as Promise<T>;
}

/** Resolves with the next payload of a server event. */
export function next<T = any>(socket: Socket, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ${event} within ${timeoutMs}ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      done(payload);
    });
  });
}

/** Closes a client and waits until the server counts it gone. */
export async function disconnect(socket: Socket, url: string): Promise<void> {
  const before = (await metrics(url)).connectedSockets;
  socket.close();
  await until(async () => (await metrics(url)).connectedSockets < before);
}

/** GETs a path and parses the JSON body. */
export async function getJson<T = any>(url: string, path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await fetch(new URL(path, url), init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

/** The server's /api/metrics. */
export async function metrics(url: string): Promise<MetricsBody> {
  return (await getJson<MetricsBody>(url, "/api/metrics")).body;
}

/** The four Map sizes, to compare in one assertion. */
export function maps(m: MetricsBody): [number, number, number, number] {
  return [m.activeSessions, m.questionTimers, m.performanceCache, m.socketMappings];
}

/** Polls until the check passes or the deadline, then fails with the last state. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
