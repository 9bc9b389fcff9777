// The per-connection token bucket on a fake clock: the burst, the refill, and when a flood ends in a disconnect.
import { describe, expect, it } from "vitest";
import { rateLimitOf, TokenBucket } from "../../src/server/rate-limit.js";

function bucketAt(eventsPerSecond: number): { bucket: TokenBucket; advance: (ms: number) => void } {
  let now = 0;
  const limit = rateLimitOf(eventsPerSecond);
  if (!limit) throw new Error("no limit");
  return { bucket: new TokenBucket(limit, () => now), advance: (ms) => void (now += ms) };
}

const takeMany = (bucket: TokenBucket, n: number) => Array.from({ length: n }, () => bucket.take());

describe("rate limit", () => {
  it("is off at 0 and allows bursts of twice the rate", () => {
    expect(rateLimitOf(0)).toBeUndefined();
    expect(rateLimitOf(100)).toEqual({ eventsPerSecond: 100, burst: 200, disconnectAfter: 2000 });
    expect(rateLimitOf(1)).toEqual({ eventsPerSecond: 1, burst: 2, disconnectAfter: 20 });
  });

  it("admits a full burst, then refuses until tokens refill at the rate", () => {
    const { bucket, advance } = bucketAt(100);
    expect(takeMany(bucket, 200).every((a) => a === "ok")).toBe(true);
    expect(bucket.take()).toBe("limited");
    advance(10); // one token per 10 ms at 100/s
    expect(bucket.take()).toBe("ok");
    expect(bucket.take()).toBe("limited");
    advance(60_000); // never more than the burst, however long the pause
    expect(takeMany(bucket, 201).filter((a) => a === "ok")).toHaveLength(200);
  });

  it("sustains exactly the rate", () => {
    const { bucket, advance } = bucketAt(100);
    takeMany(bucket, 200);
    let admitted = 0;
    for (let ms = 0; ms < 10_000; ms++) {
      advance(1);
      if (bucket.take() === "ok") admitted++; // a client sending 1000 events/s for 10 s
    }
    expect(admitted).toBeGreaterThanOrEqual(999);
    expect(admitted).toBeLessThanOrEqual(1001);
  });

  it("disconnects a connection that keeps flooding, even with single tokens refilled in between", () => {
    const { bucket, advance } = bucketAt(100);
    takeMany(bucket, 200);
    const results: string[] = [];
    for (let i = 0; i < 5000 && results.at(-1) !== "disconnect"; i++) {
      advance(0.5); // 2000 events/s: a token comes back every 20 events
      results.push(bucket.take());
    }
    expect(results.at(-1)).toBe("disconnect");
    expect(results.filter((a) => a === "limited")).toHaveLength(1999);
  });

  it("forgives refused events once the connection pauses long enough to refill half its burst", () => {
    const { bucket, advance } = bucketAt(100);
    takeMany(bucket, 200);
    expect(takeMany(bucket, 1500).every((a) => a === "limited")).toBe(true);
    advance(1000);
    expect(takeMany(bucket, 100).every((a) => a === "ok")).toBe(true);
    expect(takeMany(bucket, 1999).every((a) => a === "limited")).toBe(true);
    expect(bucket.take()).toBe("disconnect");
  });
});
