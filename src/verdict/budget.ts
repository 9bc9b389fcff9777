// The leak budget: what may be left over after a scenario settles. Built-in defaults,
// overridden by a JSON file (--budget), globally and per scenario.

import fs from "node:fs/promises";
import { z } from "zod";
import { describeFsError, describeIssue, didYouMean, UsageError } from "../errors.js";

export interface Budget {
  /** Residual allowed per gauge; `*` covers gauges not named. */
  gauges: Record<string, number>;
  handles: { timers: number; sockets: number };
  /** Heap fails when its 95 % interval per session is over perSessionBytes (issue 11) and it grew more than minGrowthBytes in all: less cannot be told from a structure still filling. */
  heap: { perSessionBytes: number; minGrowthBytes: number };
  /**
   * Heap snapshots: a group of objects allocated during the rounds and alive at the end
   * fails the scenario when every round added more than perThousandSessions per 1,000
   * sessions, at least minCount survive, and they keep more than heap.perSessionBytes
   * alive per session.
   */
  survivors: { perThousandSessions: number; minCount: number };
  /** Above this share of failed sessions the scenario did not run as written: an error, not a verdict. */
  maxFailedSessionRatio: number;
}

export const DEFAULT_BUDGET: Budget = {
  gauges: { "*": 0 },
  handles: { timers: 0, sockets: 0 },
  // Leaked interview state costs kilobytes per session; noise after a full GC stays well below this.
  // A run's heap after GC wanders by a few hundred KB for reasons of V8's own; below 1 MB
  // of growth a small run cannot tell a leak from that noise.
  heap: { perSessionBytes: 1024, minGrowthBytes: 1_048_576 },
  // A leak of per-session state leaves one object or more per session: 1,000 per 1,000.
  // A bounded cache plateaus; V8's own churn stays far below 50 per 1,000.
  survivors: { perThousandSessions: 50, minCount: 50 },
  maxFailedSessionRatio: 0.05,
};

// Each field says what it must be: the messages go to the user as they are (see describeIssue).
const count = (what: string) => {
  const message = `must be a whole number ≥ 0 (${what})`;
  return z.number({ error: message }).int({ error: message }).min(0, { error: message });
};
const bytes = (what: string) => {
  const message = `must be a number of bytes ≥ 0 (${what})`;
  return z.number({ error: message }).min(0, { error: message });
};
const section = <Shape extends z.ZodRawShape>(shape: Shape, example: string) =>
  z.object(shape, { error: `must be an object like ${example}` }).partial().strict();
const limitsShape = {
  gauges: z.record(z.string(), count("entries a gauge may keep"), { error: 'must be an object of gauge names to residuals, like {"*": 0}' }),
  handles: section({ timers: count("active timers"), sockets: count("open sockets") }, '{"timers": 0, "sockets": 0}'),
  heap: section({ perSessionBytes: bytes("per session"), minGrowthBytes: bytes("in all") }, '{"perSessionBytes": 1024}'),
  survivors: section(
    { perThousandSessions: z.number({ error: "must be a number ≥ 0" }).min(0, { error: "must be a number ≥ 0" }), minCount: count("objects") },
    '{"perThousandSessions": 50, "minCount": 50}',
  ),
  maxFailedSessionRatio: z.number({ error: "must be a number from 0 to 1" }).min(0, { error: "must be a number from 0 to 1" }).max(1, { error: "must be a number from 0 to 1" }),
};
const limitsSchema = z.object(limitsShape, { error: 'must be an object of limits, like {"heap": {"perSessionBytes": 2048}}' }).partial().strict();
const budgetFileSchema = limitsSchema
  .extend({ scenarios: z.record(z.string(), limitsSchema, { error: 'must be an object of scenario names to limits, like {"random-churn": {...}}' }).optional() })
  .strict();

export type BudgetFile = z.infer<typeof budgetFileSchema>;
type Limits = z.infer<typeof limitsSchema>;

const LIMIT_KEYS = Object.keys(limitsShape);
const SECTION_KEYS: Record<string, string[]> = {
  handles: ["timers", "sockets"],
  heap: ["perSessionBytes", "minGrowthBytes"],
  survivors: ["perThousandSessions", "minCount"],
};

/** The keys a budget file may have at `path` (for "did you mean" on a typo). */
function knownKeys(path: PropertyKey[]): readonly string[] {
  if (path.length === 0) return [...LIMIT_KEYS, "scenarios"];
  const last = String(path[path.length - 1]);
  if (path.length === 2 && path[0] === "scenarios") return LIMIT_KEYS;
  return SECTION_KEYS[last] ?? [];
}

/** Reads and validates a budget file; any problem is a UsageError naming the file, the field and the value. */
export async function readBudgetFile(file: string): Promise<BudgetFile> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`budget file ${file} ${describeFsError(error)}: give the path of a budget JSON file with --budget`);
  }
  if (text.trim() === "") throw new UsageError(`budget file ${file} is empty: write a JSON object such as {"gauges": {"*": 0}}, or leave --budget out`);
  let json: unknown;
  try {
    // Editors on Windows may start the file with a byte order mark; JSON.parse does not take it.
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new UsageError(`budget file ${file} is not valid JSON (${(error as Error).message}): fix the file`);
  }
  return checkBudget(json, `budget file ${file}`);
}

/** Validates a budget object (a file's, or one inline in a config file); `where` starts the error message. */
export function checkBudget(json: unknown, where: string): BudgetFile {
  const parsed = budgetFileSchema.safeParse(json);
  if (!parsed.success) {
    const problem = describeIssue(parsed.error.issues[0], json, knownKeys);
    throw new UsageError(`${where}: ${problem}; see README "Leak budget" for the format`);
  }
  return parsed.data;
}

/** The budget for one scenario: defaults, then the file's global limits, then its per-scenario ones. */
export function budgetFor(scenario: string, file: BudgetFile | undefined): Budget {
  const layers: (Limits | undefined)[] = [file, file?.scenarios?.[scenario]];
  const budget: Budget = structuredClone(DEFAULT_BUDGET);
  for (const layer of layers) {
    if (!layer) continue;
    Object.assign(budget.gauges, layer.gauges);
    Object.assign(budget.handles, layer.handles);
    Object.assign(budget.heap, layer.heap);
    Object.assign(budget.survivors, layer.survivors);
    if (layer.maxFailedSessionRatio !== undefined) budget.maxFailedSessionRatio = layer.maxFailedSessionRatio;
  }
  return budget;
}

/** The residual allowed for one gauge. */
export function gaugeBudget(budget: Budget, gauge: string): number {
  return budget.gauges[gauge] ?? budget.gauges["*"] ?? 0;
}

/**
 * A budget's gauge names must be gauges the server has: a typo ("player" for "players") would
 * otherwise give that gauge the `*` limit without a word. Called once the first gauges are read.
 */
export function checkBudgetGauges(budget: Budget, available: readonly string[]): void {
  const unknown = Object.keys(budget.gauges).filter((name) => name !== "*" && !available.includes(name));
  if (unknown.length === 0) return;
  const named = unknown.map((name) => `"${name}"${didYouMean(name, available)}`).join(", ");
  throw new UsageError(
    `the budget names gauge${unknown.length > 1 ? "s" : ""} ${named} that the server does not have (it has: ${available.join(", ") || "none"}): fix the name in the budget's "gauges", or use "*" for every gauge`,
  );
}
