// The data flow of a run, kept true by a static scan of every import under src/ (issue 13):
// a stage imports only from the stages before it, never from one after. The run and the
// reports are siblings downstream of the verdict: the run emits events, the reports
// subscribe, and only the CLI knows both.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src");

/**
 * Upstream first. A module may import from its own stage when the stage is `mutual`, and
 * from any stage listed before its own; nothing else.
 */
const STAGES: { members: string[]; mutual: boolean; why: string }[] = [
  { members: ["errors.ts", "format.ts", "duration.ts", "protocol.ts"], mutual: true, why: "leaves: imported by anyone" },
  { members: ["server"], mutual: false, why: "the bundled server: a program of its own, sharing only the protocol" },
  { members: ["probe"], mutual: false, why: "the agent inside the server and its client" },
  { members: ["server-under-test"], mutual: false, why: "spawn / attach / wait-ready / kill the server's process tree" },
  { members: ["scenario", "load"], mutual: true, why: "a scenario's session drives the load's clients; the pool runs scenarios" },
  { members: ["heap"], mutual: false, why: "snapshot reader, diff, survivors: measures only" },
  { members: ["report-schema"], mutual: false, why: "the one shape of the results, read by the judge, the run and the reports" },
  { members: ["verdict"], mutual: false, why: "budgets and the judge: the only place a verdict is decided" },
  { members: ["run", "report"], mutual: false, why: "the run emits, the reports subscribe: neither imports the other" },
  { members: ["cli"], mutual: false, why: "argv → options; wires the run to its renderers" },
  { members: ["index.ts"], mutual: false, why: "the library entry" },
];

/** The folder or top-level file under src/ (a .js specifier names its .ts source). */
function topOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0].replace(/\.js$/, ".ts").replace(/\.cjs$/, ".cts");
}

function stageOf(file: string): number {
  const top = topOf(file);
  const index = STAGES.findIndex((stage) => stage.members.includes(top));
  if (index === -1) throw new Error(`src/${top} is in no stage of this test: add it where it belongs in the data flow`);
  return index;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.(c|m)?ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [file] : [];
  });
}

/** Relative specifiers of every static import, re-export and dynamic import in `text`. */
export function relativeImports(text: string): string[] {
  const found: string[] = [];
  const patterns = [/^\s*(?:import|export)\s[^;]*?\sfrom\s+["'](\.[^"']+)["']/gm, /^\s*import\s+["'](\.[^"']+)["']/gm, /\bimport\(\s*["'](\.[^"']+)["']\s*\)/g, /\brequire\(\s*["'](\.[^"']+)["']\s*\)/g];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** Every import that goes against the flow, as "src/a.ts → src/b.ts (stage → stage)". */
function violations(): string[] {
  const wrong: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = stageOf(file);
    for (const specifier of relativeImports(fs.readFileSync(file, "utf8"))) {
      const target = path.resolve(path.dirname(file), specifier);
      if (!target.startsWith(SRC + path.sep)) continue; // package.json and the like
      const to = stageOf(target);
      const sameTop = topOf(file) === topOf(target);
      if (to < from || sameTop || (to === from && STAGES[from].mutual)) continue;
      wrong.push(`src/${path.relative(SRC, file)} → src/${path.relative(SRC, target)} (${STAGES[from].members.join("/")} → ${STAGES[to].members.join("/")})`);
    }
  }
  return wrong;
}

describe("the data flow of src/", () => {
  it("every import goes upstream: no stage imports a later one, and the run and the reports never import each other", () => {
    expect(violations()).toEqual([]);
  });

  it("sees imports in every form, so the check above can fail", () => {
    const text = [
      'import type { A } from "../run/options.js";',
      'import {\n  b,\n  c,\n} from "./b.js";',
      'export { d } from "../report/d.js";',
      'import "../server-under-test/leftovers.js";',
      'const e = await import("../cli/e.js");',
      'import { z } from "zod";',
    ].join("\n");
    expect(relativeImports(text).sort()).toEqual(["../cli/e.js", "../report/d.js", "../run/options.js", "../server-under-test/leftovers.js", "./b.js"]);
  });
});
