// Reading a report.json back (`leakcheck compare`): the same schema, with CONTRACT §5's
// stable fields required and checked, and every other field taken when it fits and dropped
// when it does not, so that a report from an older (or newer) leakcheck still reads.

import type { z } from "zod";
import { list, object } from "./fields.js";
import { runReportShape } from "./run-report.js";
import { scenarioResultShape } from "./scenario.js";

type Tolerant<Shape extends z.ZodRawShape> = { [Key in keyof Shape]: z.ZodCatch<z.ZodOptional<Shape[Key]>> };

/** Every field of `shape` optional, and a value that does not fit read as absent. */
function tolerant<Shape extends z.ZodRawShape>(shape: Shape): Tolerant<Shape> {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, (schema as z.ZodType).optional().catch(undefined)])) as unknown as Tolerant<Shape>;
}

const scenario = scenarioResultShape;
export const readableScenarioSchema = object(
  {
    ...tolerant(scenario),
    // Stable: required, or checked whenever present.
    name: scenario.name,
    verdict: scenario.verdict,
    sessions: scenario.sessions,
    gauges: scenario.gauges,
    handles: scenario.handles.optional(),
    heap: scenario.heap.optional(),
    reasons: scenario.reasons.optional(),
    heapDiff: scenario.heapDiff,
  },
  "must be an object (one scenario's result)",
);
export type ReadableScenario = z.infer<typeof readableScenarioSchema>;

export const readableReportSchema = object(
  {
    ...tolerant(runReportShape),
    verdict: runReportShape.verdict,
    scenarios: list(readableScenarioSchema),
  },
  'must be a JSON object like {"verdict": "pass", "scenarios": [...]}',
);
export type ReadableReport = z.infer<typeof readableReportSchema>;
