// The machinery behind docs/errors.md: stable rows, safe Markdown, and rows a machine cannot try.
import { describe, expect, it } from "vitest";
import { expectedDoc, firstDifference, normalise, renderErrorsDoc, shellLine, type ErrorRow } from "./error-doc.js";
import { ROOT } from "../support/cli.js";

const row = (over: Partial<ErrorRow>): ErrorRow => ({ section: "run", command: "leakcheck run x", exit: 2, message: "leakcheck: boom", ...over });

describe("docs/errors.md rows", () => {
  it("replaces what varies between runs with placeholders", () => {
    const text = "see /tmp/lc-1/reports/20261125T235610Z-normal-completion-2/server.log at 2026-11-25T23:56:10.584Z; GET http://127.0.0.1:41879/x; port 41879; pid 123; seed 77; :3000 stays";
    expect(normalise(`${text} ${ROOT}/x`, { tmp: "/tmp/lc-1", port: 41879 })).toBe(
      "see <tmp>/reports/<stamp>-normal-completion/server.log at <time>; GET http://127.0.0.1:<port>/x; port <port>; pid <pid>; seed <seed>; :3000 stays <repo>/x",
    );
  });

  it("replaces a port the system picked, as leakcheck names it to the user", () => {
    expect(normalise("nothing listened on port 46425: (PORT=46425, HOST=127.0.0.1)", { tmp: "/tmp/lc-1" })).toBe("nothing listened on port <port>: (PORT=<port>, HOST=127.0.0.1)");
  });

  it("writes command lines as typed in a shell", () => {
    expect(shellLine(["run", "all", "--server", "npm start", "--budget", ""], { PORT: "abc" })).toBe('PORT=abc leakcheck run all --server "npm start" --budget ""');
    expect(shellLine(["run", 'say "$HOME"'])).toBe(`leakcheck run 'say "$HOME"'`);
  });

  it("keeps pipes and backticks of a message inside its table cell", () => {
    const doc = renderErrorsDoc([row({ message: "a | b, got `x`" })]);
    expect(doc).toContain("| `leakcheck run x` | 2 | `` a \\| b, got `x` `` |");
  });

  it("finds the first line that differs", () => {
    expect(firstDifference("a\nb\n", "a\nc\n")).toBe('line 2 should be "b" but is "c"');
    expect(firstDifference("a\n", "a\n")).toBeUndefined();
  });

  it("keeps the real row of a case this machine cannot try, and accepts a 'not tried' row for one it can", () => {
    const real = row({ command: "leakcheck run --budget unreadable", mayBeNotTried: true, message: "leakcheck: not readable" });
    const skipped = { ...real, notTried: true, exit: undefined, message: "not tried: root" };
    const withReal = renderErrorsDoc([real]);
    const withSkip = renderErrorsDoc([skipped]);
    expect(expectedDoc([skipped], false, withReal)).toBe(withReal);
    expect(expectedDoc([real], false, withSkip)).toBe(withSkip);
    expect(expectedDoc([real], true, withSkip)).toBe(withReal);
    // A todo case is never filled in from the doc.
    const todo = row({ command: "leakcheck run --duration 0", notTried: true, exit: undefined, message: "not tried yet" });
    expect(expectedDoc([todo], false, renderErrorsDoc([row({ command: "leakcheck run --duration 0" })]))).toBe(renderErrorsDoc([todo]));
  });
});
