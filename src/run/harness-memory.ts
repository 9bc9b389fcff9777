// leakcheck's own memory, taken after each round: a soak shows that the harness, not
// only the server, stays flat however long it runs.

import v8 from "node:v8";
import vm from "node:vm";
import type { HarnessMemoryPoint } from "../report-schema/scenario.js";

export type { HarnessMemoryPoint } from "../report-schema/scenario.js";


let collect: (() => void) | undefined;

/** A full GC of this process: --expose-gc when given, otherwise turned on now (V8 allows it at runtime). */
function harnessGc(): (() => void) | undefined {
  if (collect) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return (collect = exposed);
  try {
    v8.setFlagsFromString("--expose-gc");
    collect = vm.runInNewContext("gc") as () => void;
  } catch {
    collect = undefined;
  }
  return collect;
}

/** This process's memory now; with `gc`, after a full collection. */
export function harnessMemory(round: number, sessions: number, gc: boolean): HarnessMemoryPoint {
  const full = gc ? harnessGc() : undefined;
  full?.();
  const memory = process.memoryUsage();
  return { round, sessions, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, afterGc: full !== undefined };
}
