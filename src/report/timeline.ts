// A scenario's memory timeline as plain data for the chart: heap and buffers, the
// heap after each forced GC, and the counts (gauges, handles, clients), each series
// cut into one piece per phase so every phase's points can be found and checked.

import type { PhaseSpan, RunPhase, Sample } from "../report-schema/scenario.js";
import type { ScenarioResult } from "../report-schema/scenario.js";
import { drivenByLoadCommand } from "./load-command.js";

export interface TimelinePoint {
  x: number;
  y: number;
}

export interface TimelineSeries {
  key: string;
  label: string;
  /** Consecutive pieces, one per phase run (a piece starts where the one before it ended). */
  pieces: { phase: RunPhase | "rounds-only"; points: TimelinePoint[] }[];
}

export interface GcPoint extends TimelinePoint {
  label: string;
}

export interface Timeline {
  /** "samples": over time from the sampler; "rounds": only the heap after GC per round (older or sampler-less reports). */
  source: "samples" | "rounds";
  /** x is ms since the scenario started, or sessions run since the baseline. */
  xUnit: "ms" | "sessions";
  xMax: number;
  phases: PhaseSpan[];
  /** Heap used, in bytes (sampled: between GCs it includes garbage not yet collected). */
  heap: TimelineSeries[];
  /** Memory outside the JS heap, in bytes: RSS, external, array buffers. */
  otherMemory: TimelineSeries[];
  /** Heap used right after each forced full GC: what the leak verdict is made of. */
  gc: GcPoint[];
  /** Counts: gauges, active timers and sockets, connected clients; series with the very same points share one line and one label. */
  counts: TimelineSeries[];
  sampleCount: number;
}

/** Most points one series keeps; more are thinned to each stretch's lowest and highest, so peaks survive. */
export const MAX_POINTS_PER_SERIES = 1200;

/** The timeline of one scenario, or undefined when the report holds nothing to draw. */
export function buildTimeline(result: ScenarioResult): Timeline | undefined {
  const samples = result.samples ?? [];
  // --load: the command's clients are not leakcheck's to count, and a flat 0 line would say there were none.
  if (samples.length > 0) return fromSamples(samples, result.phases ?? [], !drivenByLoadCommand(result));
  if (result.heapPoints.length > 0) return fromHeapPoints(result);
  return undefined;
}

function fromSamples(samples: Sample[], phases: PhaseSpan[], countsClients: boolean): Timeline {
  const ordered = [...samples].sort((a, b) => a.t - b.t);
  const processes = [...new Set(ordered.flatMap((sample) => Object.keys(sample.processHeap ?? {})))];
  // Several processes: the sum, and each process's own line (a leak in one worker shows in its line alone).
  const heap = [
    series("heapUsed", processes.length > 0 ? "heap used (all processes)" : "heap used", ordered, (sample) => sample.heapUsed),
    ...processes.map((label) => series(`heapUsed:${label}`, `heap used: ${label}`, ordered, (sample) => sample.processHeap?.[label])),
  ];
  const otherMemory = [
    series("rss", "RSS", ordered, (sample) => sample.rss),
    series("external", "external", ordered, (sample) => sample.external),
    series("arrayBuffers", "array buffers", ordered, (sample) => sample.arrayBuffers),
  ];
  const gaugeNames = [...new Set(ordered.flatMap((sample) => Object.keys(sample.gauges)))];
  const counts: TimelineSeries[] = [
    ...gaugeNames.map((name) => series(`gauge:${name}`, name, ordered, (sample) => sample.gauges[name])),
    series("timers", "active timers", ordered, (sample) => sample.timers),
    series("sockets", "active sockets", ordered, (sample) => sample.sockets),
    ...(countsClients ? [series("clients", "clients connected", ordered, (sample) => sample.clients)] : []),
  ];
  const gc = ordered
    .filter((sample) => sample.gc !== undefined && sample.heapUsed !== undefined)
    .map((sample) => ({ x: sample.t, y: sample.heapUsed as number, label: sample.gc as string }));
  const xMax = Math.max(ordered.at(-1)?.t ?? 0, ...phases.map((phase) => phase.endMs), 1);
  return {
    source: "samples",
    xUnit: "ms",
    xMax,
    phases,
    heap: heap.filter(hasPoints),
    otherMemory: otherMemory.filter(hasPoints),
    gc,
    counts: mergeIdentical(counts.filter(hasPoints)),
    sampleCount: ordered.length,
  };
}

