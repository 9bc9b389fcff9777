// The verdict phase's word on a run too short to count: a group kept by every round that the
// judge may not call a leak under 500 sessions must not pass in silence.
import { describe, expect, it } from "vitest";
import type { HeapDiff, SurvivorGroup } from "../../src/heap/model.js";
import { tooShortToCount } from "../../src/run/judging.js";

const group = (overrides: Partial<SurvivorGroup>): SurvivorGroup =>
  ({ name: "Object", count: 200, pathText: "connectionLog (Array, module server.js:15) → [194]", leak: false, growth: { kind: "leak", reason: "kept by every round" }, ...overrides }) as SurvivorGroup;
const diff = (groups: SurvivorGroup[]) => ({ survivors: { groups } }) as unknown as HeapDiff;

describe("tooShortToCount", () => {
  it("names a group kept by every round in a run under 500 sessions, and what to do", () => {
    expect(tooShortToCount(diff([group({}), group({ name: "string" })]), 200)).toBe(
      "200 Object objects were kept by every round (held by connectionLog (Array, module server.js:15) → [194]) and 1 more group, " +
        "but 200 sessions are too few to call that a leak by count (a cache still filling looks the same): run --sessions 500 or more to judge them",
    );
  });

  it("says nothing of leaks already called, bounded groups, or runs long enough", () => {
    expect(tooShortToCount(diff([group({ leak: true })]), 200)).toBeUndefined();
    expect(tooShortToCount(diff([group({ growth: { kind: "bounded", reason: "bounded: at most 300 entries" } as SurvivorGroup["growth"] })]), 200)).toBeUndefined();
    expect(tooShortToCount(diff([group({})]), 500)).toBeUndefined();
    expect(tooShortToCount(undefined, 200)).toBeUndefined();
  });
});
