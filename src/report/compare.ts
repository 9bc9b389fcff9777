// Two runs side by side (A: the reference, say main; B: the candidate, say a branch):
// per scenario the verdicts, heap growth per session, what each gauge and handle left
// behind, and the constructors that grew most; a regression is something B leaks that
// A did not. Pure: reports in, a Comparison out; the renderers and the CLI do the rest.

import { formatBytes, formatSigned } from "../format.js";
import { underNoiseFloor, type Verdict } from "../verdict/judge.js";
import type { ComparableScenario, LoadedRun } from "./read-report.js";

/** --max-regression's default: B may grow this many more heap bytes per session than A. */
export const DEFAULT_MAX_REGRESSION_BYTES = 1024;
const TOP_CONSTRUCTORS = 5;

export interface CheckComparison {
  name: string;
  /** Left over after settling (final − baseline); undefined when the run has no such check. */
  residualA?: number;
  residualB?: number;
  budget: number;
  regression: boolean;
}

export interface ConstructorComparison {
  name: string;
  /** Heap bytes this constructor grew by per session, baseline → final snapshot. */
  perSessionA?: number;
  perSessionB?: number;
}

export interface ScenarioComparison {
  name: string;
  verdictA?: Verdict;
  verdictB?: Verdict;
  sessionsA?: number;
  sessionsB?: number;
  heapPerSessionA?: number;
  heapPerSessionB?: number;
  heapGrowthB?: number;
  checks: CheckComparison[];
  constructors: ConstructorComparison[];
  /** One sentence per regression; empty when B is no worse than A. */
  regressions: string[];
  /** Why this scenario could not be compared fully (ran in only one of the two, say). */
  notes: string[];
}

export interface Comparison {
  a: RunSummary;
  b: RunSummary;
  maxRegressionBytes: number;
  regression: boolean;
  scenarios: ScenarioComparison[];
  notes: string[];
}

export interface RunSummary {
  given: string;
  verdict: Verdict;
  partial: boolean;
  startedAt?: string;
  leakcheck?: string;
}

/** Compares run B against run A. */
export function compareRuns(a: LoadedRun, b: LoadedRun, maxRegressionBytes = DEFAULT_MAX_REGRESSION_BYTES): Comparison {
  const names = [...new Set([...a.report.scenarios.map((s) => s.name), ...b.report.scenarios.map((s) => s.name)])];
  const scenarios = names.map((name) =>
    compareScenario(
      name,
      a.report.scenarios.find((s) => s.name === name),
      b.report.scenarios.find((s) => s.name === name),
      maxRegressionBytes,
    ),
  );
  const notes: string[] = [];
  if (a.report.partial) notes.push(`A is a partial run: only its finished scenarios are compared`);
  if (b.report.partial) notes.push(`B is a partial run: only its finished scenarios are compared`);
  return {
    a: summary(a),
    b: summary(b),
    maxRegressionBytes,
    regression: scenarios.some((scenario) => scenario.regressions.length > 0),
    scenarios,
    notes,
  };
}

function summary(run: LoadedRun): RunSummary {
  return {
    given: run.given,
    verdict: run.report.verdict,
    partial: run.report.partial ?? false,
    startedAt: run.report.startedAt,
    leakcheck: run.report.versions?.leakcheck,
  };
}

