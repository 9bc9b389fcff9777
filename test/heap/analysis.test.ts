// The heap diff on real snapshots from a child process this test starts: a planted leak
// is found with its constructor and the variable holding it, and is absent without it;
// a bounded cache churning beside it is never called a leak.

import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeSnapshots } from "../../dist/src/heap/analyze.js";
import { DEFAULT_BUDGET } from "../../src/verdict/budget.js";
import { survivorJudge, survivorLimits } from "../../src/verdict/survivors.js";
import type { HeapDiff } from "../../dist/src/heap/model.js";
import { BIN, FIXTURES } from "../support/cli.js";

const dirs: string[] = [];

function snapshotsOf(leak: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-heap-"));
  dirs.push(dir);
  execFileSync(process.execPath, ["--expose-gc", path.join(FIXTURES, "planted-leak.cjs"), dir], {
    env: { ...process.env, LEAK: leak ? "1" : "0", NODE_OPTIONS: "" },
    timeout: 60_000,
  });
  return dir;
}

async function analyze(dir: string): Promise<HeapDiff> {
  const file = (name: string) => path.join(dir, `${name}.heapsnapshot`);
  return analyzeSnapshots({
    before: file("0"),
    between: [file("1"), file("2"), file("3")],
    last: file("final"),
    sessions: [300, 600, 900, 900],
    // The judge's rule with the default budget: the heap measures, the verdict decides.
    judge: survivorJudge(survivorLimits(DEFAULT_BUDGET)),
  });
}

describe("heap diff of a planted leak", () => {
  let leaking: HeapDiff;
  let clean: HeapDiff;
  let leakingDir: string;

  beforeAll(async () => {
    leakingDir = snapshotsOf(true);
    leaking = await analyze(leakingDir);
    clean = await analyze(snapshotsOf(false));
  }, 120_000);

  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("finds the leaked constructor, how it grows, and the variable that holds it", () => {
    const group = leaking.survivors.groups.find((candidate) => candidate.name === "LeakyThing");
    expect(group).toBeDefined();
    expect(group!.leak).toBe(true);
    expect(group!.count).toBe(900);
    expect(group!.series).toEqual([300, 600, 900, 900]);
    expect(group!.perThousandSessions).toBe(1000);
    expect(group!.trend).toBe("grows");
    // The path names the module-level array as one, with the line it is declared on.
    const declared = fs.readFileSync(path.join(FIXTURES, "planted-leak.cjs"), "utf8").split("\n").indexOf("const leakedThings = [];") + 1;
    expect(group!.pathText).toMatch(new RegExp(`^leakedThings \\(Array, module test/fixtures/planted-leak\\.cjs:${declared}\\) → \\[\\d+\\] \\(LeakyThing\\)$`));
    expect(group!.pathText.endsWith("(LeakyThing)")).toBe(true);
    // It keeps its payload arrays alive: retained is more than its own size.
    expect(group!.retainedSize).toBeGreaterThan(group!.selfSize);
    // The leak is the top group, and the payload arrays it holds are part of it, not groups of their own.
    expect(leaking.survivors.groups[0].name).toBe("LeakyThing");
    expect(leaking.survivors.groups.filter((candidate) => candidate.leak).map((candidate) => candidate.name)).toEqual(["LeakyThing"]);
    const growing = leaking.constructors.find((row) => row.name === "LeakyThing");
    expect(growing?.countDelta).toBe(900);
  });

  it("finds nothing when the process does not leak", () => {
    expect(clean.survivors.groups.filter((group) => group.leak)).toEqual([]);
    expect(clean.survivors.groups.find((group) => group.name === "LeakyThing")).toBeUndefined();
  });

  it("calls the bounded cache a plateau, in both processes", () => {
    for (const diff of [leaking, clean]) {
      const cache = diff.survivors.groups.find((group) => group.name === "CachedEntry");
      expect(cache, "the cache's newest entries survive").toBeDefined();
      expect(cache!.count).toBe(100);
      expect(cache!.trend).toBe("plateau");
      expect(cache!.leak).toBe(false);
      expect(cache!.pathText).toMatch(/^recentEntries \(Map, module test\/fixtures\/planted-leak\.cjs:\d+\) → \[entry\] \(CachedEntry\)$/);
    }
  });

  it("`leakcheck diff` prints the same, writes the reports, and --json is the diff alone", () => {
    const file = (name: string) => path.join(leakingDir, `${name}.heapsnapshot`);
    const out = path.join(leakingDir, "report");
    const text = execFileSync(process.execPath, [BIN, "diff", file("0"), file("2"), "--final", file("final"), "--out", out], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(text).toContain("LeakyThing");
    expect(text).toContain("leakedThings (Array");
    expect(fs.readFileSync(path.join(out, "heap-diff.md"), "utf8")).toContain("leakedThings (Array");
    expect(fs.readFileSync(path.join(out, "heap-diff.html"), "utf8")).toContain("LeakyThing");
    const json = JSON.parse(
      execFileSync(process.execPath, [BIN, "diff", file("0"), file("2"), "--final", file("final"), "--json"], { encoding: "utf8" }),
    ) as HeapDiff;
    // Survivors are objects new in the second snapshot and still alive at the final one.
    const group = json.survivors.groups.find((candidate) => candidate.name === "LeakyThing");
    expect(group?.count).toBe(600);
    expect(json.files).toEqual({ before: "0.heapsnapshot", after: "2.heapsnapshot", final: "final.heapsnapshot" });
  });

  // `script` (util-linux) gives the CLI a terminal for stdout, where colour is on unless NO_COLOR says otherwise.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.runIf(hasScript)("`leakcheck diff` follows NO_COLOR in a terminal and FORCE_COLOR in a pipe", () => {
    const file = (name: string) => path.join(leakingDir, `${name}.heapsnapshot`);
    const command = [process.execPath, BIN, "diff", file("0"), file("final"), "--top", "3"].map((arg) => `'${arg}'`).join(" ");
    const env: Record<string, string | undefined> = { ...process.env, TERM: "xterm-256color" };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const inTerminal = (extra: Record<string, string>) => {
      const result = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", env: { ...env, ...extra }, timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain("LeakyThing");
      return result.stdout;
    };
    expect(inTerminal({})).toContain("\x1b[");
    expect(inTerminal({ NO_COLOR: "1" })).not.toContain("\x1b[");
    const piped = execFileSync(process.execPath, [BIN, "diff", file("0"), file("final"), "--top", "3"], { encoding: "utf8", env: { ...env, FORCE_COLOR: "1" } });
    expect(piped).toContain("\x1b[");
  });
});
