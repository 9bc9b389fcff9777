// The per-connection rate limit: a token bucket that lives in the connection's own closure, so it goes with the socket.

/** How fast one connection may send events; derived from --rate-limit. */
export interface RateLimit {
  /** Sustained events per second (the refill rate). */
  eventsPerSecond: number;
  /** Events a connection may send at once after a pause (the bucket's size). */
  burst: number;
  /** Refused events, counted since the connection last paused, after which it is disconnected. */
  disconnectAfter: number;
}

/**
 * The limit for `--rate-limit N`, or undefined when N is 0 (off). A burst of 2 s worth
 * and a disconnect after ten bursts' worth of refused events: see RATE_LIMIT_DEFAULT.
 */
export function rateLimitOf(eventsPerSecond: number): RateLimit | undefined {
  if (eventsPerSecond <= 0) return undefined;
  const burst = Math.max(1, Math.round(eventsPerSecond * 2));
  return { eventsPerSecond, burst, disconnectAfter: burst * 10 };
}

/** What a connection's next event gets: handled, refused with rate-limited, or refused and the connection dropped. */
export type Admission = "ok" | "limited" | "disconnect";

/** One connection's bucket: starts full, refills continuously, one token per event. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Refused events since the bucket was last at least half full (the client paused for a second at the defaults). */
  private refused = 0;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limit.burst;
    this.last = now();
  }

  /** Takes a token for one event. */
  take(): Admission {
    const now = this.now();
    const elapsedMs = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsedMs * this.limit.eventsPerSecond) / 1000);
    // Forgiveness needs a real pause: a flood interleaved with single refilled tokens keeps counting.
    if (this.tokens >= this.limit.burst / 2) this.refused = 0;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return "ok";
    }
    this.refused += 1;
    return this.refused >= this.limit.disconnectAfter ? "disconnect" : "limited";
  }
}
