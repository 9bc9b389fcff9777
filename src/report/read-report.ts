// Reading a run's report.json back, for `leakcheck compare`: a run folder (or the file
// itself), read through the report schema (its stable fields checked), so that a report
// from an older leakcheck still compares and a wrong file fails with one line saying what is wrong.

import fs from "node:fs/promises";
import path from "node:path";
import { describeFsError, describeIssue, UsageError } from "../errors.js";
import { readableReportSchema, type ReadableReport, type ReadableScenario } from "../report-schema/readable.js";
import { REPORT_FILES } from "../report-schema/run-report.js";

/** What `compare` reads of a report.json: the report schema, read tolerantly (src/report-schema/readable.ts). */
export type ComparableReport = ReadableReport;
export type ComparableScenario = ReadableScenario;

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
  const parsed = readableReportSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`${which}: \`${shown}\` is not a leakcheck report (${describeIssue(parsed.error.issues[0], json)}): ${fix}`);
  }
  return { given, file, report: parsed.data };
}
