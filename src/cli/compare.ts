// `leakcheck compare <runA> <runB>`: does run B (a branch) leak more than run A (main)?
// Exit 0: no regression · 1: a regression · 2: a folder or option that is not right.

import { Command, InvalidArgumentError, Option } from "commander";
import { ExitCode } from "../errors.js";
import { chalkFor } from "../report/color.js";
import { compareRuns, DEFAULT_MAX_REGRESSION_BYTES } from "../report/compare.js";
import { renderComparisonMarkdown, renderComparisonText } from "../report/compare-render.js";
import { readRunReport } from "../report/read-report.js";
import { shownArgument } from "./parsers.js";

interface CompareOptions {
  maxRegression: number;
  json?: boolean;
  markdown?: boolean;
}

const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2 };

/** --max-regression: bytes per session, written 512, 512B, 2KB or 1.5MB (binary units, as the reports print them). */
export function bytesPerSession(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb)?\s*$/i.exec(value);
  const bytes = match ? Number(match[1]) * UNIT_BYTES[(match[2] ?? "b").toLowerCase()] : NaN;
  if (!Number.isFinite(bytes) || bytes > 1024 ** 3) {
    throw new InvalidArgumentError(`--max-regression must be heap bytes per session like 1024, 512B, 2KB or 1.5MB, got ${shownArgument(value)} (at most 1024MB)`);
  }
  return Math.round(bytes);
}

/** Registers `compare` on the program. */
export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare two run folders (A, e.g. main; B, e.g. a branch): exit 1 when B leaks more than A")
    .argument("<runA>", "the reference run: a run folder (like reports/latest) or its report.json")
    .argument("<runB>", "the run to judge against it")
    .option(
      "--max-regression <bytes>",
      "how many more heap bytes per session B may grow than A (512, 2KB, 1.5MB); a scenario that passes on A and not on B, " +
        "or a gauge or handle over budget that B leaves more of per session, is a regression whatever this is",
      bytesPerSession,
      DEFAULT_MAX_REGRESSION_BYTES,
    )
    .option("--json", "print the comparison as JSON on stdout")
    .addOption(new Option("--markdown", "print the comparison as Markdown (for a pull-request comment or a job summary)").conflicts("json"))
    .action(async (runA: string, runB: string, options: CompareOptions) => {
      const a = await readRunReport(runA, "run A");
      const b = await readRunReport(runB, "run B");
      const comparison = compareRuns(a, b, options.maxRegression);
      if (options.json) process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
      else if (options.markdown) process.stdout.write(`${renderComparisonMarkdown(comparison)}\n`);
      else process.stdout.write(renderComparisonText(comparison, chalkFor(process.stdout)));
      process.exitCode = comparison.regression ? ExitCode.leak : ExitCode.pass;
    });
}
