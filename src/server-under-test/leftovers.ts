// Files and folders that must not outlive leakcheck (the probe's socket folder, a heap
// snapshot being written). Cleanup stacks remove them in order; this registry is the
// synchronous last resort for an exit that cannot wait (a second Ctrl-C, process exit).

import fs from "node:fs";

const livePaths = new Set<string>();

/** Remembers a path to remove if leakcheck exits before its cleanup does. */
export function trackPath(file: string): void {
  livePaths.add(file);
}

/** Forgets a path once it is removed, or kept on purpose. */
export function untrackPath(file: string): void {
  livePaths.delete(file);
}

/** Removes every tracked path now, synchronously. */
export function removeAllPathsNow(): void {
  for (const file of livePaths) {
    try {
      fs.rmSync(file, { recursive: true, force: true });
    } catch {
      // Nothing more can be done at exit.
    }
  }
  livePaths.clear();
}

process.on("exit", removeAllPathsNow);
