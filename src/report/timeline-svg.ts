// The memory timeline drawn as static inline SVG: no script, no network, so report.html
// shows it when opened from disk, in a mail attachment or a CI artifact viewer.
// Panels share the time axis: heap used on top (GC points as dots), counts (gauges,
// handles, clients) below, then RSS and buffers; phases are bands across them all.

import { escapeHtml } from "./escape-html.js";
import type { GcPoint, Timeline, TimelinePoint, TimelineSeries } from "./timeline.js";

const WIDTH = 1000;
const LEFT = 76;
const RIGHT = 16;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const LABEL_ROWS = [12, 24, 36];
const PLOT_TOP = 44;
const PANEL_GAP = 26;
const AXIS_SPACE = 42;
const MIB = 1024 * 1024;

/** Colours of the memory series; the counts take theirs in order from COUNT_COLORS. */
export const MEMORY_COLORS: Record<string, string> = {
  heapUsed: "#2563eb",
  heapAfterGc: "#1e3a8a",
  rss: "#64748b",
  external: "#0d9488",
  arrayBuffers: "#a855f7",
};
const COUNT_COLORS = ["#dc2626", "#ea580c", "#ca8a04", "#16a34a", "#0891b2", "#7c3aed", "#db2777", "#475569", "#65a30d", "#0284c7"];
export const GC_COLOR = "#111827";

/** Phases that get a band but no label: the run's own housekeeping, not what the scenario does. */
const UNLABELLED_PHASES = new Set(["start", "heap-diff", "stop"]);

const PHASE_FILLS: Record<string, string> = {
  start: "#f3f4f6",
  "warm-up": "#fef3c7",
  baseline: "#dbeafe",
  rounds: "#ecfdf5",
  settle: "#fae8ff",
  final: "#dbeafe",
  "heap-diff": "#f3f4f6",
  stop: "#f3f4f6",
};

interface Axis {
  min: number;
  max: number;
  ticks: { value: number; label: string }[];
}

interface Panel {
  name: string;
  title: string;
  height: number;
  series: TimelineSeries[];
  axis: Axis;
  gc: GcPoint[];
}

/** The colour of each series, by key: fixed for memory, assigned in order for counts. */
export function seriesColors(timeline: Timeline): Map<string, string> {
  const colors = new Map<string, string>();
  for (const series of [...timeline.heap, ...timeline.otherMemory]) colors.set(series.key, MEMORY_COLORS[series.key] ?? "#64748b");
  timeline.counts.forEach((series, index) => colors.set(series.key, COUNT_COLORS[index % COUNT_COLORS.length]));
  return colors;
}

/** True when the heap panel's axis starts above 0 (the caption says so). */
export function heapAxisIsZoomed(timeline: Timeline): boolean {
  return heapAxis(timeline).min > 0;
}

/** The chart as an <svg> element; `title` names it for screen readers. */
export function renderTimelineSvg(timeline: Timeline, title: string): string {
  const colors = seriesColors(timeline);
  const panels: Panel[] = [{ name: "heap", title: "heap used", height: 220, series: timeline.heap, axis: heapAxis(timeline), gc: timeline.gc }];
  if (timeline.counts.length) {
    panels.push({ name: "counts", title: "count", height: 150, series: timeline.counts, axis: countAxis(timeline.counts.flatMap(allY)), gc: [] });
  }
  if (timeline.otherMemory.length) {
    const values = timeline.otherMemory.flatMap(allY);
    panels.push({ name: "other-memory", title: "RSS, buffers", height: 90, series: timeline.otherMemory, axis: byteAxis(0, Math.max(1, ...values)), gc: [] });
  }
  const tops: number[] = [];
  let bottom = PLOT_TOP;
  for (const panel of panels) {
    tops.push(bottom === PLOT_TOP ? PLOT_TOP : bottom + PANEL_GAP);
    bottom = tops.at(-1)! + panel.height;
  }
  const height = bottom + AXIS_SPACE;
  const x = (value: number) => LEFT + (value / timeline.xMax) * PLOT_WIDTH;

  const parts: string[] = [];
  parts.push(
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" ` +
      `data-source="${timeline.source}" data-samples="${timeline.sampleCount}" font-family="system-ui, sans-serif" font-size="11">`,
    `<title>${escapeHtml(title)}</title>`,
  );
  parts.push(phaseBands(timeline, x, bottom));
  panels.forEach((panel, index) => {
    const top = tops[index];
    const y = (value: number) => top + panel.height - ((value - panel.axis.min) / (panel.axis.max - panel.axis.min)) * panel.height;
    parts.push(`<g class="panel" data-panel="${panel.name}">`);
    parts.push(axis(panel.axis, y, panel.title, top, panel.height));
    panel.series.forEach((series, order) => {
      parts.push(polylines(series, colors.get(series.key) ?? "#64748b", x, y, series.key === "heapUsed" ? 1.6 : Math.max(1.2, 2.4 - order * 0.2)));
    });
    parts.push(gcPoints(panel.gc, x, y));
    parts.push("</g>");
  });
  parts.push(xAxis(timeline, x, bottom));
  parts.push("</svg>");
  return parts.join("\n");
}

