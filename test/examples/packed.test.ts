// leakcheck installed as users install it: `npm pack`, the tarball installed into a fresh
// project that has its own app (a copy of examples/chat), then `npx leakcheck run` there,
// with a scenario importing "leakcheck" and the app importing "leakcheck/gauges".
// The install is offline: a lockfile made from this repository's (leakcheck's runtime
// dependencies, as resolved here) lets `npm ci --offline` take every package from the npm cache.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-packed-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", GITHUB_STEP_SUMMARY: "", npm_config_update_notifier: "false", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, all: `${result.stdout}\n${result.stderr}` };
}

/** package-lock.json for `project`: its own dependencies, leakcheck from the tarball, and leakcheck's runtime tree as locked here. */
function lockfile(project: { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> }, tarball: string) {
  const repoLock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  const leakcheck = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const packages: Record<string, unknown> = {
    "": { name: project.name, dependencies: project.dependencies, devDependencies: project.devDependencies },
    "node_modules/leakcheck": {
      version: leakcheck.version,
      resolved: `file:${tarball}`,
      integrity: `sha512-${crypto.createHash("sha512").update(fs.readFileSync(path.join(dir, "app", tarball))).digest("base64")}`,
      dev: true,
      dependencies: leakcheck.dependencies,
      bin: leakcheck.bin,
      engines: leakcheck.engines,
    },
  };
  for (const [key, entry] of Object.entries(repoLock.packages)) if (key.startsWith("node_modules/") && !entry.dev) packages[key] = entry;
  return { name: project.name, lockfileVersion: 3, requires: true, packages };
}

it("packs, installs into a project of its own, and gates its app with npx leakcheck run", () => {
  const packed = sh("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT);
  expect(packed.code, packed.all).toBe(0);
  const [{ filename, files }] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  const shipped = files.map((file) => file.path);
  expect(shipped).toEqual(expect.arrayContaining(["bin/leakcheck.js", "dist/src/index.js", "dist/src/probe/agent.cjs", "dist/src/probe/gauges.cjs", "examples/chat/server.js"]));
  expect(shipped.filter((file) => file.startsWith("test/") || file.startsWith("src/"))).toEqual([]);

  const app = path.join(dir, "app");
  fs.cpSync(path.join(ROOT, "examples/chat"), app, { recursive: true });
  fs.renameSync(path.join(dir, filename), path.join(app, filename));
  const project = JSON.parse(fs.readFileSync(path.join(app, "package.json"), "utf8"));
  project.devDependencies.leakcheck = `file:${filename}`;
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify(project, null, 2));
  fs.writeFileSync(path.join(app, "package-lock.json"), JSON.stringify(lockfile(project, filename), null, 2));
  const installed = sh("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], app);
  expect(installed.code, installed.all).toBe(0);

  const run = sh("npx", ["leakcheck", "run", "--sessions", "40", "--warmup", "4", "--rounds", "2", "--no-snapshots", "--quiet", "--json"], app);
  expect(run.code, run.all).toBe(0);
  const [scenario] = JSON.parse(run.stdout).scenarios;
  expect(scenario).toMatchObject({ name: "chat-session", verdict: "pass" });
  // 40, or more when the heap interval straddled the budget and extra rounds ran (issue 11).
  expect(scenario.sessions).toBeGreaterThanOrEqual(40);
  // The app's own gauge, declared through the installed leakcheck/gauges, and Socket.IO's counts.
  expect(scenario.gauges.map((gauge: { name: string }) => gauge.name)).toEqual(expect.arrayContaining(["users", "socket.io /chat rooms"]));
}, 240_000);
