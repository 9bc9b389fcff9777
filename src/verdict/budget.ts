// The leak budget: what may be left over after a scenario settles. Built-in defaults,
// overridden by a JSON file (--budget), globally and per scenario.

import fs from "node:fs/promises";
import { z } from "zod";
import { UsageError } from "../errors.js";

export interface Budget {
  /** Residual allowed per gauge; `*` covers gauges not named. */
  gauges: Record<string, number>;
  handles: { timers: number; sockets: number };
  /** Heap fails when it grows more than perSessionBytes per session and more than minGrowthBytes from baseline to final. */
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

const count = z.number().int().min(0);
const limitsSchema = z
  .object({
    gauges: z.record(z.string(), count).optional(),
    handles: z.object({ timers: count, sockets: count }).partial().strict().optional(),
    heap: z.object({ perSessionBytes: z.number().min(0), minGrowthBytes: z.number().min(0) }).partial().strict().optional(),
    survivors: z.object({ perThousandSessions: z.number().min(0), minCount: count }).partial().strict().optional(),
    maxFailedSessionRatio: z.number().min(0).max(1).optional(),
  })
  .strict();
const budgetFileSchema = limitsSchema.extend({ scenarios: z.record(z.string(), limitsSchema).optional() }).strict();

export type BudgetFile = z.infer<typeof budgetFileSchema>;
type Limits = z.infer<typeof limitsSchema>;

/** Reads and validates a budget file; any problem is a UsageError naming the file and the field. */
export async function readBudgetFile(file: string): Promise<BudgetFile> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read budget file ${file} (${(error as NodeJS.ErrnoException).code ?? "error"}): check --budget`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`budget file ${file} is not valid JSON (${(error as Error).message}): fix the file`);
  }
  const parsed = budgetFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "(top level)";
    throw new UsageError(`budget file ${file}: ${where}: ${issue.message}; see README "Leak budget" for the format`);
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
