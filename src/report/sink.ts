// The reports as a sink of the run's events (as autocannon keeps its run loop and its
// printer apart): the run says what happened, this puts the files on disk. A partial
// report as each scenario starts (so even a run killed outright leaves whole files), a
// scenario's heap-diff reports when it ends, and the final report when the run ends.

import path from "node:path";
import type { RunEvent, RunListener } from "../report-schema/events.js";
import { renderHeapDiffHtml, renderHeapDiffMarkdown } from "./heap-diff.js";
import { writeReports } from "./run-folder.js";
import { writeFileAtomic } from "./writer.js";

export interface ReportSinkOptions {
  /** Where $GITHUB_STEP_SUMMARY is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A listener that writes the run folder's reports; the run waits for each write. */
export function reportSink(options: ReportSinkOptions = {}): RunListener {
  let runDir: string | undefined;
  return async (event: RunEvent) => {
    if (event.type === "run-start") {
      runDir = event.runDir;
    } else if (event.type === "scenario-start" && event.report && runDir) {
      await writeReports(runDir, event.report, { final: false, env: options.env });
    } else if (event.type === "scenario-end" && runDir) {
      const result = event.result;
      if (result?.heapDiff && result.heapDiffFiles) {
        // The names are the result's: the reports link them.
        await writeFileAtomic(path.join(runDir, result.heapDiffFiles.markdown), renderHeapDiffMarkdown(result.heapDiff, result.name));
        await writeFileAtomic(path.join(runDir, result.heapDiffFiles.html), renderHeapDiffHtml(result.heapDiff, result.name));
      }
    } else if (event.type === "run-end" && runDir) {
      await writeReports(runDir, event.report, { final: true, env: options.env });
    }
  };
}
