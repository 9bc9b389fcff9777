// Issue 11 on real servers: a record of ~200 B kept per session fails every scenario although
// the heap alone cannot prove it; bounded caches pass wherever their cap is reached.
import { afterAll, describe, expect, it } from "vitest";
import { removeDir, runCli, tempReportDir } from "../support/cli.js";

interface Group {
  name: string;
  leak: boolean;
  pathText: string;
  growth?: { kind: string; reason: string };
  allocatedAt?: string;
}
interface Report {
  verdict: string;
  scenarios: {
    name: string;
    verdict: string;
    reasons: string[];
    notes: string[];
    sessions: number;
    heap: { pass: boolean; trend?: { text: string; call: string } } | null;
    heapDiff?: { survivors: { groups: Group[] } };
  }[];
}

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

async function run(args: string[]): Promise<{ code: number | null; report: Report }> {
  const result = await runCli(["run", ...args, "--seed", "11", "--json", "--quiet", "--report-dir", reportDir]);
  expect(result.stderr, result.stderr).not.toMatch(/\n\s+at /);
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

describe("the smallest leak (issue 11)", () => {
  it("fails all four scenarios on 200 B kept per ended session, by count, and names the Map", { timeout: 300_000 }, async () => {
    // 500 sessions: a group under the bytes budget is called on its count from 500 on.
    // --max-sessions 500: no extra rounds (they would only confirm it), to keep the suite lean.
    const { code, report } = await run(["all", "--server-leak", "bytes:200", "--sessions", "500", "--max-sessions", "500", "--warmup", "100", "--rounds", "2", "--concurrency", "50"]);
    expect(report.scenarios.map((scenario) => [scenario.name, scenario.verdict])).toEqual([
      ["normal-completion", "fail"],
      ["abrupt-close", "fail"],
      ["network-drop", "fail"],
      ["random-churn", "fail"],
    ]);
    for (const scenario of report.scenarios) {
      // Caught by counting survivors, whatever the heap check makes of 200 B against its 1 KB budget.
      // …and named with its module and line.
      expect(scenario.reasons.join("\n"), scenario.name).toMatch(
        /Object objects survive \(kept by every round, \+[\d,.]+ per 1,000 sessions net.*held by endedNotes \(Map, module src\/server\/ended-notes\.ts:\d+\) → \[entry\] \(Object \{ reason, note \}\)/,
      );
    }
    expect(code).toBe(1);
  });

  // Records of 2 KB, the newest M kept: a cache that the heap check sees fill, then stop.
  // --warmup 500 fills the bundled server's own 500 recent results before the baseline.
  const sizes = ["normal-completion", "--sessions", "240", "--warmup", "500", "--rounds", "4", "--concurrency", "40"];
  for (const [when, max] of [
    ["during the warm-up", 400],
    ["during round 1", 530],
    ["during the last-but-one round", 650],
    ["never, its entries replaced (5 of them)", 5],
  ] as const) {
    it(`passes a cache of the newest entries whose cap is reached ${when}`, { timeout: 120_000 }, async () => {
      const { code, report } = await run([...sizes, "--server-leak", `bytes:2000:max:${max}`]);
      const scenario = report.scenarios[0];
      expect([scenario.verdict, scenario.reasons]).toEqual(["pass", []]);
      // The survivors agree with the heap at once; at 240 sessions the heap interval alone may
      // straddle the budget (±800 B), or be over it while the cache fills with less than the
      // 1 MB floor grown in all, and a round or two more settle it.
      expect(scenario.notes.join("\n")).toMatch(
        /^(ran \d more rounds? .* because (the heap interval .* straddled the budget .*|the heap grew over the budget .* under the 1\.0 MB noise floor); that settled it)?$/,
      );
      expect(scenario.heap?.pass).toBe(true);
      if (max > 5) {
        const notes = scenario.heapDiff!.survivors.groups.find((group) => /reason, note/.test(group.pathText));
        expect(notes?.growth?.reason).toMatch(/^bounded: at most [\d,]+ entries, the oldest evicted$/);
        // The cap as counted: once, under CI's load, 402 for 400 (not reproduced alone: 400 each
        // time); within 1 % is the figure a reader needs, a leak would be far over.
        const peak = notes!.growth!.peakCount;
        expect(peak).toBeGreaterThanOrEqual(max);
        expect(peak).toBeLessThanOrEqual(max * 1.01);
      }
      expect(code).toBe(0);
    });
  }
});
