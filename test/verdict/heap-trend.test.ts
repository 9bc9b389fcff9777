// The heap slope's confidence interval on synthetic series: it covers the true slope about
// 95 % of the time, and the call against a budget goes each way.
import { describe, expect, it } from "vitest";
import { callTrend, heapTrend, studentT95, trendText, type HeapReading } from "../../src/verdict/heap-trend.js";

/** A seeded normal(0, 1) generator (mulberry32 + Box–Muller). */
function normal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Readings of `rounds` rounds of `size` sessions (round 0: the baseline), `perRound` GC readings each. */
function series(rounds: number, size: number, heapAt: (sessions: number) => number, noise: () => number, noiseBytes: number, perRound = 3): HeapReading[] {
  const readings: HeapReading[] = [];
  for (let round = 0; round <= rounds; round++) {
    const roundNoise = noise() * noiseBytes; // what differs between rounds: the GC readings of one round agree closely
    for (let k = 0; k < perRound; k++) readings.push({ round, sessions: round * size, heapUsed: 8e6 + heapAt(round * size) + roundNoise + noise() * 2000 });
  }
  return readings;
}

describe("heap growth with a 95 % confidence interval", () => {
  it("covers the true slope about 95 % of the time", () => {
    const noise = normal(11);
    let covered = 0;
    const trials = 2000;
    for (let trial = 0; trial < trials; trial++) {
      const trend = heapTrend(series(4, 200, (sessions) => 240 * sessions, noise, 100_000))!;
      if (Math.abs(trend.perSessionBytes - 240) <= trend.marginBytes) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });

  it("prints and calls the interval against the budget each way", () => {
    const exact = heapTrend(series(4, 200, (sessions) => 240 * sessions, () => 0, 0))!;
    expect(trendText(exact)).toBe("+240 ± 0 B per session, 95 %");
    expect(callTrend(exact, 1024)).toBe("within");
    const leak = heapTrend(series(4, 200, (sessions) => 3000 * sessions, normal(3), 50_000))!;
    expect(callTrend(leak, 1024)).toBe("over");
    // 1.1 KB per session with the noise of a small run: the interval straddles the 1 KB budget.
    const close = heapTrend(series(4, 200, (sessions) => 1100 * sessions, normal(5), 100_000))!;
    expect(close.perSessionBytes - close.marginBytes).toBeLessThan(1024);
    expect(close.perSessionBytes + close.marginBytes).toBeGreaterThan(1024);
    expect(callTrend(close, 1024)).toBe("unsure");
    // More rounds narrow it.
    const longer = heapTrend(series(12, 200, (sessions) => 1100 * sessions, normal(5), 100_000))!;
    expect(longer.marginBytes).toBeLessThan(close.marginBytes / 3);
  });

  it("calls a structure that fills in the first round and stays full within", () => {
    const cache = heapTrend(series(4, 200, (sessions) => Math.min(sessions, 200) * 10_000, normal(7), 20_000))!;
    expect(cache.perSessionBytes).toBeGreaterThan(1024);
    expect(Math.abs(cache.laterPerSessionBytes)).toBeLessThan(300);
    expect(callTrend(cache, 1024)).toBe("within");
  });

  it("needs three rounds (baseline included) for an interval", () => {
    expect(heapTrend(series(1, 200, () => 0, () => 0, 0))).toBeUndefined();
    expect(heapTrend(series(2, 200, () => 0, () => 0, 0))?.rounds).toBe(3);
    expect(studentT95(1)).toBe(12.706);
    expect(studentT95(100)).toBe(1.96);
  });
});
