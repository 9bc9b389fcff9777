// A scenario's heap snapshots: written by the probe inside the server into the run
// folder's snapshots/ (owner-only: a snapshot holds everything in memory), and
// analysed at the end. They are deleted when the scenario passes, unless --snapshots always was asked for.

import fs from "node:fs/promises";
import path from "node:path";
import { RunError } from "../errors.js";
import { analyzeSnapshots } from "../heap/analyze.js";
import type { HeapDiff } from "../heap/model.js";
import type { SurvivorJudge } from "../heap/survivors.js";
import { trackPath, untrackPath } from "../server-under-test/leftovers.js";
import type { Target } from "../server-under-test/target.js";
import type { SnapshotMode } from "./options.js";

export interface TakenSnapshot {
  label: string;
  file: string;
  bytes: number;
  /** Sessions run since the baseline when it was taken. */
  sessions: number;
  ms: number;
}

export class SnapshotSeries {
  readonly taken: TakenSnapshot[] = [];
  private writing: string | undefined;
  private kept = false;

  constructor(
    private readonly target: Target,
    private readonly runDir: string,
    private readonly scenario: string,
    readonly mode: SnapshotMode,
    private readonly probeTimeoutMs: number,
  ) {}

  get folder(): string {
    return path.join(this.runDir, "snapshots");
  }

  /** Writes one snapshot (the probe runs a full GC first). */
  async take(label: string, sessions: number): Promise<TakenSnapshot> {
    if (!this.target.probe) throw new RunError("heap snapshots need the probe in the server process");
    await fs.mkdir(this.folder, { recursive: true, mode: 0o700 });
    const file = path.join(this.folder, `${this.scenario}.${label.replace(/\s+/g, "-")}.heapsnapshot`);
    this.writing = file;
    trackPath(file);
    // Writing blocks the server's event loop for a while per 100 MB of heap: a longer leash than a GC.
    // A failed write stays `writing` (discardUnkept removes it); the exit registry need not.
    const written = await this.target.probe.snapshot(file, this.probeTimeoutMs * 4).finally(() => untrackPath(file));
    this.writing = undefined;
    const snapshot = { label, file, bytes: written.bytes, sessions, ms: written.ms };
    this.taken.push(snapshot);
    return snapshot;
  }

  /**
   * Reads the series (baseline, rounds, final) and finds what survived, counted net of
   * turnover (issue 11); marks the files kept unless `keep` is false (a check while the rounds
   * go on: keep() decides later).
   */
  async analyze(judge: SurvivorJudge, signal: AbortSignal, keep = true): Promise<HeapDiff> {
    if (keep) this.kept = true;
    const [first, ...rest] = this.taken;
    const last = rest.at(-1)!;
    return analyzeSnapshots({
      before: first.file,
      between: rest.slice(0, -1).map((snapshot) => snapshot.file),
      last: last.file,
      sessions: rest.map((snapshot) => snapshot.sessions),
      judge,
      signal,
      turnover: true,
    });
  }

  /** Keeps the files (on-fail and failing) after an analysis that did not. */
  keep(): void {
    this.kept = true;
  }

  /** Sessions run when the newest snapshot was taken (undefined before the first). */
  get lastSessions(): number | undefined {
    return this.taken.at(-1)?.sessions;
  }

  /**
   * Removes a half-written file, and the snapshots of on-fail that were never analysed; with
   * `passed`, every snapshot (a passing scenario's, unless --snapshots always was asked for).
   */
  async discardUnkept(passed = false): Promise<void> {
    if (this.writing) await fs.rm(this.writing, { force: true });
    if (!passed && (this.kept || this.mode === "always")) return;
    await Promise.all(this.taken.map((snapshot) => fs.rm(snapshot.file, { force: true })));
    this.taken.length = 0;
    await fs.rmdir(this.folder).catch(() => undefined); // only when empty
  }
}
