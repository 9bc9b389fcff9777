// Reading a run's report.json back, for `leakcheck compare`: a run folder (or the file
// itself), checked for the fields the comparison uses, so that a report from an older
// leakcheck still compares and a wrong file fails with one line saying what is wrong.

import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { describeFsError, describeIssue, UsageError } from "../errors.js";
import { REPORT_FILES } from "./json.js";

// The messages go to the user as they are (see describeIssue).
const verdict = z.enum(["pass", "fail", "error"], { error: 'must be "pass", "fail" or "error"' });
const num = z.number({ error: "must be a number" });
const str = z.string({ error: "must be a string" });
const bool = z.boolean({ error: "must be true or false" });
const list = <T extends z.ZodType>(item: T) => z.array(item, { error: "must be an array" });
const check = z.object({ name: str, baseline: num, final: num, residual: num, budget: num, pass: bool }, { error: "must be an object" });

const scenarioSchema = z.object(
  {
    name: str,
    verdict,
    sessions: z.number({ error: "must be a whole number ≥ 0" }).int({ error: "must be a whole number ≥ 0" }).min(0, { error: "must be a whole number ≥ 0" }),
    gauges: list(check),
    handles: list(check).nullable().optional(),
    heap: z
      .object({ baselineBytes: num, finalBytes: num, growthBytes: num, perSessionBytes: num, budgetBytes: num, pass: bool, noiseFloorBytes: num.optional() }, { error: "must be an object" })
      .nullable()
      .optional(),
    reasons: list(str).optional(),
    heapDiff: z
      .object({ constructors: list(z.object({ name: str, countDelta: num, sizeDelta: num }, { error: "must be an object" })) }, { error: "must be an object" })
      .optional(),
  },
  { error: "must be an object (one scenario's result)" },
);

const reportSchema = z.object(
  {
    verdict,
    partial: bool.optional(),
    startedAt: str.optional(),
    seed: num.optional(),
    versions: z.object({ leakcheck: str.optional(), node: str.optional(), socketIo: str.optional() }, { error: "must be an object" }).optional(),
    scenarios: list(scenarioSchema),
  },
  { error: 'must be a JSON object like {"verdict": "pass", "scenarios": [...]}' },
);

/** What `compare` needs of a report.json: CONTRACT §5's stable fields, and the heap diff when there is one. */
export type ComparableReport = z.infer<typeof reportSchema>;
export type ComparableScenario = z.infer<typeof scenarioSchema>;

export interface LoadedRun {
  /** The folder or file as the user gave it. */
  given: string;
  file: string;
  report: ComparableReport;
}

/** Reads run `given` (a run folder such as reports/latest, or a report.json); UsageError (exit 2) when it is not one. */
export async function readRunReport(given: string, which: string): Promise<LoadedRun> {
  const fix = "give a run folder (like reports/latest) or its report.json";
  let file = path.resolve(given);
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new UsageError(`${which}: \`${given}\` does not exist: ${fix}`);
  }
  // Messages name the file as the user would type it.
  let shown = given;
  if (stat.isDirectory()) {
    file = path.join(file, REPORT_FILES.json);
    shown = path.join(given, REPORT_FILES.json);
  }
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `${which}: \`${given}\` has no ${REPORT_FILES.json}: ${fix} (a run killed before its first report leaves none)`
        : `${which}: \`${shown}\` ${describeFsError(error)}: ${fix}`,
    );
  }
  if (text.trim() === "") throw new UsageError(`${which}: \`${shown}\` is empty: ${fix}, or run leakcheck again to write a new report`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${which}: \`${shown}\` is not valid JSON (${(error as Error).message}): run leakcheck again to write a new report, or ${fix}`,
    );
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`${which}: \`${shown}\` is not a leakcheck report (${describeIssue(parsed.error.issues[0], json)}): ${fix}`);
  }
  return { given, file, report: parsed.data };
}
