// The judge: measurements + budget → pass/fail with one sentence per failed check.
// A leak is a verdict, not an exception.

import { formatBytes, formatSigned } from "../format.js";
import type { SurvivorGroup } from "../heap/model.js";
import type { HeapPoint } from "../report-schema/scenario.js";
import type { CheckResult, HeapResult, ScenarioVerdict, Verdict } from "../report-schema/verdict.js";
import { DEFAULT_BUDGET, gaugeBudget, type Budget } from "./budget.js";
import { callTrend, heapTrend, leastSquares, trendText, type HeapReading, type TrendCall } from "./heap-trend.js";

export type { CheckResult, HeapResult, ScenarioVerdict, Verdict } from "../report-schema/verdict.js";
export type { HeapPoint } from "../report-schema/scenario.js";

export interface Reading {
  baseline: number;
  final: number;
}

export interface Measurements {
  name: string;
  sessionLabel: string;
  sessions: number;
  gauges: Record<string, Reading>;
  /** Undefined when the probe could not be reached (a server attached with --url). */
  handles?: { timers: Reading; sockets: Reading };
  heap?: { points: HeapPoint[]; baseline: number; final: number; /** Several GC readings per round (issue 11). */ readings?: HeapReading[] };
  /** Survivor groups from a snapshot series (baseline, each round, final), when taken. */
  survivors?: SurvivorGroup[];
  /** Survivor groups from a baseline/final pair (--snapshots on-fail): they explain a failure, they never decide one. */
  largestSurvivors?: SurvivorGroup[];
  failedSessions: number;
  failureSummary: { message: string; count: number }[];
}

/** Judges one scenario's measurements against its budget. */
export function judge(measurements: Measurements, budget: Budget): ScenarioVerdict {
  const reasons: string[] = [];
  const after = `after ${measurements.sessions.toLocaleString("en-US")} ${measurements.sessionLabel}`;

  const gauges = Object.entries(measurements.gauges).map(([name, reading]) =>
    check(name, reading, gaugeBudget(budget, name)),
  );
  for (const gauge of gauges) {
    if (!gauge.pass) reasons.push(`${gauge.name}: ${gauge.residual.toLocaleString("en-US")} entries left ${after} (budget ${gauge.budget})`);
  }

  let handles: CheckResult[] | null = null;
  if (measurements.handles) {
    handles = [
      check("active timers", measurements.handles.timers, budget.handles.timers),
      check("active sockets", measurements.handles.sockets, budget.handles.sockets),
    ];
    for (const handle of handles) {
      if (!handle.pass) reasons.push(`${handle.name}: ${handle.residual.toLocaleString("en-US")} more than at the baseline ${after} (budget ${handle.budget})`);
    }
  }

  let heap: HeapResult | null = null;
  if (measurements.heap) {
    const perSessionBytes = Math.round(growthPerSession(measurements.heap.points));
    const growthBytes = measurements.heap.final - measurements.heap.baseline;
    const floor = budget.heap.minGrowthBytes;
    // With three rounds or more (baseline included): the slope's 95 % interval (issue 11).
    const trend = heapTrend(measurements.heap.readings ?? measurements.heap.points);
    const call = trend ? callTrend(trend, budget.heap.perSessionBytes) : undefined;
    // Growth in all under the floor never fails the heap on its own: a short run cannot tell a
    // leak from a structure still filling (see overButSmall). Small leaks are the survivors'
    // to find, by count; the adaptive rounds run on until the growth passes the floor.
    const quiet = underNoiseFloor(growthBytes, floor);
    // Without an interval (one round: two points): a slope that keeps pace with sessions.
    const overSlope = perSessionBytes > budget.heap.perSessionBytes;
    // With one: over when all of it is above the budget and the later rounds keep the pace;
    // when it straddles the budget (after any extra rounds), by the later rounds' pace.
    const over = trend ? call === "over" || (call === "unsure" && trend.laterPerSessionBytes > budget.heap.perSessionBytes) : overSlope;
    heap = {
      baselineBytes: measurements.heap.baseline,
      finalBytes: measurements.heap.final,
      growthBytes,
      perSessionBytes: trend ? Math.round(trend.perSessionBytes) : perSessionBytes,
      budgetBytes: budget.heap.perSessionBytes,
      pass: !over || quiet,
      ...(trend && call
        ? {
            trend: {
              perSessionBytes: Math.round(trend.perSessionBytes),
              marginBytes: Math.round(trend.marginBytes),
              confidence: trend.confidence,
              rounds: trend.rounds,
              readings: trend.readings,
              call,
              text: trendText(trend),
            },
          }
        : {}),
      // Over the budget per session and still ok: the row must say why (issue 13).
      ...(over && quiet ? { note: quietNote(call, floor) } : {}),
      noiseFloorBytes: floor,
    };
    if (!heap.pass) {
      const figure = heap.trend ? heap.trend.text : `${formatBytes(perSessionBytes)} per session`;
      reasons.push(`heap: grows ${figure} (${formatBytes(heap.growthBytes)} in all) ${after}, budget ${formatBytes(heap.budgetBytes)} per session`);
    }
  }
  if (measurements.survivors) {
    const leaking = measurements.survivors.filter((group) => group.leak);
    if (heap) heap.survivors = { leakingGroups: leaking.length, budgetPerThousandSessions: budget.survivors.perThousandSessions, pass: leaking.length === 0 };
    for (const sentence of holderSentences(leaking).slice(0, 3)) reasons.push(sentence);
  }

  const leaked = reasons.length > 0;
  const clues: string[] = [];
  // A failure found by the gauges or handles: say which growing objects hold it, even
  // when they are too small per session to fail the heap check on their own.
  if (leaked && measurements.survivors && !measurements.survivors.some((group) => group.leak)) {
    const growing = measurements.survivors.filter((group) => group.trend === "grows" && group.count >= budget.survivors.minCount);
    for (const sentence of holderSentences(growing).slice(0, 3)) clues.push(`growing: ${sentence}`);
  }
  const failedRatio = measurements.sessions > 0 ? measurements.failedSessions / measurements.sessions : 0;
  let verdict: Verdict = leaked ? "fail" : "pass";
  if (failedRatio > budget.maxFailedSessionRatio) {
    const top = measurements.failureSummary[0];
    reasons.push(
      `${measurements.failedSessions.toLocaleString("en-US")} of ${measurements.sessions.toLocaleString("en-US")} sessions failed` +
        `${top ? ` (most often: ${top.message})` : ""}: the scenario did not run as written, so its figures cannot be trusted`,
    );
    if (!leaked) verdict = "error";
  }
  // A baseline/final pair only explains: the largest survivors of a scenario already failed.
  const largest = measurements.largestSurvivors?.[0];
  if (leaked && largest) clues.push(`largest survivors: ${survivorSentence(largest)}`);
  return { verdict, gauges, handles, heap, reasons, ...(clues.length > 0 ? { clues } : {}) };
}

