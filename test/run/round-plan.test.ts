// The round plans on their own: fixed rounds spread the sessions evenly; a soak runs rounds
// of the same size until its time is up (the first always); the loop drives both alike.
import { describe, expect, it } from "vitest";
import { fixedPlan, keepBounded, MAX_ROUND_POINTS, soakPlan, type RoundPlan } from "../../src/run/round-plan.js";

/** Runs the plan as the scenario loop does; `tick` is called after each round (a soak's clock moves). */
function drive(plan: RoundPlan, tick: () => void = () => undefined): { index: number; count: number; before: number }[] {
  const rounds = [];
  for (let round = plan.next(); round; round = plan.next()) {
    rounds.push(round);
    plan.completed({ round });
    tick();
    if (rounds.length > 100) throw new Error("the plan never ends");
  }
  return rounds;
}

describe("fixedPlan", () => {
  it("spreads the sessions over the rounds in whole sessions that add up", () => {
    const plan = fixedPlan(10, 4);
    expect(drive(plan)).toEqual([
      { index: 1, count: 2, before: 0 },
      { index: 2, count: 3, before: 2 },
      { index: 3, count: 2, before: 5 },
      { index: 4, count: 3, before: 7 },
    ]);
    expect(plan.ran).toEqual({ rounds: 4, sessions: 10 });
    expect(plan).toMatchObject({ kind: "fixed", plannedRounds: 4, snapshotEachRound: true, detail: "10 sessions in 4 rounds" });
    expect(plan.progressTotal({ index: 2, count: 3, before: 2 })).toBe(10);
  });

  it("never plans more rounds than sessions, nor fewer than one", () => {
    expect(drive(fixedPlan(3, 8)).map((round) => round.count)).toEqual([1, 1, 1]);
    expect(drive(fixedPlan(5, 0)).map((round) => round.count)).toEqual([5]);
  });
});

describe("soakPlan", () => {
  it("runs rounds of sessions/rounds until the duration has passed, the first one always", () => {
    let now = 1_000;
    const plan = soakPlan(100, 4, 10_000, () => now);
    const rounds = drive(plan, () => (now += 3_000));
    expect(rounds.map((round) => [round.index, round.count, round.before])).toEqual([
      [1, 25, 0],
      [2, 25, 25],
      [3, 25, 50],
      [4, 25, 75],
    ]);
    expect(plan.ran).toEqual({ rounds: 4, sessions: 100 });
    expect(plan).toMatchObject({ kind: "soak", plannedRounds: 0, snapshotEachRound: false, detail: "soak for 10.0s in rounds of 25 sessions" });
    expect(plan.progressTotal(rounds[2])).toBe(75);

    const instant = soakPlan(100, 4, 1_000, () => now);
    expect(drive(instant, () => (now += 60_000))).toHaveLength(1);
  });
});

describe("keepBounded", () => {
  it("halves a long series, keeping the first and the newest point", () => {
    const points = Array.from({ length: MAX_ROUND_POINTS + 1 }, (_, index) => index);
    keepBounded(points);
    expect(points.length).toBe(MAX_ROUND_POINTS / 2 + 1);
    expect(points[0]).toBe(0);
    expect(points.at(-1)).toBe(MAX_ROUND_POINTS);
    const short = [1, 2, 3];
    keepBounded(short);
    expect(short).toEqual([1, 2, 3]);
  });
});
