// Where the probe listens (issue 12). Spawned by leakcheck: `<LEAKCHECK_PROBE_DIR>/<pid>.sock`
// in a folder only the owner can open. Attached (a server someone else started with
// `--require leakcheck/probe`): the path in LEAKCHECK_PROBE for the first process of the
// tree, `<path>.<pid>` for the ones it starts (cluster workers, npm's node), so
// `leakcheck run --probe <path>` finds them all. Without either variable, nothing listens.

import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface ProbeEndpoint {
  socketPath: string;
  token: string;
  attached: boolean;
  /** Attached, the first process of the tree: it listens at the path itself, the others at `<path>.<pid>`. */
  owner?: boolean;
}

/** The endpoint for this process, or undefined when it should not listen at all. */
export function probeEndpoint(env: NodeJS.ProcessEnv): ProbeEndpoint | undefined {
  const token = env.LEAKCHECK_PROBE_TOKEN;
  if (env.LEAKCHECK_PROBE_DIR && token) {
    return { socketPath: path.join(env.LEAKCHECK_PROBE_DIR, `${process.pid}.sock`), token, attached: false };
  }
  const requested = env.LEAKCHECK_PROBE;
  if (!requested) return undefined;
  if (!token) {
    // No token, no answer: an open channel that forces GC and writes heap snapshots is not offered.
    process.stderr.write("leakcheck probe: LEAKCHECK_PROBE is set but LEAKCHECK_PROBE_TOKEN is not: not listening (set both)\n");
    return undefined;
  }
  const first = env.LEAKCHECK_PROBE_OWNER === undefined || env.LEAKCHECK_PROBE_OWNER === String(process.pid);
  // Inherited by every process this one starts: they take `<path>.<pid>`.
  process.env.LEAKCHECK_PROBE_OWNER ??= String(process.pid);
  const socketPath = path.resolve(first ? requested : `${requested}.${process.pid}`);
  return { socketPath, token, attached: true, owner: first };
}

/**
 * Listens on the endpoint with the socket file owner-only from birth (umask for the bind,
 * chmod after for a cluster worker, whose primary binds). An attached probe replaces a
 * stale file a killed server left behind, never a live one, and removes its file on exit.
 */
export function listenOnEndpoint(server: net.Server, endpoint: ProbeEndpoint, onListening: () => void): void {
  const listen = (retry: boolean) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (!retry || !endpoint.attached || error.code !== "EADDRINUSE") return;
      const probe = net.connect(endpoint.socketPath);
      probe.once("connect", () => probe.destroy()); // alive: another server's; leave it be
      probe.once("error", () => {
        try {
          fs.unlinkSync(endpoint.socketPath);
          listen(false);
        } catch {
          // not ours to remove
        }
      });
    };
    server.once("error", onError);
    const previous = process.umask(0o177);
    try {
      server.listen(endpoint.socketPath, () => {
        server.off("error", onError);
        try {
          fs.chmodSync(endpoint.socketPath, 0o600);
        } catch {
          // removed already: leakcheck is gone
        }
        // A process killed by a signal it does not handle (SIGTERM, SIGKILL) runs no 'exit'
        // listener and leaves its files: the next owner at this path clears them.
        if (endpoint.owner) removeStaleFiles(endpoint.socketPath);
        if (endpoint.attached) {
          process.once("exit", () => {
            try {
              fs.unlinkSync(endpoint.socketPath);
            } catch {
              // gone already
            }
          });
        }
        onListening();
      });
    } finally {
      process.umask(previous);
    }
  };
  listen(true);
}

/**
 * Removes the files a killed tree left beside `socketPath`: `<path>.<pid>` and its side door
 * `<path>.<pid>.http` when that pid is gone, and `<path>.http` (the owner's side door: this
 * process is the owner now and has not opened one yet). Only sockets nothing listens on.
 */
export function removeStaleFiles(socketPath: string): void {
  const dir = path.dirname(socketPath);
  const base = path.basename(socketPath);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = name === `${base}.http` ? [name] : new RegExp(`^${escapeRegExp(base)}\\.(\\d+)(\\.http)?$`).exec(name);
    if (!match) continue;
    const pid = match[1] === undefined ? undefined : Number(match[1]);
    if (pid !== undefined && pidAlive(pid)) continue;
    const file = path.join(dir, name);
    try {
      if (!fs.lstatSync(file).isSocket()) continue;
    } catch {
      continue;
    }
    const probe = net.connect(file);
    probe.unref();
    probe.once("connect", () => probe.destroy()); // alive after all: not ours to remove
    probe.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNREFUSED") return;
      try {
        fs.unlinkSync(file);
      } catch {
        // removed by someone else meanwhile
      }
    });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
