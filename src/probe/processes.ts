// Every process of the server under test (issue 12): the agents found beside each other
// (a spawned server's probe folder, or an attached probe's `<path>` and `<path>.<pid>`),
// each named as a user knows it: `worker 2 (pid 4121)` for a node:cluster worker.

import fs from "node:fs/promises";
import path from "node:path";
import { ProbeClient, type ProbeHello } from "./client.js";

/** One probed process that serves the port under test (or a cluster primary dispatching to it). */
export interface ServerProcess {
  /** `worker 2 (pid 4121)`, `primary (pid 4100)`, or `pid 4100 (node app.js)`. */
  label: string;
  pid: number;
  workerId?: number;
  role: "worker" | "primary" | "process";
  command: string;
  /** True when this process's own HTTP server answers on the port (a primary only hands connections on). */
  serves: boolean;
  probe: ProbeClient;
}

/** The name a process goes by in verdicts, the timeline and the reports. */
export function processLabel(hello: ProbeHello): string {
  const id = hello.identity;
  if (id?.cluster === "worker" && id.workerId !== undefined) return `worker ${id.workerId} (pid ${hello.pid})`;
  if (id?.cluster === "primary") return `primary (pid ${hello.pid})`;
  const command = id?.command ?? hello.argv.join(" ");
  return `pid ${hello.pid} (${shortCommand(command)})`;
}

function shortCommand(command: string): string {
  const words = command.split(/\s+/).filter((word) => !word.startsWith("--require") && !word.includes("agent.cjs") && word !== "--expose-gc");
  return words.map((word, index) => (index === 0 || word.includes("/") ? path.basename(word) : word)).join(" ").slice(0, 60);
}

/** Socket files of a spawned server's probe folder. */
export function folderSockets(probeDir: string): () => Promise<string[]> {
  return async () => (await fs.readdir(probeDir)).filter((name) => name.endsWith(".sock")).map((name) => path.join(probeDir, name));
}

/** Socket files of an attached probe: the path itself and `<path>.<pid>` beside it. */
export function attachedSockets(socketPath: string): () => Promise<string[]> {
  const dir = path.dirname(socketPath);
  const base = path.basename(socketPath);
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.\\d+$`);
  return async () => {
    let names: string[] = [];
    try {
      names = await fs.readdir(dir);
    } catch {
      return [];
    }
    return names.filter((name) => name === base || pattern.test(name)).map((name) => path.join(dir, name));
  };
}

export interface FindOptions {
  token: string;
  port: number;
  /** How long to wait for the first process serving the port. */
  timeoutMs: number;
  /** Once one is found, how long the set must stay the same to be taken as whole (workers start one by one). */
  stableMs?: number;
  /** Keep every process that answers, whatever it listens on (attached through a mapped port). */
  acceptAny?: boolean;
  /** Called with the error of a socket that refused the token. */
  onRefused?: (socketPath: string, error: Error) => void;
}

/**
 * Connects to every agent, keeps the processes that listen on `port` (and a cluster
 * primary), closes the rest (npm, sh's node). Waits until the set has held still for
 * `stableMs`; resolves [] when none serves the port within `timeoutMs`.
 */
export async function findServerProcesses(list: () => Promise<string[]>, options: FindOptions): Promise<ServerProcess[]> {
  const stableMs = options.stableMs ?? 0;
  const deadline = Date.now() + options.timeoutMs;
  const found = new Map<string, ServerProcess>();
  const passed = new Set<string>();
  let lastChange = Date.now();
  for (;;) {
    let sockets: string[] = [];
    try {
      sockets = await list();
    } catch {
      sockets = [];
    }
    for (const socketPath of sockets) {
      if (found.has(socketPath) || passed.has(socketPath)) continue;
      let client: ProbeClient;
      try {
        client = await ProbeClient.connect(socketPath, options.token, 1000);
      } catch (error) {
        if (/bad token/.test((error as Error).message) && options.onRefused) {
          // May throw (attached: a wrong token is the end of it); nothing opened is left open.
          try {
            options.onRefused(socketPath, error as Error);
          } catch (refusal) {
            for (const process of found.values()) process.probe.close();
            throw refusal;
          }
        }
        continue; // a process that exited left its socket file behind, or is not up yet
      }
      const serves = listensOnPort(client, options) || fedByPrimary(client, found, options);
      const primary = client.hello.identity?.cluster === "primary";
      if (!serves && !primary) {
        // Not listening yet, perhaps: looked at again on the next pass while we wait.
        client.close();
        continue;
      }
      found.set(socketPath, toProcess(client, serves));
      lastChange = Date.now();
    }
    const anyServes = [...found.values()].some((process) => process.serves);
    // A cluster primary says which workers it has: wait for every one of them.
    const pids = new Set([...found.values()].filter((each) => each.serves).map((each) => each.pid));
    const awaited = [...found.values()].flatMap((each) => each.probe.hello.identity?.workerPids ?? []);
    const allWorkers = awaited.every((pid) => pids.has(pid));
    if (anyServes && allWorkers && Date.now() - lastChange >= stableMs) break;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const processes = [...found.values()];
  if (!processes.some((process) => process.serves)) {
    for (const process of processes) process.probe.close();
    return [];
  }
  // A primary serves itself when it forked nothing and listens; one that dispatches holds no app state.
  return processes.sort((a, b) => rank(a) - rank(b) || (a.workerId ?? 0) - (b.workerId ?? 0) || a.pid - b.pid);
}

function listensOnPort(client: ProbeClient, options: FindOptions): boolean {
  return client.hello.ports.includes(options.port) || (options.acceptAny === true && client.hello.ports.length > 0);
}

/**
 * Sticky sessions (@socket.io/sticky, or any handle passing): the primary listens on the port
 * itself and hands each connection to a worker, whose HTTP server listens on nothing. Such a
 * worker serves the port: it is a node:cluster worker of a primary found on the port, and has
 * a Socket.IO server.
 */
function fedByPrimary(client: ProbeClient, found: Map<string, ServerProcess>, options: FindOptions): boolean {
  const id = client.hello.identity;
  if (id?.cluster !== "worker" || !(client.hello.socketIoServers! > 0)) return false;
  return [...found.values()].some((each) => each.role === "primary" && each.pid === id.ppid && listensOnPort(each.probe, options));
}

function rank(process: ServerProcess): number {
  return process.role === "primary" ? 0 : process.role === "worker" ? 1 : 2;
}

function toProcess(client: ProbeClient, serves: boolean): ServerProcess {
  const id = client.hello.identity;
  const role = id?.cluster === "worker" ? "worker" : id?.cluster === "primary" ? "primary" : "process";
  // A primary's round-robin handle listens on the port too, but hands every connection to a worker.
  const servesItself = serves && role !== "primary";
  return {
    label: processLabel(client.hello),
    pid: client.hello.pid,
    ...(id?.workerId !== undefined ? { workerId: id.workerId } : {}),
    role,
    command: id?.command ?? client.hello.argv.join(" "),
    serves: servesItself,
    probe: client,
  };
}
