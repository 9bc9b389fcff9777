// A leak's path is the app's own, never one through leakcheck's probe: an app whose Map lives in
// a function's scope (no module variable to name) and is read by a leakcheck/gauges gauge is
// reached first through the gauge registry's reader unless the probe's scripts all count as its.
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("retainer paths with a leakcheck/gauges gauge", () => {
  it("name the app's holder, not the gauge registry that reads it", async () => {
    const result = await runCli(
      ["run", "test/fixtures/echo-scenario.mjs", "--server", "node test/fixtures/gauged-closure-server.cjs", "--sessions", "100", "--warmup", "10", "--rounds", "2", "--snapshots", "on-fail", "--json", "--quiet"],
      { timeoutMs: 90_000 },
    );
    expect(result.code, result.stderr).toBe(1);
    const [scenario] = JSON.parse(result.stdout).scenarios;
    expect(scenario.reasons).toContain("presence: 100 entries left after 100 sessions (budget 0)");
    const paths: string[] = scenario.heapDiff.survivors.groups.map((group: { pathText: string }) => group.pathText);
    const presence = paths.filter((text) => /presence \(Map, in a closure at test\/fixtures\/gauged-closure-server\.cjs:\d+\)/.test(text));
    expect(presence.length, paths.join("\n")).toBeGreaterThan(0);
    expect(paths.join("\n")).not.toMatch(/probe\/|readers \(Map/);
    // The check after the planned rounds decided (the gauge was over already): no "rounds" phase
    // after it, which the progress showed as if more were coming.
    expect(scenario.phases.map((each: { phase: string }) => each.phase).join(" ")).toMatch(/ rounds heap-diff settle final /);
    // The Map's values and its string keys are one holder: one clue, not two.
    const clues: string[] = scenario.clues ?? [];
    expect(clues.filter((clue) => /presence \(Map/.test(clue)), clues.join("\n")).toHaveLength(1);
  }, 100_000);
});
