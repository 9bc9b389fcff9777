// The processes of a server under test (issue 12): found through their probes after the
// server is ready, and watched so that one of several dying mid-run (a cluster worker
// crashing, or killed and replaced by its primary) ends the run as exit 3, named.

import { RunError } from "../errors.js";
import { findServerProcesses, type FindOptions, type ServerProcess } from "../probe/processes.js";

/** Finds the server's processes; attached, a refused token or no probe at all is a RunError naming the fix. */
export async function findProcesses(
  list: () => Promise<string[]>,
  options: Omit<FindOptions, "onRefused"> & { attached?: string },
): Promise<ServerProcess[]> {
  const processes = await findServerProcesses(list, {
    ...options,
    onRefused: (socketPath) => {
      // Spawned, every probe has leakcheck's own token: a refusal is a stranger's socket, skipped.
      if (options.attached) {
        throw new RunError(`the probe at ${socketPath} refused the token: set LEAKCHECK_PROBE_TOKEN to the token the server was started with`);
      }
    },
  });
  if (!options.attached) return processes;
  if (processes.length > 0) return processes;
  // Attached, the port may be mapped (a container, a proxy): every process that answers is the server's.
  const any = await findServerProcesses(list, { ...options, port: -1, timeoutMs: 500, stableMs: 200, acceptAny: true });
  if (any.length > 0) return any;
  throw new RunError(
    `no leakcheck probe answered at ${options.attached}: start the server with --require leakcheck/probe and LEAKCHECK_PROBE=${options.attached} (and LEAKCHECK_PROBE_TOKEN), or leave out --probe`,
  );
}

/**
 * Rejects once any process of several exits while the run goes on (not when the whole server
 * does: `rootExit` tells that better). `stopping()` is true once leakcheck stops it itself.
 */
export function watchProcesses(
  processes: ServerProcess[],
  stopping: () => boolean,
  rootExit: Promise<string>,
  logPath: string | undefined,
): Promise<never> {
  return new Promise<never>((_, reject) => {
    let rootGone = false;
    void rootExit.then(() => (rootGone = true));
    for (const process of processes) {
      process.probe.onClose(() => {
        // Give the root's exit a moment to arrive: a whole server exiting is told as that.
        setTimeout(async () => {
          if (stopping() || rootGone) return;
          const replacement = await replacedBy(processes, process);
          const others = processes.filter((each) => each !== process && each.serves).length;
          reject(
            new RunError(
              `${process.label} exited during the run${replacement ? ` and was replaced by pid ${replacement}` : ""}` +
                `${others ? ` while the server's other processes kept going` : ""}: a process that dies or is replaced mid-run cannot be judged` +
                (logPath ? `; see ${logPath}` : "; see the server's own log"),
            ),
          );
        }, 300).unref();
      });
    }
  });
}

/** The pid a cluster primary started in place of `dead`, if it did. */
async function replacedBy(processes: ServerProcess[], dead: ServerProcess): Promise<number | undefined> {
  const primary = processes.find((each) => each.role === "primary");
  if (!primary || dead.role !== "worker") return undefined;
  try {
    const known = new Set(processes.map((each) => each.pid));
    const hello = await primary.probe.identify(1000);
    return hello.identity?.workerPids?.find((pid) => !known.has(pid));
  } catch {
    return undefined;
  }
}
