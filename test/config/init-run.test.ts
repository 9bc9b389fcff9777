// `leakcheck init` then `leakcheck run` in a project of its own, as a user would: the config
// and first scenario it writes run against the app; flags win over the config; `all` is the
// project's scenarios when the config names the server; init never overwrites.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ignoreReports, scenarioSource } from "../../src/cli/init.js";
import { BIN, FIXTURES, ROOT, runCli } from "../support/cli.js";

const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;

let dir = "";
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-init-"));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "my-app", private: true, type: "module" }));
  // The scenario imports "leakcheck", resolved as from an installed package.
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(ROOT, path.join(dir, "node_modules/leakcheck"), "dir");
  // The app: a copy of the room fixture, fixed, started by a command relative to the project.
  fs.symlinkSync(path.join(ROOT, "node_modules/socket.io"), path.join(dir, "node_modules/socket.io"), "dir");
  fs.copyFileSync(path.join(FIXTURES, "room-server.cjs"), path.join(dir, "room-server.cjs"));
  fs.mkdirSync(path.join(dir, "src"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("leakcheck init", () => {
  it("writes a config and a first scenario that run; flags beat the config; all is the project's; never overwrites", async () => {
    const server = "FIXED=1 node room-server.cjs";
    const written = await runCli(["init", "--server", server], { cwd: dir });
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toMatch(/^wrote leakcheck\.config\.json and scenarios\/first-session\.mjs\nwrote \.gitignore with reports\/ \(heap snapshots .*\)\nnext: npx leakcheck run/);
    expect(fs.readFileSync(path.join(dir, ".gitignore"), "utf8")).toBe("reports/\n");
    const config = JSON.parse(fs.readFileSync(path.join(dir, "leakcheck.config.json"), "utf8"));
    expect(config).toEqual({ server, scenarios: "scenarios" });
    fs.writeFileSync(path.join(dir, "leakcheck.config.json"), JSON.stringify({ ...config, sessions: 12, rounds: 1, warmup: 2, reportDir: "leak-reports", maxSessions: 30, maxDuration: "3s", allocationSites: true }));

    const again = await runCli(["init", "--server", "npm start"], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^leakcheck: leakcheck\.config\.json already exists: leakcheck init does not overwrite/);

    // No names: the project's scenarios, with the config's sessions and report folder; from a
    // subfolder, the config is found above and its server command runs in the config's folder.
    const plain = await runCli(["run", "--json", "--quiet", "--no-snapshots"], { cwd: path.join(dir, "src") });
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).scenarios.map((s: { name: string; sessions: number }) => [s.name, s.sessions])).toEqual([["first-session", 12]]);
    expect(JSON.parse(plain.stdout).options).toMatchObject({ maxSessions: 30, maxDurationMs: 3000, allocationSites: true });
    expect(fs.readdirSync(path.join(dir, "leak-reports"))).toContain("latest");

    // `all`: the project's scenarios only (not the interview ones); --sessions beats the config.
    const all = await runCli(["run", "all", "--sessions", "6", "--json", "--quiet", "--no-snapshots"], { cwd: dir });
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).scenarios.map((s: { name: string; sessions: number }) => [s.name, s.sessions])).toEqual([["first-session", 6]]);
    expect(JSON.parse(all.stdout).options).toMatchObject({ maxSessions: 30, maxDurationMs: 3000 });
    const flagWins = await runCli(["run", "--max-sessions", "8", "--max-duration", "1s", "--sessions", "4", "--no-allocation-sites", "--json", "--quiet", "--no-snapshots"], { cwd: dir });
    expect(flagWins.code, flagWins.stderr).toBe(0);
    expect(JSON.parse(flagWins.stdout).options).toMatchObject({ maxSessions: 8, maxDurationMs: 1000, allocationSites: false });
  }, 90_000);

  it("keeps reports/ out of git: appends the line once, keeps the user's lines", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-ignore-"));
    try {
      fs.writeFileSync(path.join(project, ".gitignore"), "node_modules");
      expect(ignoreReports(project)).toMatch(/^added reports\/ to \.gitignore/);
      expect(fs.readFileSync(path.join(project, ".gitignore"), "utf8")).toBe("node_modules\nreports/\n");
      expect(ignoreReports(project)).toBeUndefined();
      fs.writeFileSync(path.join(project, ".gitignore"), "/reports\n");
      expect(ignoreReports(project)).toBeUndefined();
      expect(fs.readFileSync(path.join(project, ".gitignore"), "utf8")).toBe("/reports\n");
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it("writes the scenario to the contract: namespace, auth, events with or without ack", () => {
    const source = scenarioSource({ name: "chat", namespace: "/chat", auth: { token: "t" }, event: ["join", "typing"], ack: true, payload: [{ room: "a" }] });
    expect(source).toContain('await ctx.connect({ namespace: "/chat", auth: {"token":"t"} });');
    expect(source).toContain('await client.emitWithAck("join", {"room":"a"});');
    expect(scenarioSource({ name: "x", event: ["typing"] })).toContain('client.emit("typing", {});');
    expect(scenarioSource({ name: "x" })).toContain("await ctx.connect();");
    expect(source).toContain('await client.emitWithAck("typing", {"room":"a"});');
  });

  it("pairs one --payload per --event, none emitting without one (a new user's clear(ack) got {} as its ack)", async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-init-payloads-"));
    try {
      fs.writeFileSync(path.join(project, "package.json"), "{}");
      const args = ["init", "--server", "node board.js", "--event", "draw", "--event", "clear", "--ack", "--payload", '{"x":1}', "--payload", "none", "--no-prompt"];
      const result = await runCli(args, { cwd: project });
      expect(result.code, result.stderr).toBe(0);
      const source = fs.readFileSync(path.join(project, "scenarios/first-session.mjs"), "utf8");
      expect(source).toContain('await client.emitWithAck("draw", {"x":1});');
      expect(source).toContain('await client.emitWithAck("clear");');
      fs.rmSync(path.join(project, "leakcheck.config.json"));
      const mismatched = await runCli([...args.slice(0, -1), "--payload", "{}", "--name", "other", "--no-prompt"], { cwd: project });
      expect(mismatched.code).toBe(2);
      expect(mismatched.stderr).toBe("leakcheck: 3 --payload for 2 --event: give one for every event, or one per --event in the same order (none: no payload)\n");
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it("refuses without a server to test, in one line", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-init-empty-"));
    try {
      const result = await runCli(["init"], { cwd: empty });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^leakcheck: no server to test: give --server "<command that starts it>".*\n$/);
      expect(fs.readdirSync(empty)).toEqual([]);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it.runIf(HAS_SCRIPT)("asks on a terminal what the flags leave out, answers typed ahead included", () => {
    const here = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-init-tty-"));
    try {
      fs.writeFileSync(path.join(here, "package.json"), JSON.stringify({ scripts: { start: "node app.js" } }));
      // script(1) gives init a terminal; the answers: the default server, /chat, two events, acks, auth.
      const result = spawnSync("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} init --format ts`, "/dev/null"], {
        cwd: here,
        input: '\n/chat\njoin, typing\ny\n{"token":"t"}\n',
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(result.status, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/Command that starts your server on \$PORT \[npm start\]: /);
      expect(JSON.parse(fs.readFileSync(path.join(here, "leakcheck.config.json"), "utf8"))).toEqual({ server: "npm start", scenarios: "scenarios" });
      const scenario = fs.readFileSync(path.join(here, "scenarios/first-session.ts"), "utf8");
      expect(scenario).toContain('await ctx.connect({ namespace: "/chat", auth: {"token":"t"} });');
      expect(scenario).toContain('await client.emitWithAck("typing", {});');
    } finally {
      fs.rmSync(here, { recursive: true, force: true });
    }
  });
});
