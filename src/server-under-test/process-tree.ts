// Killing a spawned server and everything it started (npm start → sh → node).
// Servers run in their own process group, so one signal to -pid reaches the whole tree.

const liveGroups = new Set<number>();

/** Remembers a process group so an emergency exit can still kill it. */
export function trackGroup(pid: number): void {
  liveGroups.add(pid);
}

/** Forgets a group once it is known to be gone. */
export function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
}

/** True while any member of the group is alive (signal 0 probes without killing). */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/** SIGTERM the group, wait up to `graceMs`, then SIGKILL whatever is left. */
export async function killGroup(pid: number, graceMs = 3000): Promise<void> {
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (groupAlive(pid)) {
    signalGroup(pid, "SIGKILL");
    const hardDeadline = Date.now() + 2000;
    while (groupAlive(pid) && Date.now() < hardDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  untrackGroup(pid);
}

/** Synchronous last resort (second Ctrl-C, process exit): SIGKILL every tracked group now. */
export function killAllGroupsNow(): void {
  for (const pid of liveGroups) signalGroup(pid, "SIGKILL");
  liveGroups.clear();
}

// Whatever way leakcheck exits, no tracked server group survives it.
process.on("exit", killAllGroupsNow);
