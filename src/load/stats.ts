// Counters the load keeps while it runs: sessions, clients, acks and their latency.

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
  /** The first few failure messages, for the report. */
  readonly failures: string[] = [];
  private readonly failureCounts = new Map<string, number>();

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

  sessionFailed(message: string): void {
    this.sessionsFailed++;
    // Group by the message without ids and numbers, so one cause is one line.
    const normalised = message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>").replace(/\d+/g, "N");
    // Bounded, however many kinds of failure a soak of hours meets.
    const key = this.failureCounts.has(normalised) || this.failureCounts.size < MAX_FAILURE_KINDS ? normalised : "other failures";
    const seen = this.failureCounts.get(key) ?? 0;
    this.failureCounts.set(key, seen + 1);
    if (seen === 0 && this.failures.length < 20) this.failures.push(message);
  }

  /** Failure causes with their counts, most frequent first. */
  failureSummary(): { message: string; count: number }[] {
    return [...this.failureCounts.entries()]
      .map(([message, count]) => ({ message, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, 10);
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
