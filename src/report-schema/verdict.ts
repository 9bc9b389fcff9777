// What the judge hands back for one scenario, as report.json carries it (CONTRACT §5).

import { z } from "zod";
import { bool, count, list, num, object, str } from "./fields.js";

export const VERDICTS = ["pass", "fail", "error"] as const;
export const verdictSchema = z.enum(VERDICTS, { error: 'must be "pass", "fail" or "error"' });
export type Verdict = z.infer<typeof verdictSchema>;

/** One gauge or handle count: baseline → final against its budget. */
export const checkResultSchema = object({ name: str, baseline: num, final: num, residual: num, budget: num, pass: bool });
export type CheckResult = z.infer<typeof checkResultSchema>;

export const heapResultSchema = object({
  baselineBytes: num,
  finalBytes: num,
  growthBytes: num,
  perSessionBytes: num,
  budgetBytes: num,
  pass: bool,
  /** Why the row says what it says when the figures alone do not: "under the 1.0 MB noise floor". */
  note: str.optional(),
  /** Growth in all at or under which the heap check passes whatever the slope (the budget's minGrowthBytes). */
  noiseFloorBytes: num.optional(),
  /**
   * Growth per session with its 95 % interval over the rounds' GC readings (issue 11), and the
   * call against the budget (within, over, unsure); absent with fewer than three rounds.
   */
  trend: object({
    perSessionBytes: num,
    marginBytes: num,
    confidence: num,
    rounds: count,
    readings: count,
    call: z.enum(["within", "over", "unsure"], { error: 'must be "within", "over" or "unsure"' }),
    text: str,
  }).optional(),
  /** From the snapshot series: survivor groups that grow with sessions over the budget (absent without snapshots). */
  survivors: object({ leakingGroups: count, budgetPerThousandSessions: num, pass: bool }).optional(),
});
export type HeapResult = z.infer<typeof heapResultSchema>;

/** The judge's part of a scenario's result. */
export const scenarioVerdictShape = {
  verdict: verdictSchema,
  gauges: list(checkResultSchema),
  /** Null when the probe could not be reached (a server attached with --url). */
  handles: list(checkResultSchema).nullable(),
  heap: heapResultSchema.nullable(),
  /** One sentence per failed check. */
  reasons: list(str),
  /** What explains a failure without being one: the growing objects that hold what a gauge counted, the largest survivors. */
  clues: list(str).optional(),
};
export const scenarioVerdictSchema = object(scenarioVerdictShape);
export type ScenarioVerdict = z.infer<typeof scenarioVerdictSchema>;