function compareScenario(name: string, a: ComparableScenario | undefined, b: ComparableScenario | undefined, maxRegressionBytes: number): ScenarioComparison {
  const result: ScenarioComparison = {
    name,
    verdictA: a?.verdict,
    verdictB: b?.verdict,
    sessionsA: a?.sessions,
    sessionsB: b?.sessions,
    heapPerSessionA: a?.heap?.perSessionBytes,
    heapPerSessionB: b?.heap?.perSessionBytes,
    heapGrowthB: b?.heap?.growthBytes,
    checks: [],
    constructors: [],
    regressions: [],
    notes: [],
  };
  if (!a || !b) {
    result.notes.push(a ? "not in B: it did not run there, so it cannot regress" : "not in A: nothing to compare it with");
    return result;
  }

  if (a.verdict === "pass" && b.verdict !== "pass") {
    result.regressions.push(`verdict: passes on A, ${b.verdict === "fail" ? "leaks" : "cannot be judged"} on B${b.reasons?.[0] ? ` (${b.reasons[0]})` : ""}`);
  }

  // Residuals per session, so runs of different sizes compare: the same leak leaves the same share.
  const checksA = new Map([...a.gauges, ...(a.handles ?? [])].map((check) => [check.name, check]));
  for (const checkB of [...b.gauges, ...(b.handles ?? [])]) {
    const checkA = checksA.get(checkB.name);
    const perSessionA = checkA ? checkA.residual / Math.max(1, a.sessions) : 0;
    const perSessionB = checkB.residual / Math.max(1, b.sessions);
    const regression = !checkB.pass && perSessionB > perSessionA;
    result.checks.push({ name: checkB.name, residualA: checkA?.residual, residualB: checkB.residual, budget: checkB.budget, regression });
    if (regression) {
      result.regressions.push(
        `${checkB.name}: ${formatSigned(checkB.residual)} left after ${b.sessions.toLocaleString("en-US")} sessions on B, ` +
          `${checkA ? `${formatSigned(checkA.residual)} after ${a.sessions.toLocaleString("en-US")} on A` : "not measured on A"} (budget ${checkB.budget})`,
      );
    }
  }
  for (const checkA of checksA.values()) {
    if (!result.checks.some((check) => check.name === checkA.name)) {
      result.checks.push({ name: checkA.name, residualA: checkA.residual, budget: checkA.budget, regression: false });
    }
  }

  if (a.heap && b.heap) {
    const increase = b.heap.perSessionBytes - a.heap.perSessionBytes;
    // The judge's noise floor, the one B was judged with (older reports: the default budget's).
    if (increase > maxRegressionBytes && !underNoiseFloor(b.heap.growthBytes, b.heap.noiseFloorBytes)) {
      result.regressions.push(
        `heap: grows ${formatBytes(b.heap.perSessionBytes)} per session on B, ${formatBytes(a.heap.perSessionBytes)} on A ` +
          `(+${formatBytes(increase)}, allowed +${formatBytes(maxRegressionBytes)}; ${formatBytes(b.heap.growthBytes)} in all on B)`,
      );
    }
  } else if (a.heap || b.heap) {
    result.notes.push(`heap after GC measured on ${a.heap ? "A" : "B"} only: no heap comparison`);
  }

  result.constructors = topConstructors(a, b);
  return result;
}

/** B's fastest-growing constructors per session (from the heap diff), beside the same constructors on A. */
function topConstructors(a: ComparableScenario, b: ComparableScenario): ConstructorComparison[] {
  if (!b.heapDiff) return [];
  const perSession = (scenario: ComparableScenario, name: string) => {
    const row = scenario.heapDiff?.constructors.find((constructor) => constructor.name === name);
    return row ? row.sizeDelta / Math.max(1, scenario.sessions) : undefined;
  };
  return [...b.heapDiff.constructors]
    .filter((row) => row.sizeDelta > 0)
    .sort((x, y) => y.sizeDelta - x.sizeDelta)
    .slice(0, TOP_CONSTRUCTORS)
    .map((row) => ({ name: row.name, perSessionA: perSession(a, row.name), perSessionB: perSession(b, row.name) }));
}

/** The one-line verdict of a comparison. */
export function comparisonHeadline(comparison: Comparison): string {
  const regressed = comparison.scenarios.filter((scenario) => scenario.regressions.length > 0).map((scenario) => scenario.name);
  return regressed.length
    ? `REGRESSION: B leaks more than A in ${regressed.join(", ")}`
    : `NO REGRESSION: B leaks no more than A (heap allowance +${formatBytes(comparison.maxRegressionBytes)} per session)`;
}