function allY(series: TimelineSeries): number[] {
  return series.pieces.flatMap((piece) => piece.points.map((point) => point.y));
}

/**
 * The heap axis spans what the heap did, not 0 to the top: a leak of a few hundred KB on
 * an 8 MB heap must show as a climb. It still spans at least a quarter of the highest
 * value (and 2 MB), so V8's ordinary wobble stays a flat line.
 */
function heapAxis(timeline: Timeline): Axis {
  const values = [...timeline.heap.flatMap(allY), ...timeline.gc.map((point) => point.y)];
  if (values.length === 0) return byteAxis(0, 1);
  const high = Math.max(...values);
  const low = Math.max(0, Math.min(Math.min(...values), high - Math.max(2 * MIB, high / 4)));
  return byteAxis(low, high);
}

/** MB ticks on round numbers around [low, high]. */
function byteAxis(low: number, high: number): Axis {
  const pad = (high - low) * 0.06;
  const step = niceStep((high - low + 2 * pad) / MIB / 5) * MIB;
  const min = Math.max(0, Math.floor((low - pad) / step) * step);
  const max = Math.max(min + step, Math.ceil((high + pad) / step) * step);
  const ticks: Axis["ticks"] = [];
  for (let value = min; value <= max + step / 2; value += step) ticks.push({ value, label: `${trimNumber(value / MIB)} MB` });
  return { min, max, ticks };
}

/** Whole-number ticks from 0 to a round number at or above the highest value. */
function countAxis(values: number[]): Axis {
  const high = Math.max(1, ...values);
  const step = Math.max(1, niceStep(high / 4));
  const count = Math.max(1, Math.ceil(high / step));
  const ticks = Array.from({ length: count + 1 }, (_, index) => ({ value: index * step, label: (index * step).toLocaleString("en-US") }));
  return { min: 0, max: count * step, ticks };
}

/** A band per phase across every panel, its name above: labels that would collide move to another row. */
function phaseBands(timeline: Timeline, x: (value: number) => number, plotBottom: number): string {
  const parts: string[] = [];
  const rowEnds = LABEL_ROWS.map(() => -Infinity);
  for (const phase of timeline.phases) {
    const left = x(phase.startMs);
    // A phase of a few ms (baseline, final) still gets a visible band.
    const width = Math.max(2, x(phase.endMs) - left);
    const label = UNLABELLED_PHASES.has(phase.phase) ? "" : phase.phase;
    const labelWidth = label ? label.length * 6.2 + 6 : 0;
    // Near the right edge a label ends at its line instead of starting there.
    const atEnd = left + labelWidth > WIDTH - RIGHT;
    const labelLeft = atEnd ? left - labelWidth : left;
    let row = label ? rowEnds.findIndex((end) => end <= labelLeft) : LABEL_ROWS.length - 1;
    if (row === -1) row = rowEnds.indexOf(Math.min(...rowEnds));
    if (label) rowEnds[row] = labelLeft + labelWidth;
    parts.push(
      `<g class="phase" data-phase="${escapeHtml(phase.phase)}" data-start-ms="${Math.round(phase.startMs)}" data-end-ms="${Math.round(phase.endMs)}">` +
        `<title>${escapeHtml(`${phase.phase}${phase.detail ? `: ${phase.detail}` : ""} (${Math.round(phase.startMs)}–${Math.round(phase.endMs)} ms)`)}</title>` +
        `<rect x="${fixed(left)}" y="${PLOT_TOP}" width="${fixed(width)}" height="${plotBottom - PLOT_TOP}" fill="${PHASE_FILLS[phase.phase] ?? "#f3f4f6"}"/>` +
        `<line x1="${fixed(left)}" x2="${fixed(left)}" y1="${label ? LABEL_ROWS[row] + 3 : PLOT_TOP}" y2="${plotBottom}" stroke="#9ca3af" stroke-width="0.8" stroke-dasharray="3 3"/>` +
        (label
          ? `<text x="${fixed(atEnd ? left - 3 : left + 3)}" y="${LABEL_ROWS[row]}" text-anchor="${atEnd ? "end" : "start"}" fill="#374151">${escapeHtml(label)}</text>`
          : "") +
        `</g>`,
    );
  }
  return parts.join("\n");
}

