// Finding processes, one way for every test: the process table (`ps`), read once per look.
// Watching what a leakcheck process starts: every descendant and process group seen
// while it runs, so a test can prove none of them outlives it (without matching on
// command lines, which other runs on the same machine share).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { groupAlive } from "../../src/server-under-test/process-tree.js";

export { groupAlive };

export interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  args: string;
}

/** Every live process: pid, parent, group and command line. */
export function processTable(): ProcessRow[] {
  // -ww: whole command lines, however long the paths (a CI checkout's are longer than ours).
  const out = spawnSync("ps", ["-ww", "-eo", "pid=,ppid=,pgid=,args="], { encoding: "utf8" }).stdout;
  return out
    .split("\n")
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/))
    .filter((match): match is RegExpMatchArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), pgid: Number(match[3]), args: match[4] }));
}

/** Every process under `root` now (children, grandchildren, ...). */
export function descendantsOf(root: number): ProcessRow[] {
  const table = processTable();
  const found: ProcessRow[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of table) {
      if (parents.has(row.ppid) && !parents.has(row.pid)) {
        parents.add(row.pid);
        found.push(row);
        grew = true;
      }
    }
  }
  return found;
}

/** Polls the tree under `root` until stopped; remembers every process and group it saw. */
export class TreeWatcher {
  readonly seen = new Map<number, ProcessRow>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly root: number, intervalMs = 100) {
    this.timer = setInterval(() => this.look(), intervalMs);
    this.look();
  }

  look(): void {
    for (const row of descendantsOf(this.root)) {
      // A process that died but is not reaped yet shows as "[node] <defunct>": keep what it ran
      // (under load a look in that moment made the server of an interrupted run unseen).
      if (this.seen.has(row.pid) && /<defunct>$/.test(row.args)) continue;
      this.seen.set(row.pid, row);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * The processes seen whose command line matches: a cluster test proves the watcher saw the
   * primary and every worker (else "nothing left" would prove nothing).
   */
  seenMatching(pattern: RegExp): ProcessRow[] {
    this.look();
    return [...this.seen.values()].filter((row) => pattern.test(row.args));
  }

  /** SIGKILLs every process seen (in a test's finally: whatever a failed run left must not slow the tests after it). */
  killSeen(): void {
    for (const row of this.seen.values()) {
      try {
        process.kill(row.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }

  /** The processes seen that are still alive, and the groups seen that still have a member. */
  survivors(): string[] {
    const table = processTable();
    const alive = new Set(table.map((row) => row.pid));
    // Children leakcheck did not detach share the test's own group, which is alive of course.
    const ownGroup = table.find((row) => row.pid === process.pid)?.pgid;
    const left: string[] = [];
    for (const row of this.seen.values()) if (alive.has(row.pid)) left.push(`pid ${row.pid}: ${row.args}`);
    for (const pgid of new Set([...this.seen.values()].map((row) => row.pgid))) {
      if (pgid !== ownGroup && groupAlive(pgid)) left.push(`process group ${pgid}`);
    }
    return left;
  }
}

/** True while process `pid` exists (signal 0 probes without killing). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The direct children of `pid` now. */
export function childrenOf(pid: number): number[] {
  return processTable()
    .filter((row) => row.ppid === pid)
    .map((row) => row.pid);
}

/** PIDs of live processes whose command line contains `needle` (not this one). */
export function processesMatching(needle: string): number[] {
  return processTable()
    .filter((row) => row.args.includes(needle) && row.pid !== process.pid && !row.args.startsWith("ps -eo"))
    .map((row) => row.pid);
}

/** PIDs of live processes (not this one) whose environment has `name=value`: what a run started, whatever its command line (Linux /proc). */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const found: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(needle)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
