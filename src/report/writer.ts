// The one place reports reach the disk: write to a temporary name, then rename,
// so a reader (or an interrupted run) sees either no file or a complete one.

import fs from "node:fs/promises";
import path from "node:path";

let written = 0;

/** Writes `content` to `file` atomically (mode 0644 unless told otherwise). */
export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  // A dot name, so a listing of the folder never shows a half-written file.
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${written++}.tmp`);
  try {
    const handle = await fs.open(temporary, "w", mode);
    try {
      await handle.writeFile(content);
      // On disk before the rename: after a power cut the name never points at an empty file.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
