// Survivor growth net of turnover, on synthetic id sets: a cache of the newest M records and a
// leak are simulated round by round as a server would hold them, then judged.
import { describe, expect, it } from "vitest";
import { survivorGrowth, type GroupCounts } from "../../src/verdict/survivor-growth.js";

const BUDGET = { perThousandSessions: 50, minCount: 50 };

/**
 * Records numbered in the order made, `perSession` per session; the structure keeps the newest
 * `cap` (Infinity: all). Snapshots after the warm-up (the baseline), after each round, and a
 * final one with no sessions after the last round.
 */
function simulate(warmup: number, rounds: number[], cap: number, perSession = 1): GroupCounts {
  let made = 0;
  const alive = (): Set<number> => new Set(Array.from({ length: Math.min(made, cap) }, (_, i) => made - 1 - i));
  made = warmup * perSession;
  const baseline = alive();
  const snapshots: Set<number>[] = [];
  const sessions: number[] = [];
  let done = 0;
  for (const size of [...rounds, 0]) {
    made += size * perSession;
    done += size;
    snapshots.push(alive());
    sessions.push(done);
  }
  const last = snapshots.at(-1)!;
  const fresh = [...last].filter((id) => !baseline.has(id));
  const goneAtEnd = [...baseline].filter((id) => !last.has(id));
  return {
    sessions,
    newAlive: snapshots.map((ids) => fresh.filter((id) => ids.has(id)).length),
    baselineCount: baseline.size,
    baselineGone: snapshots.map((ids) => goneAtEnd.filter((id) => !ids.has(id)).length),
  };
}

describe("survivor growth, net of turnover", () => {
  it("calls a record kept per session forever a leak, whatever its size", () => {
    const growth = survivorGrowth(simulate(120, [60, 60, 60, 60], Infinity), BUDGET);
    expect(growth.kind).toBe("leak");
    expect(growth.net).toBe(240);
    expect(growth.netPerThousandSessions).toBe(1000);
    expect(growth.rounds.map((round) => round.net)).toEqual([60, 60, 60, 60]);
    expect(growth.reason).toBe("kept by every round, +1,000 per 1,000 sessions net");
  });

  it("calls one object per 20 sessions a leak once 50 are gained, not before", () => {
    expect(survivorGrowth(simulate(100, [400, 400, 400], Infinity, 0.05), BUDGET).kind).toBe("leak");
    expect(survivorGrowth(simulate(100, [200, 200, 200], Infinity, 0.05), BUDGET).kind).toBe("steady");
  });

  for (const [when, cap] of [
    ["during the warm-up", 100],
    ["during round 1", 150],
    ["during round 2", 210],
    ["during the last-but-one round", 270],
  ] as const) {
    it(`passes a cache of the newest entries whose cap is reached ${when}`, () => {
      const growth = survivorGrowth(simulate(120, [60, 60, 60, 60], cap), BUDGET);
      expect(growth.kind).toBe("bounded");
      expect(growth.reason).toBe(`bounded: at most ${cap} entries, the oldest evicted`);
      expect(growth.endCount).toBe(cap);
    });
  }

  it("calls a cache bounded as soon as it evicts the baseline's entries, even in the last round", () => {
    // 120 + 3 × 60 = 300 made by round 3; a cap of 330 is reached half way through round 4.
    const growth = survivorGrowth(simulate(120, [60, 60, 60, 60], 330), BUDGET);
    expect(growth.rounds.at(-1)!.net).toBe(30);
    expect(growth.kind).toBe("bounded");
    // Full before round 2 of 3, with the round born in between evicted unseen: every round still seems to gain net.
    const seeming = survivorGrowth(simulate(300, [400, 200], 500), BUDGET);
    expect(seeming.rounds.map((round) => round.net)).toEqual([100, 100]);
    expect(seeming.kind).toBe("bounded");
  });

  it("cannot tell a cache that has not evicted yet from a leak, and says more rounds would", () => {
    const growth = survivorGrowth(simulate(120, [240], 1000), BUDGET);
    expect(growth.kind).toBe("leak");
    expect(growth.reason).toMatch(/one interval: a cache still filling would look the same/);
  });

  it("writes a group that shrank with its sign once (a new user read '+-96.7 per 1,000 sessions')", () => {
    const growth = survivorGrowth({ sessions: [100, 200], newAlive: [0, 0], baselineCount: 100, baselineGone: [50, 60] }, BUDGET);
    expect(growth.kind).toBe("steady");
    expect(growth.reason).toMatch(/^-300 per 1,000 sessions net, under the floor/);
  });

  it("passes a cache whose entries are replaced but never grow", () => {
    const growth = survivorGrowth(simulate(120, [60, 60, 60, 60], 5), BUDGET);
    expect(growth.net).toBe(0);
    expect(growth.kind).toBe("steady");
  });

  it("with one interval (baseline and final only), calls net growth over the floor a leak and says it cannot date it", () => {
    const counts = simulate(120, [240], Infinity);
    const growth = survivorGrowth(counts, BUDGET);
    expect(growth.kind).toBe("leak");
    expect(growth.reason).toMatch(/one interval/);
    // …but a cache full before the baseline gains nothing net: its turnover is seen as such.
    const cache = survivorGrowth(simulate(120, [240], 100), BUDGET);
    expect([cache.kind, cache.net]).toEqual(["bounded", 0]);
    // A cache that was filling at the baseline and is full at the end gains net, but lost its oldest.
    const filling = survivorGrowth(simulate(120, [400], 300), BUDGET);
    expect([filling.kind, filling.net, filling.reason]).toEqual(["bounded", 180, "bounded: at most 300 entries, the oldest evicted"]);
  });
});
