// The project's config file: found from the current folder up to the project's root,
// validated like the budget (a typo is exit 2 with did-you-mean), under the flags.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findConfigFile, readConfigFile } from "../../src/cli/config.js";
import { ruled } from "../../src/cli/parsers.js";
import { RUN_SETTINGS } from "../../src/cli/run-settings.js";
import { UsageError } from "../../src/errors.js";
import { BUNDLED_SCENARIOS, expandRequests } from "../../src/scenario/loader.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-config-"));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function problem(text: string, name = "leakcheck.config.json"): Promise<string> {
  const dir = project({ [name]: text });
  const error = await readConfigFile(path.join(dir, name), dir).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message;
}

describe("the config file", () => {
  it("is found from a subfolder up to the project's root, and not above it", () => {
    const dir = project({ "package.json": "{}", "leakcheck.config.json": "{}", "src/app/x.js": "" });
    expect(findConfigFile(path.join(dir, "src/app"))).toBe(path.join(dir, "leakcheck.config.json"));
    const inner = project({ "leakcheck.config.json": "{}", "packages/a/package.json": "{}" });
    expect(findConfigFile(path.join(inner, "packages/a"))).toBeUndefined();
    const two = project({ "leakcheck.config.json": "{}", "leakcheck.config.mjs": "export default {}" });
    expect(() => findConfigFile(two)).toThrow(/has 2 config files \(leakcheck\.config\.json, leakcheck\.config\.mjs\): keep one/);
  });

  it("reads every setting, paths relative to its folder, durations in words or ms", async () => {
    const dir = project({
      "leakcheck.config.json": JSON.stringify({
        server: "npm start", metricsPath: "/metrics", readyPath: "/health", gauges: ["users"], scenarios: "leak-tests",
        budget: "budget.json", timeouts: { ready: "20s", settle: 5000 }, sessions: 100, concurrency: 10, rounds: 2, warmup: 5, reportDir: "out",
        maxSessions: 400, maxDuration: "2m", allocationSites: true,
      }),
    });
    const config = await readConfigFile(path.join(dir, "leakcheck.config.json"), dir);
    expect(config).toMatchObject({
      server: "npm start", metricsPath: "/metrics", readyPath: "/health", gauges: ["users"], scenariosDir: path.join(dir, "leak-tests"),
      budget: path.join(dir, "budget.json"), timeouts: { ready: 20_000, settle: 5000 }, sessions: 100, reportDir: path.join(dir, "out"),
      maxSessions: 400, maxDuration: 120_000, allocationSites: true,
    });
  });

  it("loads .mjs and .ts files, and an inline budget checked like a budget file", async () => {
    const dir = project({
      "a/leakcheck.config.mjs": 'export default { url: "http://127.0.0.1:3000", budget: { gauges: { "*": 1 } } };',
      "b/leakcheck.config.ts": 'const sessions: number = 50;\nexport default { server: "node app.js", sessions };',
    });
    expect(await readConfigFile(path.join(dir, "a/leakcheck.config.mjs"), dir)).toMatchObject({ url: "http://127.0.0.1:3000", budget: { gauges: { "*": 1 } } });
    expect(await readConfigFile(path.join(dir, "b/leakcheck.config.ts"), dir)).toMatchObject({ server: "node app.js", sessions: 50 });
  });

  it("names the bad key with did-you-mean, the bad value, and what is wrong", async () => {
    expect(await problem('{"sesions": 5}')).toMatch(/^config file leakcheck\.config\.json: unknown key "sesions" \(did you mean "sessions"\?\) at the top level; allowed there: server, url/);
    expect(await problem('{"timeouts": {"redy": "5s"}}')).toMatch(/unknown key "redy" \(did you mean "ready"\?\) in timeouts; allowed there: ready, settle/);
    expect(await problem('{"timeouts": {"ready": "soon"}}')).toMatch(/timeouts\.ready: must be a duration from 100ms to 10m, like 500ms, 15s or 10m, got "soon"/);
    expect(await problem('{"maxSessions": 0}')).toMatch(/maxSessions: must be a whole number from 1 to 10,000,000, got 0;/);
    expect(await problem('{"maxDuration": "forever"}')).toMatch(/maxDuration: must be a duration from 0 to 24h, like 500ms, 15s or 10m, got "forever";/);
    expect(await problem('{"allocationSites": "yes"}')).toMatch(/allocationSites: must be true or false, got "yes";/);
    expect(await problem('{"maxSesions": 5}')).toMatch(/unknown key "maxSesions" \(did you mean "maxSessions"\?\)/);
    expect(await problem('{"sessions": 0}')).toMatch(/sessions: must be a whole number from 1 to 1,000,000, got 0/);
    expect(await problem('{"metricsPath": "metrics"}')).toMatch(/metricsPath: must be a URL path starting with \//);
    expect(await problem('{"server": "npm start", "url": "http://127.0.0.1:3000"}')).toMatch(/has both server and url: keep server .* or url/);
    expect(await problem('{"budget": {"gauge": {}}}')).toMatch(/config file leakcheck\.config\.json, budget: unknown key "gauge" \(did you mean "gauges"\?\)/);
    expect(await problem("{ server: npm }")).toMatch(/is not valid JSON .*: fix the file/);
    expect(await problem("export const x = 1;", "leakcheck.config.mjs")).toMatch(/has no default export/);
    expect(await problem("export default {", "leakcheck.config.mjs")).toMatch(/failed to load \(.*\): fix the file/);
  });
});

describe("the config's numbers and the flags' numbers", () => {
  it("are one validation: a value one refuses the other refuses, with the same words", async () => {
    const flags = { sessions: "--sessions", maxSessions: "--max-sessions", maxDuration: "--max-duration" } as const;
    const tried = ["0", "1", "1000000", "1000001", "10000000", "10000001", "1.5", "abc", "500ms", "24h", "25h"];
    for (const [key, option] of Object.entries(flags) as [keyof typeof flags, string][]) {
      const flag = ruled(option, RUN_SETTINGS[key]);
      for (const value of tried) {
        const fromFlag = (() => {
          try {
            return flag(value);
          } catch (error) {
            return (error as Error).message.replace(`${option} `, "").replace(/, got .*$/, "");
          }
        })();
        // In JSON a number is written as a number; a duration as a string.
        const json = /^\d+$/.test(value) ? value : JSON.stringify(value);
        const dir = project({ "leakcheck.config.json": `{"${key}": ${json}}` });
        const fromConfig = await readConfigFile(path.join(dir, "leakcheck.config.json"), dir).then(
          (config) => config[key],
          (error: Error) => error.message.replace(/^.*?: (must .*?), got .*$/, "$1"),
        );
        expect(fromConfig, `${key}: ${json}`).toEqual(fromFlag);
      }
    }
  });
});

describe("what run runs", () => {
  it("no names: the project's scenarios; all: bundled and project's, or the project's alone when the config names its server", () => {
    const dir = project({ "leak/chat.ts": "", "leak/abrupt-close.mjs": "", "leak/types.d.ts": "", "leak/notes.md": "" });
    const leak = path.join(dir, "leak");
    const project_ = { dir: leak, allIsProject: false };
    expect(expandRequests([], project_, dir)).toEqual(["leak/abrupt-close.mjs", "leak/chat.ts"]);
    // A project file named like a bundled scenario does not replace it in `all` beside the bundled ones.
    expect(expandRequests(["all"], project_, dir)).toEqual([...BUNDLED_SCENARIOS, "leak/chat.ts"]);
    expect(expandRequests(["all"], { dir: leak, allIsProject: true }, dir)).toEqual(["leak/abrupt-close.mjs", "leak/chat.ts"]);
    // A bare name is looked up in the project's folder; bundled names, paths and unknown names pass through.
    expect(expandRequests(["chat", "abrupt-close", "x/y.ts", "nope"], project_, dir)).toEqual(["leak/chat.ts", "abrupt-close", "x/y.ts", "nope"]);
    expect(() => expandRequests([], { dir: path.join(dir, "none"), allIsProject: false }, dir)).toThrow(/^no scenario given, and the folder none\/ has no scenario files/);
    expect(() => expandRequests(["all"], { dir: path.join(dir, "none"), allIsProject: true }, dir)).toThrow(/^`all` means the project's scenarios here .* none\/ has no scenario files/);
  });
});
