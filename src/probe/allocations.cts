// Allocation stacks for the probe (issue 11): V8's heap object tracking with allocation
// traces, switched on through an in-process node:inspector session (no debug port is
// opened). While it is on, every heap snapshot the process writes carries, per object,
// the call stack that allocated it (trace_tree, trace_function_infos, trace_node_id).
// It costs CPU and memory per allocation, so leakcheck asks for it only when wanted.

import inspector from "node:inspector";

let session: inspector.Session | undefined;

function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** Starts recording allocation stacks; a second call does nothing. Resolves with whether it is on. */
async function start(): Promise<{ tracking: boolean }> {
  if (session) return { tracking: true };
  session = new inspector.Session();
  session.connect();
  try {
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startTrackingHeapObjects", { trackAllocations: true });
  } catch (error) {
    session.disconnect();
    session = undefined;
    throw error;
  }
  return { tracking: true };
}

/** Stops recording (the stacks recorded so far go with it). */
async function stop(): Promise<{ tracking: boolean }> {
  if (!session) return { tracking: false };
  try {
    // stopTracking would take a snapshot of its own: reportProgress off, and the result dropped.
    await post("HeapProfiler.stopTrackingHeapObjects", { reportProgress: false });
    await post("HeapProfiler.disable");
  } finally {
    session.disconnect();
    session = undefined;
  }
  return { tracking: false };
}

/** The probe command for allocation tracking: `on` true starts it, false stops it. */
export function allocationTracking(on: unknown): Promise<{ tracking: boolean }> {
  return on === false ? stop() : start();
}
