// A crashed server's output made into one line: the error and the first frame in the
// server's own code, from what this Node really prints for each way of dying at start.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crashSummary } from "../../src/server-under-test/crash-output.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-crash-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What `node FILE` prints when FILE holds `source`, behind a leakcheck header as in server.log. */
function outputOf(name: string, source: string): string {
  fs.writeFileSync(path.join(dir, name), source);
  const result = spawnSync(process.execPath, [name], { cwd: dir, encoding: "utf8" });
  return `==> leakcheck: normal-completion · 2026-01-01T00:00:00.000Z\n${result.stdout}${result.stderr}`;
}

describe("crashSummary", () => {
  it("an uncaught Error: its line and the server's own frame, not Node's", () => {
    const output = outputOf("throws.cjs", 'function loadConfig() {\n  throw new Error("boom at startup");\n}\nloadConfig();\n');
    expect(output).toMatch(/executeUserEntryPoint[\s\S]*Node\.js v/); // what the last lines used to show
    expect(crashSummary(output, dir)).toBe("Error: boom at startup (thrown at loadConfig, throws.cjs:2:9)");
  });

  it("a missing module: the first line of a message that runs over lines, and the require in the server", () => {
    const output = outputOf("requires.cjs", 'const config = require("./config");\n');
    expect(crashSummary(output, dir)).toBe("Error: Cannot find module './config' (thrown at Object.<anonymous>, requires.cjs:1:16)");
  });

  it("an ES module's top-level throw: a frame with no function name, shown as a path", () => {
    const output = outputOf("top.mjs", 'throw new TypeError("esm boom");\n');
    expect(crashSummary(output, dir)).toBe("TypeError: esm boom (thrown at top.mjs:1:7)");
  });

  it("a syntax error: no frame of the server's, so the file and line Node printed above the caret", () => {
    const output = outputOf("syntax.cjs", "let a = ;\n");
    expect(crashSummary(output, dir)).toBe("SyntaxError: Unexpected token ';' (thrown at syntax.cjs:1)");
  });

  it("an error with a code: the properties Node prints after the stack are not taken for the error", () => {
    const output = outputOf("coded.cjs", 'const e = new RangeError("bad port"); e.code = "EX"; throw e;\n');
    expect(crashSummary(output, dir)).toBe("RangeError: bad port (thrown at Object.<anonymous>, coded.cjs:1:11)");
  });

  it("a frame inside node_modules is passed over for the server's own", () => {
    const output = [
      "Error: listen EADDRINUSE: address already in use 127.0.0.1:3000",
      "    at Server.setupListenHandle [as _listen2] (node:net:1908:16)",
      `    at Application.listen (${dir}/node_modules/express/lib/application.js:635:24)`,
      `    at start (${dir}/src/index.js:12:7)`,
    ].join("\n");
    expect(crashSummary(output, dir)).toBe(`Error: listen EADDRINUSE: address already in use 127.0.0.1:3000 (thrown at start, ${path.join("src", "index.js")}:12:7)`);
  });

  it("no stack: the last lines, without Node's version line; nothing at all says so", () => {
    expect(crashSummary("starting\nError: Cannot find module './config'\nNode.js v20.20.2\n", dir)).toBe(
      "last output: starting | Error: Cannot find module './config'",
    );
    expect(crashSummary("/bin/sh: 1: nope: not found\n", dir)).toBe("last output: /bin/sh: 1: nope: not found");
    expect(crashSummary("==> leakcheck: a · t\n", dir)).toBe("it printed nothing");
  });

  it("only the output of this scenario's server counts, after the last header", () => {
    const earlier = outputOf("throws-too.cjs", 'throw new Error("the previous server");\n');
    expect(crashSummary(`${earlier}\n==> leakcheck: abrupt-close · t\nlistening\n`, dir)).toBe("last output: listening");
  });

  it("a very long error line is cut to keep the message one readable line", () => {
    const summary = crashSummary(`Error: ${"x".repeat(1000)}\n    at start (/srv/app.js:1:1)\n`, dir);
    expect(summary.length).toBeLessThanOrEqual(300);
    expect(summary.endsWith("…")).toBe(true);
  });
});
