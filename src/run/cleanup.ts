// One cleanup stack per run: everything started is registered the moment it exists
// and is stopped in reverse order, even when the run fails or is interrupted.

import { withinDeadline } from "./deadline.js";

export type CleanupFn = () => void | Promise<void>;

interface Entry {
  label: string;
  fn: CleanupFn;
}

/** A LIFO stack of cleanup steps that always drains, whatever a step throws. */
export class CleanupStack {
  private entries: Entry[] = [];
  private draining: Promise<string[]> | undefined;

  /** Registers a step; the returned function runs it early and removes it from the stack. */
  push(label: string, fn: CleanupFn): () => Promise<void> {
    if (this.draining) {
      // Created after the stack drained (a late start racing an abort): stop it at once.
      void Promise.resolve().then(fn).catch(() => undefined);
      return async () => undefined;
    }
    const entry: Entry = { label, fn };
    this.entries.push(entry);
    return async () => {
      const index = this.entries.indexOf(entry);
      if (index === -1) return;
      this.entries.splice(index, 1);
      await entry.fn();
    };
  }

  /** True once drain() has been called: the stack is drained once, and what is pushed later stops at once. */
  get drained(): boolean {
    return this.draining !== undefined;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Runs every step, newest first, each bounded by `stepTimeoutMs`; returns the failures as text. */
  drain(stepTimeoutMs = 10_000): Promise<string[]> {
    this.draining ??= this.drainAll(stepTimeoutMs);
    return this.draining;
  }

  private async drainAll(stepTimeoutMs: number): Promise<string[]> {
    const failures: string[] = [];
    while (this.entries.length > 0) {
      const entry = this.entries.pop()!;
      try {
        await withinDeadline(Promise.resolve().then(entry.fn), stepTimeoutMs, () => new Error(`timed out after ${stepTimeoutMs} ms`));
      } catch (error) {
        failures.push(`${entry.label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return failures;
  }
}
