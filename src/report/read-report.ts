// Reading a run's report.json back, for `leakcheck compare`: a run folder (or the file
// itself), checked for the fields the comparison uses, so that a report from an older
// leakcheck still compares and a wrong file fails with one line saying what is wrong.

import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { REPORT_FILES } from "./json.js";

const verdict = z.enum(["pass", "fail", "error"]);
const check = z.object({ name: z.string(), baseline: z.number(), final: z.number(), residual: z.number(), budget: z.number(), pass: z.boolean() });

const scenarioSchema = z.object({
  name: z.string(),
  verdict,
  sessions: z.number().int().min(0),
  gauges: z.array(check),
  handles: z.array(check).nullable().optional(),
  heap: z
    .object({ baselineBytes: z.number(), finalBytes: z.number(), growthBytes: z.number(), perSessionBytes: z.number(), budgetBytes: z.number(), pass: z.boolean() })
    .nullable()
    .optional(),
  reasons: z.array(z.string()).optional(),
  heapDiff: z
    .object({ constructors: z.array(z.object({ name: z.string(), countDelta: z.number(), sizeDelta: z.number() })) })
    .optional(),
});

const reportSchema = z.object({
  verdict,
  partial: z.boolean().optional(),
  startedAt: z.string().optional(),
  seed: z.number().optional(),
  versions: z.object({ leakcheck: z.string().optional(), node: z.string().optional(), socketIo: z.string().optional() }).optional(),
  scenarios: z.array(scenarioSchema),
});

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
        : `${which}: cannot read \`${shown}\` (${code ?? "unreadable"}): ${fix}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${which}: \`${shown}\` is not valid JSON (${(error as Error).message}): run leakcheck again to write a new report`,
    );
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "the top level";
    throw new UsageError(
      `${which}: \`${shown}\` is not a leakcheck report (${where}: ${issue.message}): ${fix}`,
    );
  }
  return { given, file, report: parsed.data };
}
