// When more rounds run (issue 11): the heap interval straddling the budget, or heap and
// survivors disagreeing; and the plan that runs them within --max-sessions.
import { describe, expect, it } from "vitest";
import { extensionNote, roomForRound, whyMoreRounds } from "../../src/run/adaptive-rounds.js";
import { extensionPlan, fixedPlan, snapshotAfter } from "../../src/run/round-plan.js";
import type { HeapReading } from "../../src/verdict/heap-trend.js";

/** Readings of 4 rounds of 200 sessions, `perSession` bytes each, with `noise` added per round. */
const readings = (perSession: number, noise: number[] = [0, 0, 0, 0, 0]): HeapReading[] =>
  noise.map((bytes, round) => ({ round, sessions: round * 200, heapUsed: 8e6 + perSession * round * 200 + bytes }));

describe("more rounds", () => {
  it("when the heap interval straddles the budget, and not when it is clearly within or over", () => {
    expect(whyMoreRounds({ readings: readings(1100, [0, 150_000, -150_000, 150_000, -100_000]), budgetBytes: 1024, floorBytes: 1_048_576 })).toMatch(/^the heap interval \(\+[\d,]+ ± [\d,]+ B per session, 95 %\) straddled the budget of 1\.0 KB per session$/);
    expect(whyMoreRounds({ readings: readings(100), budgetBytes: 1024, floorBytes: 1_048_576, leakingGroups: 0 })).toBeUndefined();
    expect(whyMoreRounds({ readings: readings(4000), budgetBytes: 1024, floorBytes: 1_048_576, leakingGroups: 1 })).toBeUndefined();
  });

  it("when heap and survivors disagree, either way", () => {
    expect(whyMoreRounds({ readings: readings(300), budgetBytes: 1024, floorBytes: 1_048_576, leakingGroups: 1 })).toMatch(/^survivors grew with sessions while the heap interval .* was within/);
    expect(whyMoreRounds({ readings: readings(4000), budgetBytes: 1024, floorBytes: 1_048_576, leakingGroups: 0 })).toMatch(/^the heap grew over the budget .* while no survivor group did$/);
    // Without snapshots there is nothing to disagree with.
    expect(whyMoreRounds({ readings: readings(300), budgetBytes: 1024, floorBytes: 1_048_576 })).toBeUndefined();
  });

  it("when the heap is over the budget with too little growth in all to call it, with or without snapshots", () => {
    // 4 rounds of 50 sessions at 2 KB each: 400 KB in all, under the 1 MB floor.
    const small = [0, 1, 2, 3, 4].map((round) => ({ round, sessions: round * 50, heapUsed: 8e6 + 2000 * round * 50 }));
    const why = /^the heap grew over the budget of 1\.0 KB per session \(\+2,000 ± 0 B per session, 95 %\) but only 390\.6 KB in all, under the 1\.0 MB noise floor$/;
    expect(whyMoreRounds({ readings: small, budgetBytes: 1024, floorBytes: 1_048_576 })).toMatch(why);
    expect(whyMoreRounds({ readings: small, budgetBytes: 1024, floorBytes: 1_048_576, leakingGroups: 0 })).toMatch(why);
    // A leaking survivor group decides on its own; growth past the floor is a heap leak as it stands.
    expect(whyMoreRounds({ readings: small, budgetBytes: 1024, floorBytes: 1_048_576, leakingGroups: 1 })).toBeUndefined();
    expect(whyMoreRounds({ readings: readings(2000), budgetBytes: 1024, floorBytes: 1_048_576 })).toBeUndefined();
  });

  it("runs rounds of the same size while they fit in --max-sessions and --max-duration", () => {
    const limits = { maxSessions: 1600, startedAt: 0 };
    expect(roomForRound(1400, 200, limits, 0)).toBe(true);
    expect(roomForRound(1401, 200, limits, 0)).toBe(false);
    expect(roomForRound(800, 200, { ...limits, maxDurationMs: 1000 }, 1000)).toBe(false);
    let more = true;
    const plan = extensionPlan(200, { rounds: 4, sessions: 800 }, (done) => roomForRound(done, 200, limits, 0), () => more);
    const seen: number[] = [];
    for (let round = plan.next(); round; round = plan.next()) {
      seen.push(round.index);
      if (round.index === 6) more = false;
      plan.completed({ round });
    }
    expect(seen).toEqual([5, 6]);
    expect(plan.ran).toEqual({ rounds: 6, sessions: 1200 });
    expect(extensionNote(2, 400, 12_000, "why", undefined)).toBe("ran 2 more rounds (400 sessions, 12.0s) because why; that settled it");
    expect(extensionNote(1, 200, 5_000, "why", "still")).toBe(
      "ran 1 more round (200 sessions, 5.0s) because why; at the --max-sessions/--max-duration limit the doubt remained (still): judged on what was measured",
    );
  });

  it("with --snapshots on-fail, a snapshot half way through the planned rounds only", () => {
    const plan = fixedPlan(800, 4);
    expect([1, 2, 3, 4].map((index) => snapshotAfter(plan, index, "on-fail"))).toEqual([false, true, false, false]);
    expect([1, 2, 3, 4].every((index) => snapshotAfter(plan, index, "always"))).toBe(true);
    expect(snapshotAfter(fixedPlan(800, 1), 1, "on-fail")).toBe(false);
  });
});
