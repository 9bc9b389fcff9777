// `leakcheck diff <before> <after> [--final F]`: the heap diff of snapshots a developer
// already has (DevTools, heapdump, v8.writeHeapSnapshot, --heapsnapshot-near-heap-limit).

import fs from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { describeFsError, oneLine, unwritableFolder, UsageError } from "../errors.js";
import { analyzeSnapshots } from "../heap/analyze.js";
import { DEFAULT_BUDGET } from "../verdict/budget.js";
import { survivorJudge, survivorLimits } from "../verdict/survivors.js";
import { SnapshotFormatError } from "../heap/snapshot.js";
import { chalkFor } from "../report/color.js";
import { renderHeapDiffTerminal, writeHeapDiffReport } from "../report/heap-diff.js";
import { wholeNumber } from "./parsers.js";

interface RawDiffOptions {
  final?: string;
  json?: boolean;
  out?: string;
  top: number;
  sessions?: number;
}

/** Registers `diff` on the program. */
export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description("compare two heap snapshots: growing constructors, and surviving objects with what retains them")
    .argument("<before>", "the earlier .heapsnapshot (the baseline)")
    .argument("<after>", "a later .heapsnapshot of the same process")
    .option("--final <file>", "a last snapshot: survivors are objects new in <after> and still alive here")
    .option("--json", "print the diff as JSON on stdout, nothing else there")
    .option("--out <dir>", "write heap-diff.md and heap-diff.html into this folder")
    .option("--top <n>", "how many constructors and survivor groups to show", wholeNumber("--top", 1, 1000), 20)
    .option("--sessions <n>", "sessions run between the snapshots, for growth per 1,000 sessions", wholeNumber("--sessions", 1, 100_000_000))
    .action(async (before: string, after: string, raw: RawDiffOptions) => {
      const files = [before, after, ...(raw.final !== undefined ? [raw.final] : [])];
      for (const file of files) await checkReadable(file);
      // Before the analysis (seconds on a big snapshot), not after it has been printed.
      const createdOut = raw.out !== undefined ? await makeOutDir(raw.out) : undefined;
      let diff;
      try {
        diff = await analyzeSnapshots({
          before,
          between: raw.final ? [after] : [],
          after,
          last: raw.final ?? after,
          survivorsFromAfter: Boolean(raw.final),
          sessions: raw.sessions === undefined ? undefined : raw.final ? [raw.sessions, raw.sessions] : [raw.sessions],
          top: raw.top,
          judge: survivorJudge(survivorLimits(DEFAULT_BUDGET)),
        });
      } catch (error) {
        // No diff, no report: the folder made for it goes again.
        if (createdOut) await fs.rm(createdOut, { recursive: true, force: true });
        if (error instanceof SnapshotFormatError) {
          throw new UsageError(`${oneLine(error)}: take the snapshot again (DevTools, heapdump or v8.writeHeapSnapshot)`);
        }
        throw error;
      }
      if (raw.json) {
        process.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
      } else {
        process.stdout.write(renderHeapDiffTerminal(diff, chalkFor(process.stdout)));
      }
      if (raw.out !== undefined) {
        const written = await writeHeapDiffReport(raw.out, "heap-diff", diff, `${path.basename(before)} → ${path.basename(after)}`);
        if (!raw.json) process.stdout.write(`\nreport: ${path.join(raw.out, written.html)} · ${path.join(raw.out, written.markdown)}\n`);
      }
    });
}

async function checkReadable(file: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(file);
    await fs.access(file, fs.constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`snapshot ${file} ${describeFsError(error)}: ${code === "EACCES" || code === "EPERM" ? "check its permissions" : "check the path"}`);
  }
  if (!stat.isFile()) throw new UsageError(`snapshot ${file} is ${stat.isDirectory() ? "a folder" : "not a regular file"}: give the path of a .heapsnapshot file`);
}

/** Makes the --out folder (and its parents); returns the first folder it had to create, if any. */
async function makeOutDir(out: string): Promise<string | undefined> {
  try {
    const created = await fs.mkdir(out, { recursive: true });
    await fs.access(out, fs.constants.W_OK);
    return created;
  } catch (error) {
    throw unwritableFolder("--out", out, error);
  }
}
