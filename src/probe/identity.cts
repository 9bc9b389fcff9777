// Who a probed process is (issue 12): with `--server CMD` every Node process of the tree
// carries the probe (npm, sh's node, a cluster primary and its workers), and leakcheck
// judges each one, so each must say which it is.

import cluster from "node:cluster";

export interface ProbeIdentity {
  pid: number;
  ppid: number;
  /** node:cluster: "worker" (with its id), "primary" once it has forked one, "none" otherwise. */
  cluster: "worker" | "primary" | "none";
  /** cluster.worker.id, the number `worker N` names. */
  workerId?: number;
  /** A primary's live workers' pids: leakcheck waits for each to be found. */
  workerPids?: number[];
  /** The command line, at most 300 characters. */
  command: string;
}

/** This process's identity, read when asked (a primary forks its workers after the probe loads). */
export function identity(): ProbeIdentity {
  const worker = cluster.isWorker ? cluster.worker : undefined;
  const forked = cluster.isPrimary && Object.keys(cluster.workers ?? {}).length > 0;
  return {
    pid: process.pid,
    ppid: process.ppid,
    cluster: worker ? "worker" : forked ? "primary" : "none",
    ...(worker ? { workerId: worker.id } : {}),
    ...(forked
      ? {
          workerPids: Object.values(cluster.workers ?? {})
            .filter((each) => each && !each.isDead())
            .map((each) => each!.process.pid)
            .filter((pid): pid is number => pid !== undefined),
        }
      : {}),
    command: [process.argv0, ...process.execArgv, ...process.argv.slice(1)].join(" ").slice(0, 300),
  };
}
