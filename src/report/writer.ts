// The one place reports reach the disk: write to a temporary name, then rename,
// so a reader (or an interrupted run) sees either no file or a complete one.

import fs from "node:fs/promises";
import path from "node:path";

/** Writes `content` to `file` atomically, owner-readable only by default. */
export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(temporary, content, { mode });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
