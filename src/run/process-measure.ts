// Measuring a server of several processes (issue 12): each process's heap, handles and CPU
// through its own probe, and the metrics gauges read from each serving process through its
// probe's side door (a shared port would answer from any worker). The whole is the sum;
// each process is kept for its own verdict.

import { parseMetrics } from "../server-under-test/metrics.js";
import type { ServerProcess } from "../probe/processes.js";
import type { ProbeMeasure } from "../probe/client.js";
import { RunError } from "../errors.js";

export interface ProcessPoint {
  /** `worker 2 (pid 4121)`. */
  label: string;
  pid: number;
  workerId?: number;
  /** Its command line, as the process itself tells it. */
  command: string;
  heapUsed?: number;
  timers?: number;
  sockets?: number;
  serverCpuMs?: number;
  rss?: number;
  /** Gauges of this process's own metrics endpoint (absent for a primary that only hands on connections). */
  gauges?: Record<string, number>;
}

export interface ProcessMeasureOptions {
  metricsPath: string;
  gauges: string[];
  timeoutMs: number;
  port: number;
  /** False when the server has no metrics endpoint: each process's gauges are its probe's alone. */
  hasMetrics: boolean;
}

/** Every process, in parallel (they are separate heaps): probe first, then its metrics, as for one process. */
export async function measureProcesses(processes: ServerProcess[], options: ProcessMeasureOptions, gc: boolean): Promise<ProcessPoint[]> {
  return Promise.all(
    processes.map(async (process) => {
      const probe: ProbeMeasure = await (gc ? process.probe.gc(options.timeoutMs) : process.probe.measure(options.timeoutMs));
      let gauges: Record<string, number> | undefined;
      if (process.serves) {
        // Socket.IO's counts and leakcheck/gauges of this process, then its own metrics endpoint (which wins a name both have).
        const read: Record<string, number> = { ...(await process.probe.gauges(options.timeoutMs)).gauges };
        if (options.hasMetrics) {
          const url = `${process.label}: GET ${options.metricsPath}`;
          const answer = await process.probe.get(options.metricsPath, options.port, options.timeoutMs);
          if (answer.status < 200 || answer.status > 299) {
            throw new RunError(`${url} answered ${answer.status}: point --metrics-path at the server's metrics endpoint`);
          }
          Object.assign(read, parseMetrics(answer.body, url).gauges);
        }
        gauges = Object.fromEntries(options.gauges.map((name) => [name, read[name] ?? 0]));
      }
      return {
        label: process.label,
        pid: process.pid,
        ...(process.workerId !== undefined ? { workerId: process.workerId } : {}),
        command: process.command,
        heapUsed: probe.memory.heapUsed,
        timers: probe.resources.Timeout ?? 0,
        sockets: probe.resources.TCPSocketWrap ?? 0,
        serverCpuMs: probe.cpu ? (probe.cpu.user + probe.cpu.system) / 1000 : undefined,
        rss: probe.memory.rss,
        ...(gauges ? { gauges } : {}),
      };
    }),
  );
}

/** The sum of the processes' figures: the server as a whole. */
export function sumProcesses(points: ProcessPoint[], gaugeNames: string[]) {
  const sum = (pick: (point: ProcessPoint) => number | undefined) => points.reduce((total, point) => total + (pick(point) ?? 0), 0);
  return {
    gauges: Object.fromEntries(gaugeNames.map((name) => [name, sum((point) => point.gauges?.[name])])),
    heapUsed: sum((point) => point.heapUsed),
    timers: sum((point) => point.timers),
    sockets: sum((point) => point.sockets),
    serverCpuMs: sum((point) => point.serverCpuMs),
    rss: sum((point) => point.rss),
  };
}