function fromHeapPoints(result: ScenarioResult): Timeline {
  const points = result.heapPoints.map((point) => ({ x: point.sessions, y: point.heapUsed }));
  return {
    source: "rounds",
    xUnit: "sessions",
    xMax: Math.max(1, ...points.map((point) => point.x)),
    phases: [],
    heap: [{ key: "heapAfterGc", label: "heap used after GC", pieces: [{ phase: "rounds-only", points }] }],
    otherMemory: [],
    gc: result.heapPoints.map((point) => ({
      x: point.sessions,
      y: point.heapUsed,
      label: point.round === 0 ? "baseline" : `round ${point.round}`,
    })),
    counts: [],
    sampleCount: points.length,
  };
}

/** One value of the samples as a series, split by phase; samples without the value are left out. */
function series(key: string, label: string, samples: Sample[], value: (sample: Sample) => number | undefined): TimelineSeries {
  const pieces: TimelineSeries["pieces"] = [];
  for (const sample of samples) {
    const y = value(sample);
    if (y === undefined || !Number.isFinite(y)) continue;
    const point = { x: sample.t, y };
    const last = pieces.at(-1);
    if (last && last.phase === sample.phase) {
      last.points.push(point);
    } else {
      // The new piece starts at the previous point, so the line has no gap at a phase boundary.
      const joint = last?.points.at(-1);
      pieces.push({ phase: sample.phase, points: joint ? [joint, point] : [point] });
    }
  }
  const total = pieces.reduce((sum, piece) => sum + piece.points.length, 0);
  if (total > MAX_POINTS_PER_SERIES) {
    for (const piece of pieces) {
      piece.points = thin(piece.points, Math.max(4, Math.round((MAX_POINTS_PER_SERIES * piece.points.length) / total)));
    }
  }
  return { key, label, pieces };
}

/**
 * Series with the same points drawn once, their labels joined ("activeSessions = socketMappings"):
 * a leak moves several gauges together, and lines on top of each other would hide all but one.
 */
function mergeIdentical(all: TimelineSeries[]): TimelineSeries[] {
  const merged: TimelineSeries[] = [];
  const byShape = new Map<string, TimelineSeries>();
  for (const one of all) {
    const shape = JSON.stringify(one.pieces);
    const same = byShape.get(shape);
    if (same) {
      same.label = `${same.label} = ${one.label}`;
    } else {
      const copy = { ...one };
      byShape.set(shape, copy);
      merged.push(copy);
    }
  }
  return merged;
}

function hasPoints(series: TimelineSeries): boolean {
  return series.pieces.some((piece) => piece.points.length > 0);
}

/** At most `max` points: the first and last, and the lowest and highest of each stretch in between. */
export function thin(points: TimelinePoint[], max: number): TimelinePoint[] {
  if (points.length <= max) return points;
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const inner = points.slice(1, -1);
  const size = inner.length / buckets;
  const kept: TimelinePoint[] = [points[0]];
  for (let bucket = 0; bucket < buckets; bucket++) {
    const stretch = inner.slice(Math.floor(bucket * size), Math.floor((bucket + 1) * size));
    if (stretch.length === 0) continue;
    let low = stretch[0];
    let high = stretch[0];
    for (const point of stretch) {
      if (point.y < low.y) low = point;
      if (point.y > high.y) high = point;
    }
    if (low === high) kept.push(low);
    else kept.push(...(low.x <= high.x ? [low, high] : [high, low]));
  }
  kept.push(points[points.length - 1]);
  return kept;
}
