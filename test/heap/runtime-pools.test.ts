// Node's own pools are bounded by Node: its free list of HTTP parsers fills with the most
// connections open at once, every round more under a growing HTTP load, and counted like a
// leak (a fixed server failed CI with "107 HTTPParser objects survive (kept by every round …)").
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeSnapshots } from "../../dist/src/heap/analyze.js";
import { DEFAULT_BUDGET } from "../../src/verdict/budget.js";
import { survivorJudge, survivorLimits } from "../../src/verdict/survivors.js";
import { FIXTURES } from "../support/cli.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-pools-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("Node's HTTP parser pool", () => {
  it("is bounded, never a leak, however much every round added to it", async () => {
    execFileSync(process.execPath, ["--expose-gc", path.join(FIXTURES, "parser-pool.cjs"), dir], { env: { ...process.env, NODE_OPTIONS: "" }, timeout: 60_000 });
    const file = (name: string) => path.join(dir, `${name}.heapsnapshot`);
    const diff = await analyzeSnapshots({
      before: file("0"),
      between: [file("1"), file("2"), file("3")],
      last: file("final"),
      sessions: [500, 1000, 1500, 1500],
      judge: survivorJudge(survivorLimits(DEFAULT_BUDGET)),
      turnover: true,
    });
    const parsers = diff.survivors.groups.find((group) => group.name === "HTTPParser");
    // The pool did grow every round (else this test proves nothing)…
    expect(parsers?.count, diff.survivors.groups.map((group) => `${group.count} ${group.name}`).join(", ")).toBeGreaterThanOrEqual(100);
    // …and is said to be Node's, bounded.
    expect(parsers!.leak).toBe(false);
    expect(parsers!.growth?.reason).toBe("bounded: Node's free list of HTTP parsers, at most 1,000, reused");
    expect(diff.survivors.groups.filter((group) => group.leak)).toEqual([]);
  }, 90_000);
});
