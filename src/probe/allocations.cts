// Allocation stacks for the probe (issue 11): V8's heap object tracking with allocation
// traces. While it is on, every heap snapshot the process writes carries, per object, the
// call stack that allocated it (trace_tree, trace_function_infos, trace_node_id). It costs
// CPU per allocation, so leakcheck asks for it only when wanted.
//
// Two ways to have it. A process started with `--track-heap-objects` records from its start
// (leakcheck starts its servers so with --allocation-sites); otherwise an in-process
// node:inspector session switches it on (no debug port is opened), at about four times the
// cost: the inspector also pushes heap statistics every 50 ms or more, each after a full GC
// (HeapObjectsMap::UpdateHeapObjectsMap; measured on the bundled server: 44 ms of server CPU
// per session against 11 ms with the flag and 4 ms without tracking).
//
// Either way, old-space compaction is off while stacks are wanted. V8 moves an object's stack
// along with it only while the object has no snapshot id yet (HeapProfiler::ObjectMoveEvent:
// `if (!known_object && allocation_tracker_)`), and every snapshot (and the inspector's
// statistics) gives every live object an id. So an object that a later full GC compacted
// away lost its stack, or took the stale stack of whatever had lived at its new address: of
// 16 sampled sessions of the `disconnect` leak, 14 had none and 2 a wrong one; with
// --no-compact, 16 of 16 the right one. The young generation still moves (its objects have
// no id yet); only free space is not reclaimed by moving, which heap used does not count.

import inspector from "node:inspector";
import v8 from "node:v8";

let session: inspector.Session | undefined;
let wanted = false;

/** The flags the process was started with: its command line and NODE_OPTIONS. */
function startedWith(flag: RegExp): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((given) => flag.test(given));
}

/** Whether V8 has recorded allocation stacks since the process started. */
export function trackedFromStart(): boolean {
  return startedWith(/^--track-heap-objects$/);
}

function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** Starts recording allocation stacks (or keeps the ones recorded from the start); a second call does nothing. */
async function start(): Promise<{ tracking: boolean }> {
  if (wanted) return { tracking: true };
  v8.setFlagsFromString("--no-compact");
  wanted = true;
  if (trackedFromStart()) return { tracking: true };
  session = new inspector.Session();
  session.connect();
  try {
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startTrackingHeapObjects", { trackAllocations: true });
  } catch (error) {
    session.disconnect();
    session = undefined;
    restoreCompaction();
    throw error;
  }
  return { tracking: true };
}

/** Stops recording (the stacks recorded so far go with it); tracking from the start cannot be stopped, only compaction restored. */
async function stop(): Promise<{ tracking: boolean }> {
  if (!wanted) return { tracking: trackedFromStart() };
  try {
    if (session) {
      // stopTracking would take a snapshot of its own: reportProgress off, and the result dropped.
      await post("HeapProfiler.stopTrackingHeapObjects", { reportProgress: false });
      await post("HeapProfiler.disable");
    }
  } finally {
    session?.disconnect();
    session = undefined;
    restoreCompaction();
  }
  return { tracking: trackedFromStart() };
}

/** Compaction back on, unless the process was started without it. */
function restoreCompaction(): void {
  wanted = false;
  if (!startedWith(/^--no-?compact$/)) v8.setFlagsFromString("--compact");
}

/** The probe command for allocation tracking: `on` true starts it, false stops it. */
export function allocationTracking(on: unknown): Promise<{ tracking: boolean }> {
  return on === false ? stop() : start();
}
