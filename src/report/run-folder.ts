// Puts a run's reports on disk: report.md, junit.xml, report.html, then report.json
// last (a reader that finds report.json finds the others), each written atomically;
// then reports/latest → this folder, and the step summary of GitHub Actions.

import fs from "node:fs/promises";
import path from "node:path";
import { oneLine, RunError } from "../errors.js";
import { renderHtml } from "./html.js";
import { REPORT_FILES, type RunReport } from "../report-schema/run-report.js";
import { renderJson } from "./json.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import { writeFileAtomic } from "./writer.js";

export interface WriteReportsOptions {
  /** The run is over (complete or stopped): also append report.md to $GITHUB_STEP_SUMMARY. */
  final: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Writes every report file of `report` into `runDir`; throws RunError when the folder cannot be written. */
export async function writeReports(runDir: string, report: RunReport, options: WriteReportsOptions): Promise<void> {
  const markdown = renderMarkdown(report);
  try {
    await writeFileAtomic(path.join(runDir, REPORT_FILES.markdown), markdown);
    await writeFileAtomic(path.join(runDir, REPORT_FILES.junit), renderJunit(report));
    await writeFileAtomic(path.join(runDir, REPORT_FILES.html), renderHtml(report));
    await writeFileAtomic(path.join(runDir, REPORT_FILES.json), renderJson(report));
  } catch (error) {
    throw new RunError(`cannot write the reports into ${runDir} (${oneLine(error)}): free some space or choose another --report-dir`);
  }
  await pointLatestAt(runDir);
  const summaryFile = (options.env ?? process.env).GITHUB_STEP_SUMMARY;
  if (options.final && summaryFile) await appendStepSummary(summaryFile, markdown);
}

/** reports/latest → the newest run folder: a relative link, so the parent folder can move. */
async function pointLatestAt(runDir: string): Promise<void> {
  const latest = path.join(path.dirname(runDir), "latest");
  const temporary = `${latest}.${process.pid}.tmp`;
  try {
    await fs.rm(temporary, { force: true });
    await fs.symlink(path.basename(runDir), temporary);
    await fs.rename(temporary, latest);
  } catch {
    // A file system without links (some CI caches): the run folder itself is still complete.
    await fs.rm(temporary, { force: true });
  }
}

/** Appends the Markdown report to the job summary GitHub Actions shows on the run's page. */
async function appendStepSummary(file: string, markdown: string): Promise<void> {
  try {
    await fs.appendFile(file, `${markdown}\n`);
  } catch (error) {
    // The gate's verdict does not depend on the summary: say so and go on.
    process.stderr.write(`leakcheck: cannot append the report to GITHUB_STEP_SUMMARY (${oneLine(error)}); the run folder has report.md\n`);
  }
}
