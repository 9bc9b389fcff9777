// Counters the load keeps while it runs: sessions, clients, acks and their latency.

import { failureKey, LoadError, type FailureKind } from "./failures.js";

const BUCKETS_PER_DOUBLING = 8;
const MAX_BUCKET = 25 * BUCKETS_PER_DOUBLING; // up to ~2^25 µs ≈ 33 s

/** A log-bucketed latency histogram: constant memory, ~9 % resolution. */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(MAX_BUCKET + 1);
  count = 0;
  max = 0;

  record(ms: number): void {
    const micros = Math.max(1, ms * 1000);
    const bucket = Math.min(MAX_BUCKET, Math.floor(Math.log2(micros) * BUCKETS_PER_DOUBLING));
    this.counts[bucket]++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The p-th percentile in milliseconds (upper edge of its bucket). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let bucket = 0; bucket <= MAX_BUCKET; bucket++) {
      seen += this.counts[bucket];
      if (seen >= rank) return Math.min(this.max, 2 ** ((bucket + 1) / BUCKETS_PER_DOUBLING) / 1000);
    }
    return this.max;
  }
}

export interface LoadSnapshot {
  sessionsStarted: number;
  sessionsFinished: number;
  sessionsFailed: number;
  clientsConnected: number;
  peakClients: number;
  acks: number;
  errorAcks: number;
  httpRequests: number;
}

const MAX_FAILURE_KINDS = 100;
const OTHER = "\u0000other";

/** The live counters of one scenario run. */
export class LoadStats {
  sessionsStarted = 0;
  sessionsFinished = 0;
  sessionsFailed = 0;
  clientsConnected = 0;
  peakClients = 0;
  acks = 0;
  /** Acks with ok:false that the scenario did not ask for (protocol errors). */
  errorAcks = 0;
  httpRequests = 0;
  readonly latency = new LatencyHistogram();
  /** Failure causes by their grouping key: how often, and the first real message seen. */
  private readonly failureKinds = new Map<string, { count: number; example: string; kind?: FailureKind }>();

  /** Sessions over, finished or failed. */
  get sessionsDone(): number {
    return this.sessionsFinished + this.sessionsFailed;
  }

  clientOpened(): void {
    this.clientsConnected++;
    if (this.clientsConnected > this.peakClients) this.peakClients = this.clientsConnected;
  }

  clientClosed(): void {
    this.clientsConnected--;
  }

  /**
   * Counts a failed session under its cause. Failures are grouped by kind (`failureKey`:
   * the event or namespace, not the numbers), and the user sees the first real message of
   * each group, numbers and all (issue 13: "no ack for "join" within N ms" told nobody the wait).
   */
  sessionFailed(error: unknown): void {
    this.sessionsFailed++;
    const message = error instanceof Error ? error.message : String(error);
    const found = this.failureKinds.get(failureKey(error));
    if (found) {
      found.count++;
      return;
    }
    // Bounded, however many kinds of failure a soak of hours meets.
    if (this.failureKinds.size < MAX_FAILURE_KINDS) this.failureKinds.set(failureKey(error), { count: 1, example: message, kind: error instanceof LoadError ? error.kind : undefined });
    else {
      const other = this.failureKinds.get(OTHER) ?? { count: 0, example: "other failures" };
      other.count++;
      this.failureKinds.set(OTHER, other);
    }
  }

  /** Failure causes with their counts, most frequent first; each message is a real example of its kind. */
  failureSummary(): { message: string; count: number }[] {
    return [...this.failureKinds.values()]
      .map(({ example, count }) => ({ message: example, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, 10);
  }

  /** The most frequent cause and one error of it (for fail-fast), or undefined before any failure. */
  topFailure(): { message: string; count: number; kind?: FailureKind } | undefined {
    let top: { message: string; count: number; kind?: FailureKind } | undefined;
    for (const { example, count, kind } of this.failureKinds.values()) {
      if (!top || count > top.count) top = { message: example, count, kind };
    }
    return top;
  }

  snapshot(): LoadSnapshot {
    return {
      sessionsStarted: this.sessionsStarted,
      sessionsFinished: this.sessionsFinished,
      sessionsFailed: this.sessionsFailed,
      clientsConnected: this.clientsConnected,
      peakClients: this.peakClients,
      acks: this.acks,
      errorAcks: this.errorAcks,
      httpRequests: this.httpRequests,
    };
  }
}
