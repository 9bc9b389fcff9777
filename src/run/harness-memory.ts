// leakcheck's own memory, taken after each round: a soak shows that the harness, not
// only the server, stays flat however long it runs.

import v8 from "node:v8";
import vm from "node:vm";
import { formatDuration } from "../duration.js";
import { formatBytes } from "../format.js";
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

/** What a soak shows of leakcheck itself: its heap after GC and RSS from the first round to the last. */
export function soakNote(points: HarnessMemoryPoint[], ms: number): string {
  const first = points[0];
  const last = points.at(-1)!;
  const peakRss = points.reduce((peak, point) => Math.max(peak, point.rssBytes), 0);
  return (
    `soak: ${last.round} rounds, ${last.sessions.toLocaleString("en-US")} sessions in ${formatDuration(ms)}; ` +
    `leakcheck's own heap after GC ${formatBytes(first.heapUsedBytes)} → ${formatBytes(last.heapUsedBytes)}, ` +
    `RSS ${formatBytes(first.rssBytes)} → ${formatBytes(last.rssBytes)} (peak ${formatBytes(peakRss)})`
  );
}
