// Taking the server's measure: gauges from the metrics endpoint, and through the probe
// heap used after a full GC and active timers and sockets.

import type { MemoryFigures } from "../report-schema/scenario.js";
import { fetchMetrics } from "../server-under-test/metrics.js";
import type { Target } from "../server-under-test/target.js";
import { measureProcesses, sumProcesses, type ProcessPoint } from "./process-measure.js";

export interface Measurement {
  at: number;
  gauges: Record<string, number>;
  /** Heap used: after a full GC when measured with gc, from the metrics' memory otherwise. */
  heapUsed?: number;
  timers?: number;
  sockets?: number;
  /** The server's CPU time so far, in ms (from the probe). */
  serverCpuMs?: number;
  /** process.memoryUsage() of the server (probe), or the metrics endpoint's memory. */
  memory?: MemoryFigures;
  /** A server of several processes: each one's own figures (the fields above are their sum). */
  processes?: ProcessPoint[];
}


export interface MeasureOptions {
  metricsPath: string;
  gauges: string[];
  timeoutMs: number;
}

/** One measurement; with `gc`, a full GC first (needs the probe). */
export async function measure(target: Target, options: MeasureOptions, gc: boolean): Promise<Measurement> {
  if (target.processes && target.processes.length > 1) {
    const processes = await measureProcesses(target.processes, { ...options, port: target.port, hasMetrics: target.hasMetrics }, gc);
    const total = sumProcesses(processes, options.gauges);
    return {
      at: Date.now(),
      gauges: total.gauges,
      heapUsed: total.heapUsed,
      timers: total.timers,
      sockets: total.sockets,
      serverCpuMs: total.serverCpuMs,
      memory: { rss: total.rss, heapUsed: total.heapUsed },
      processes,
    };
  }
  // The probe first: the metrics request's own connection must not be counted as a socket.
  const probe = target.probe ? await (gc ? target.probe.gc(options.timeoutMs) : target.probe.measure(options.timeoutMs)) : undefined;
  const metrics = await fetchMetrics(target, options.metricsPath, options.timeoutMs);
  const gauges: Record<string, number> = {};
  for (const name of options.gauges) gauges[name] = metrics.gauges[name] ?? 0;
  return {
    at: Date.now(),
    gauges,
    heapUsed: probe?.memory.heapUsed ?? metrics.memory?.heapUsed,
    timers: probe ? probe.resources.Timeout ?? 0 : undefined,
    sockets: probe ? probe.resources.TCPSocketWrap ?? 0 : undefined,
    serverCpuMs: probe?.cpu ? (probe.cpu.user + probe.cpu.system) / 1000 : undefined,
    memory: probe ? pickMemory(probe.memory) : metrics.memory ? pickMemory(metrics.memory) : undefined,
  };
}

function pickMemory(memory: Partial<Record<keyof MemoryFigures, unknown>>): MemoryFigures {
  const figures: MemoryFigures = {};
  for (const key of ["rss", "heapTotal", "heapUsed", "external", "arrayBuffers"] as const) {
    const value = memory[key];
    if (typeof value === "number" && Number.isFinite(value)) figures[key] = value;
  }
  return figures;
}

export interface SettleOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Stop early once nothing has changed for this long. */
  quietMs: number;
  intervalMs: number;
  signal: AbortSignal;
  /** Sees every measurement settling takes (the sampler records them). */
  onMeasure?: (measurement: Measurement) => void;
}

export interface SettleResult {
  tookMs: number;
  /** True when every gauge and handle count came back to the baseline. */
  atBaseline: boolean;
  last: Measurement;
}

/**
 * Polls until every gauge and handle count is back at the baseline, or nothing has
 * changed for `quietMs` (a leak holds still), or `timeoutMs` passes.
 */
export async function settle(
  target: Target,
  baseline: Measurement,
  options: MeasureOptions,
  settleOptions: SettleOptions,
): Promise<SettleResult> {
  const started = Date.now();
  let lastKey = "";
  let lastChange = started;
  for (;;) {
    settleOptions.signal.throwIfAborted();
    const now = await measure(target, options, false);
    settleOptions.onMeasure?.(now);
    if (atBaseline(now, baseline)) return { tookMs: Date.now() - started, atBaseline: true, last: now };
    const key = JSON.stringify([now.gauges, now.timers, now.sockets]);
    if (key !== lastKey) {
      lastKey = key;
      lastChange = Date.now();
    }
    const elapsed = Date.now() - started;
    if (Date.now() - lastChange >= settleOptions.quietMs || elapsed >= settleOptions.timeoutMs) {
      return { tookMs: elapsed, atBaseline: false, last: now };
    }
    await new Promise((resolve) => setTimeout(resolve, settleOptions.intervalMs));
  }
}

function atBaseline(now: Measurement, baseline: Measurement): boolean {
  for (const [name, value] of Object.entries(now.gauges)) if (value > (baseline.gauges[name] ?? 0)) return false;
  if (now.timers !== undefined && baseline.timers !== undefined && now.timers > baseline.timers) return false;
  if (now.sockets !== undefined && baseline.sockets !== undefined && now.sockets > baseline.sockets) return false;
  return true;
}