/** One polyline per phase piece of the series. */
function polylines(series: TimelineSeries, color: string, x: (value: number) => number, y: (value: number) => number, strokeWidth: number): string {
  return series.pieces
    .filter((piece) => piece.points.length > 0)
    .map(
      (piece) =>
        `<polyline class="series" data-series="${escapeHtml(series.key)}" data-phase="${escapeHtml(piece.phase)}" fill="none" stroke="${color}" ` +
        `stroke-width="${strokeWidth}" stroke-linejoin="round" points="${pointList(piece.points, x, y)}"><title>${escapeHtml(series.label)}</title></polyline>`,
    )
    .join("\n");
}

/** Heap used after each forced GC: dots joined by a dashed line, the staircase a leak climbs. */
function gcPoints(points: GcPoint[], x: (value: number) => number, y: (value: number) => number): string {
  if (points.length === 0) return "";
  const parts = [`<polyline class="gc-line" fill="none" stroke="${GC_COLOR}" stroke-width="1.2" stroke-dasharray="5 3" points="${pointList(points, x, y)}"/>`];
  for (const point of points) {
    parts.push(
      `<circle class="gc-point" data-label="${escapeHtml(point.label)}" cx="${fixed(x(point.x))}" cy="${fixed(y(point.y))}" r="4" fill="${GC_COLOR}" stroke="#fff" stroke-width="1.2">` +
        `<title>${escapeHtml(`${point.label}: heap used after GC ${(point.y / MIB).toFixed(2)} MB`)}</title></circle>`,
    );
  }
  return parts.join("\n");
}

function axis(axis: Axis, y: (value: number) => number, title: string, top: number, height: number): string {
  const parts = ['<g class="axis">'];
  for (const tick of axis.ticks) {
    const at = fixed(y(tick.value));
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${at}" y2="${at}" stroke="#e5e7eb" stroke-width="0.8"/>` +
        `<text x="${LEFT - 6}" y="${at}" dy="3.5" text-anchor="end" fill="#4b5563">${escapeHtml(tick.label)}</text>`,
    );
  }
  parts.push(
    `<rect x="${LEFT}" y="${top}" width="${PLOT_WIDTH}" height="${height}" fill="none" stroke="#9ca3af" stroke-width="0.8"/>`,
    `<text transform="translate(14 ${top + height / 2}) rotate(-90)" text-anchor="middle" fill="#374151">${escapeHtml(title)}</text>`,
    "</g>",
  );
  return parts.join("\n");
}

function xAxis(timeline: Timeline, x: (value: number) => number, plotBottom: number): string {
  const inSeconds = timeline.xUnit === "ms";
  const span = inSeconds ? timeline.xMax / 1000 : timeline.xMax;
  const step = niceStep(span / 8);
  const parts = ['<g class="axis" data-axis="x">'];
  for (let value = 0; value <= span + step / 1000; value += step) {
    const at = fixed(x(inSeconds ? value * 1000 : value));
    const label = inSeconds ? `${trimNumber(value)} s` : Math.round(value).toLocaleString("en-US");
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${plotBottom}" y2="${plotBottom + 4}" stroke="#6b7280"/>` +
        `<text x="${at}" y="${plotBottom + 16}" text-anchor="middle" fill="#4b5563">${label}</text>`,
    );
  }
  const title = inSeconds ? "time since the scenario started" : "sessions since the baseline (heap after GC per round; no timeline samples in this report)";
  parts.push(`<text x="${LEFT + PLOT_WIDTH / 2}" y="${plotBottom + 34}" text-anchor="middle" fill="#374151">${escapeHtml(title)}</text>`, "</g>");
  return parts.join("\n");
}

function pointList(points: TimelinePoint[], x: (value: number) => number, y: (value: number) => number): string {
  return points.map((point) => `${fixed(x(point.x))},${fixed(y(point.y))}`).join(" ");
}

/** 1, 2 or 5 times a power of ten, at least `rough`. */
function niceStep(rough: number): number {
  if (!(rough > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= rough) return factor * power;
  return 10 * power;
}

function trimNumber(value: number): string {
  return String(Number(value.toFixed(3)));
}

function fixed(value: number): string {
  return value.toFixed(1);
}