/** The overall verdict: error if any scenario erred (or the run stopped), else fail if any failed, else pass. */
export function overallVerdict(scenarios: { verdict: Verdict }[], error: boolean): Verdict {
  if (error || scenarios.some((scenario) => scenario.verdict === "error")) return "error";
  if (scenarios.some((scenario) => scenario.verdict === "fail")) return "fail";
  return "pass";
}

/** Heap growth in all at or under `floorBytes` is V8's own noise after GC: never a heap leak nor a heap regression. */
export function underNoiseFloor(growthBytes: number, floorBytes: number = DEFAULT_BUDGET.heap.minGrowthBytes): boolean {
  return growthBytes <= floorBytes;
}

/** Why a heap row over its budget per session is ok: its growth in all is under the floor. */
function quietNote(call: TrendCall | undefined, floorBytes: number): string {
  if (call === "unsure") return `the interval straddles the budget; ${noiseFloorNote(floorBytes)}`;
  if (call === "over") return `over the budget per session, but ${noiseFloorNote(floorBytes)} in all: too little growth to tell a leak from a structure still filling`;
  return noiseFloorNote(floorBytes);
}

/** What an ok heap row over its per-session budget says: `under the 1.0 MB noise floor`. */
export function noiseFloorNote(floorBytes: number): string {
  return `under the ${formatBytes(floorBytes)} noise floor`;
}

/** `12,480 Session objects survive (+1,000 per 1,000 sessions), held by activeSessions (Map) → value → Session`. */
export function survivorSentence(group: SurvivorGroup): string {
  const sessions = group.sessions?.at(-1);
  if (group.growth) {
    // Counted net of turnover (issue 11): the count is the point, whatever the bytes.
    const kept = sessions ? `, ${formatBytes(group.retainedSize / sessions)} kept alive per session` : "";
    return `${group.count.toLocaleString("en-US")} ${group.name} objects survive (${group.growth.reason}${kept}), held by ${group.pathText}${group.allocatedAt ? `, ${group.allocatedAt}` : ""}`;
  }
  const figures = [
    ...(group.perThousandSessions === null ? [] : [`${formatSigned(group.perThousandSessions)} per 1,000 sessions`]),
    ...(sessions ? [`${formatBytes(group.retainedSize / sessions)} kept alive per session`] : []),
  ];
  const growth = figures.length > 0 ? ` (${figures.join(", ")})` : "";
  return `${group.count.toLocaleString("en-US")} ${group.name} objects survive${growth}, held by ${group.pathText}`;
}

/**
 * One sentence per holder: groups held in the same place (a Map's keys and its values, the
 * Timeouts a timer list links both ways) are one leak, not two, in a reason or a clue. A new
 * user read a Map's string keys as a second leak.
 */
function holderSentences(groups: SurvivorGroup[]): string[] {
  const byHolder = new Map<string, SurvivorGroup[]>();
  for (const group of groups) {
    const steps = group.pathText.split(" → ");
    const holder = steps.length > 1 ? steps.slice(0, -1).join(" → ") : group.pathText;
    byHolder.set(holder, [...(byHolder.get(holder) ?? []), group]);
  }
  return [...byHolder.values()].map(([first, ...rest]) =>
    rest.length === 0 ? survivorSentence(first) : `${survivorSentence(first)}; with them ${rest.map((group) => `${group.count.toLocaleString("en-US")} ${group.name}`).join(", ")} in the same holder`,
  );
}

function check(name: string, reading: Reading, budget: number): CheckResult {
  const residual = reading.final - reading.baseline;
  return { name, baseline: reading.baseline, final: reading.final, residual, budget, pass: residual <= budget };
}

/**
 * Bytes of heap per session from the least-squares slope over the later half of the
 * rounds (at least three points): memory that grows with every session keeps its
 * slope to the end, memory that fills a bounded structure and plateaus loses it.
 */
export function growthPerSession(points: HeapPoint[]): number {
  if (points.length < 2) return 0;
  const tail = points.slice(Math.max(0, Math.min(points.length - 3, Math.floor(points.length / 2))));
  return leastSquares(tail.map((point) => ({ x: point.sessions, y: point.heapUsed }))).slope;
}
