// The heap-diff report as a developer reads it: the leaking groups first, what stopped
// growing (parser buffers, realm data, caches) folded away under them.

import { describe, expect, it } from "vitest";
import type { HeapDiff, SurvivorGroup } from "../../src/heap/model.js";
import { renderHeapDiffHtml, renderHeapDiffMarkdown, renderHeapDiffTerminal } from "../../src/report/heap-diff.js";
import { Chalk } from "chalk";

function group(name: string, count: number, trend: SurvivorGroup["trend"], leak: boolean, pathText: string): SurvivorGroup {
  return { name, type: "object", count, selfSize: count * 32, retainedSize: count * 64, series: [count], perThousandSessions: null, trend, leak, path: [{ node: name, edge: "" }], pathText };
}

function diffOf(groups: SurvivorGroup[]): HeapDiff {
  return {
    files: { before: "a.heapsnapshot", after: "b.heapsnapshot" },
    totals: { before: { count: 1, size: 1 }, after: { count: 2, size: 2 } },
    constructors: [],
    survivors: { count: groups.reduce((sum, g) => sum + g.count, 0), selfSize: 0, groups },
    timings: { readMs: 1, analyzeMs: 1, bytes: 1 },
  };
}

describe("heap-diff report", () => {
  const leak = group("Session", 800, "grows", true, "sessions (Map, module app.js:3) → [entry] (Session)");
  const buffer = group("Node / parser_buffer", 1, "plateau", false, "(Node runtime) → parser_buffer (Node / parser_buffer)");
  const cache = group("CachedEntry", 100, "plateau", false, "recent (Map, module app.js:4) → [entry] (CachedEntry)");
  const few = group("HeaderList", 15, "unknown", false, "HTTPParser → _headers (HeaderList)");

  it("puts the leak first and folds the groups that stopped growing or are small", () => {
    const diff = diffOf([leak, buffer, cache, few]);
    for (const text of [renderHeapDiffMarkdown(diff, "t"), renderHeapDiffHtml(diff, "t")]) {
      const [shown, folded = ""] = text.split("<details>");
      expect(shown).toContain("Session");
      for (const quiet of ["parser_buffer", "CachedEntry", "HeaderList"]) {
        expect(shown).not.toContain(quiet);
        expect(folded).toContain(quiet);
      }
      expect(folded).toContain("3 more groups that stopped growing or are small");
    }
    const terminal = renderHeapDiffTerminal(diff, new Chalk({ level: 0 }));
    expect(terminal).toContain("sessions (Map, module app.js:3)");
    expect(terminal).not.toContain("parser_buffer");
    expect(terminal).toContain("… and 3 more groups");
  });

  it("shows groups of many objects when there are no rounds to tell a trend, and folds nothing when nothing is quiet", () => {
    const unknown = group("Thing", 600, "unknown", false, "things (Array, module app.js:9) → [3] (Thing)");
    unknown.path = [{ node: "(module)", edge: "things", location: "app.js:9" }, { node: "Array", edge: "[3]" }, { node: "Thing", edge: "" }];
    const html = renderHeapDiffHtml(diffOf([unknown]), "t");
    expect(html).toContain("things (Array, module app.js:9)");
    expect(html).not.toContain("<details>");
  });

  it("words growth as the judge read it (a leak, or bounded) and says where a group was allocated, as report.html does", () => {
    const growth = (kind: "leak" | "bounded", reason: string) => ({ kind, net: 0, netPerThousandSessions: 0, endCount: 0, peakCount: 0, rounds: [], reason });
    const leaking = group("Session", 800, "grows", true, "sessions (Map, module app.js:3) → [entry] (Session)");
    leaking.perThousandSessions = 1000;
    leaking.growth = growth("leak", "kept by every round, +1,000 per 1,000 sessions net");
    leaking.allocatedAt = "allocated at app.js:56 joinRoom ← app.js:80 (anonymous)";
    const bounded = group("CachedEntry", 500, "grows", false, "recent (Map, module app.js:4) → [entry] (CachedEntry)");
    bounded.perThousandSessions = 400;
    bounded.growth = growth("bounded", "bounded: at most 500 entries, the oldest evicted");
    const diff = diffOf([leaking, bounded]);
    const terminal = renderHeapDiffTerminal(diff, new Chalk({ level: 0 }));
    for (const text of [renderHeapDiffMarkdown(diff, "t"), renderHeapDiffHtml(diff, "t"), terminal]) {
      expect(text).toContain("leak: kept by every round, +1,000 per 1,000 sessions net");
      expect(text).toContain("bounded: at most 500 entries, the oldest evicted");
      // Not the bare count's trend in its place.
      expect(text).not.toContain("+400 per 1,000 sessions");
    }
    expect(renderHeapDiffMarkdown(diff, "t")).toContain("sessions (Map, module app.js:3) → [entry] (Session)<br>allocated at app.js:56 joinRoom ← app.js:80 (anonymous) |");
    expect(renderHeapDiffHtml(diff, "t")).toContain('<span class="site">allocated at app.js:56 joinRoom ← app.js:80 (anonymous)</span>');
    expect(terminal).toMatch(/sessions \(Map, module app\.js:3\) → \[entry\] \(Session\)\n\s+allocated at app\.js:56 joinRoom/);
  });
});
