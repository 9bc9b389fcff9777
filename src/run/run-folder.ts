// The run folder: reports/<UTC timestamp>-<scenarios>/, made before any server starts,
// and what is in it (logs, snapshots, heap diffs) for the reports to link.

import type { Dirent } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { unwritableFolder } from "../errors.js";
import { REPORT_FILES, type RunFile } from "../report-schema/run-report.js";

/** reports/<UTC timestamp>-<scenarios>/, created now so a bad --report-dir fails before any server starts. */
export async function makeRunDir(reportDir: string, names: string[]): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  // A user's scenario may be named anything: keep the folder name to safe characters.
  const label = (names.length > 3 ? `${names.length}-scenarios` : names.join("+")).replace(/[^\w.+-]+/g, "-");
  let runDir = path.resolve(reportDir, `${stamp}-${label}`);
  try {
    await fs.mkdir(path.resolve(reportDir), { recursive: true });
    for (let attempt = 2; ; attempt++) {
      try {
        await fs.mkdir(runDir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 50) throw error;
        runDir = path.resolve(reportDir, `${stamp}-${label}-${attempt}`);
      }
    }
  } catch (error) {
    throw unwritableFolder("--report-dir", reportDir, error);
  }
  return runDir;
}

/** The files in `runDir` and its subfolders other than the reports themselves (logs, snapshots, heap diffs), for the reports to link. */
export async function listRunFiles(runDir: string, subfolder = ""): Promise<RunFile[]> {
  const reports = new Set<string>(Object.values(REPORT_FILES));
  let entries: Dirent[];
  try {
    entries = await fs.readdir(path.join(runDir, subfolder), { withFileTypes: true });
  } catch {
    return [];
  }
  const files: RunFile[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    // Dot names are files being written (see report/writer.ts).
    if (entry.name.startsWith(".")) continue;
    const name = subfolder ? `${subfolder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.push(...(await listRunFiles(runDir, name)));
    } else if (entry.isFile() && !reports.has(name)) {
      const stat = await fs.stat(path.join(runDir, name)).catch(() => undefined);
      if (stat) files.push({ name, bytes: stat.size });
    }
  }
  return files;
}
