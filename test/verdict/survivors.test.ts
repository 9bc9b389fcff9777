// The judge's survivor rule alone: what src/heap/survivors.ts measured in, trend and leak out.
import { describe, expect, it } from "vitest";
import type { SurvivorFigures } from "../../src/heap/survivors.js";
import { DEFAULT_BUDGET } from "../../src/verdict/budget.js";
import { survivorJudge, survivorLimits } from "../../src/verdict/survivors.js";

const judge = survivorJudge(survivorLimits(DEFAULT_BUDGET));
// 800 sessions; every round added 1,000 objects per 1,000 sessions; 2.7 KB kept alive per session.
const leak: SurvivorFigures = { count: 800, retainedSize: 2_200_000, perThousandSessions: 1000, perRound: true, sessions: 800 };

describe("survivorJudge", () => {
  it("calls a group growing in every round, numerous and costly per session a leak", () => {
    expect(judge(leak)).toEqual({ trend: "grows", leak: true });
  });
  it("lets each limit alone clear it", () => {
    expect(judge({ ...leak, perThousandSessions: 50 })).toEqual({ trend: "plateau", leak: false });
    expect(judge({ ...leak, count: 49 })).toEqual({ trend: "grows", leak: false });
    expect(judge({ ...leak, retainedSize: 800 * 1024 })).toEqual({ trend: "grows", leak: false });
    expect(judge({ ...leak, sessions: 0 })).toEqual({ trend: "grows", leak: false });
  });
  it("decides nothing without growth per round (a baseline/final pair)", () => {
    expect(judge({ ...leak, perRound: false })).toEqual({ trend: "unknown", leak: false });
    expect(judge({ ...leak, perThousandSessions: null })).toEqual({ trend: "unknown", leak: false });
  });
  it("takes its limits from the scenario's budget", () => {
    const lenient = survivorJudge(survivorLimits({ ...DEFAULT_BUDGET, heap: { ...DEFAULT_BUDGET.heap, perSessionBytes: 4096 } }));
    expect(lenient(leak)).toEqual({ trend: "grows", leak: false });
  });
});
