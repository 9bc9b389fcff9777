// Bad input and broken servers: one line on stderr, the contract's exit code, nothing left
// running; and docs/errors.md, the table of every case, generated from these runs.
// The cases are in test/cli/cases/; `npm run docs:errors` rewrites the doc.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caseLists } from "../cli/cases/index.js";
import { ERRORS_DOC, expectedDoc, firstDifference, readDoc, renderErrorsDoc, shellLine, WRITE_DOC, type ErrorRow } from "../cli/error-doc.js";
import { createWorkspace, rowOf, runErrorCase } from "../cli/error-runner.js";
import { FIXTURES, removeDir, runCli, tempReportDir } from "../support/cli.js";

const cases = caseLists.flat();
const tmp = tempReportDir();
const rows = new Map<number, ErrorRow>();

beforeAll(() => createWorkspace(tmp, cases));
afterAll(() => {
  // Files made unreadable for a case must be removable again.
  for (const each of cases) for (const name of Object.keys(each.modes ?? {})) fs.chmodSync(path.join(tmp, name), 0o755);
  removeDir(tmp);
});

describe("user scenarios", () => {
  it("runs a TypeScript scenario file by path", async () => {
    const result = await runCli(["run", path.join(FIXTURES, "quick-scenario.ts"), "--json", "--quiet", "--report-dir", path.join(tmp, "quick")]);
    const report = JSON.parse(result.stdout) as { scenarios: { name: string; verdict: string }[] };
    expect(report.scenarios.map((s) => [s.name, s.verdict])).toEqual([["quick-end", "pass"]]);
    expect(result.code).toBe(0);
  });
});

describe.concurrent("bad input: one line naming the cause and the fix, exit 2 (or 3 when the run cannot be carried out)", () => {
  cases.forEach((each, index) => {
    const title = `${shellLine(each.args, each.env)}${each.note ? ` ${each.note}` : ""}`;
    if (each.todo) {
      rows.set(index, { ...rowOf(each), notTried: true, message: `not tried yet: ${each.todo}` });
      it.todo(title);
      return;
    }
    const reason = each.notTriedBecause?.();
    if (reason) {
      rows.set(index, { ...rowOf(each), notTried: true, message: reason });
      it.skip(title);
      return;
    }
    it(title, async () => {
      rows.set(index, await runErrorCase(each, tmp));
    }, (each.timeoutMs ?? 30_000) + 10_000);
  });
});

describe("docs/errors.md", () => {
  it("has a row for every case above, as it ran (else: npm run docs:errors)", () => {
    const ordered = cases.map((_, index) => rows.get(index)).filter((row): row is ErrorRow => row !== undefined);
    if (WRITE_DOC) {
      expect(ordered.length, "every case must pass before the doc is written").toBe(cases.length);
      fs.writeFileSync(ERRORS_DOC, expectedDoc(ordered, true));
      return;
    }
    if (ordered.length < cases.length) {
      // Some cases failed or were filtered out: they say so themselves; the rows that ran must still be in the doc.
      const doc = readDoc();
      const missing = renderErrorsDoc(ordered).split("\n").filter((line) => line.startsWith("| `") && !doc.includes(line));
      expect(missing, "docs/errors.md is stale: run `npm run docs:errors`").toEqual([]);
      return;
    }
    const difference = firstDifference(expectedDoc(ordered, false));
    expect(difference, `docs/errors.md is stale (${difference}): run \`npm run docs:errors\` and commit the result`).toBeUndefined();
  });
});
