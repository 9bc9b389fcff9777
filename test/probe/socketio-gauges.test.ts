// Socket.IO's own counts as gauges, read by the probe inside the server: found in an ESM
// app without its cooperation, with the app's own leakcheck/gauges beside them; and a room
// left in the adapter fails the gate with no metrics endpoint, while the fixed server passes.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { io as connectClient } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { findServerProbe } from "../../src/probe/client.js";
import { socketIoHandshake } from "../../src/server-under-test/readiness.js";
import { FIXTURES, ROOT, removeDir, runCli, tempReportDir } from "../support/cli.js";

const AGENT = path.join(ROOT, "dist/src/probe/agent.cjs");
const TOKEN = "gauges-token";
const started: { child: ChildProcess; dir: string }[] = [];
afterAll(() => {
  for (const { child, dir } of started) {
    child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe("Socket.IO's counts through the probe", () => {
  it("finds the Server of an ESM app and reads namespaces, rooms, socket ids, engine clients and the app's gauges", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-sio-probe-"));
    const child = spawn(process.execPath, ["--require", AGENT, path.join(FIXTURES, "esm-gauges-server.mjs")], {
      cwd: ROOT,
      env: { ...process.env, LEAKCHECK_PROBE_DIR: dir, LEAKCHECK_PROBE_TOKEN: TOKEN },
      stdio: ["ignore", "pipe", "inherit"],
    });
    started.push({ child, dir });
    const port = Number(await new Promise<string>((resolve) => child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString()))));
    const probe = (await findServerProbe(dir, TOKEN, port, 3000))!;
    const idle = (await probe.gauges(2000)).gauges;
    expect(idle).toMatchObject({ "socket.io / sockets": 0, "socket.io /chat sockets": 0, "socket.io /chat rooms": 0, "socket.io engine clients": 0, users: 0 });

    const clients = [0, 1, 2].map(() => connectClient(`http://127.0.0.1:${port}/chat`, { transports: ["websocket"], forceNew: true }));
    await Promise.all(clients.map((client) => new Promise((resolve) => client.once("connect", () => resolve(undefined)))));
    const busy = (await probe.gauges(2000)).gauges;
    // Three sockets, each in its own room plus the shared "lobby".
    expect(busy).toMatchObject({
      "socket.io /chat sockets": 3,
      "socket.io /chat rooms": 4,
      "socket.io /chat socket ids": 3,
      "socket.io / sockets": 0,
      "socket.io engine clients": 3,
      users: 3,
    });
    for (const client of clients) client.disconnect();
    await expect.poll(async () => (await probe.gauges(2000)).gauges, { timeout: 3000 }).toMatchObject(idle);

    // Readiness by handshake: the engine.io session it opens is closed at once, not left
    // among the engine's clients until its ping timeout (45 s) to blur the baseline.
    expect(await socketIoHandshake(`http://127.0.0.1:${port}`, "/socket.io/", 2000)).toBe(true);
    await expect.poll(async () => (await probe.gauges(2000)).gauges["socket.io engine clients"], { timeout: 2000 }).toBe(0);
    expect(await socketIoHandshake(`http://127.0.0.1:${port}`, "/elsewhere/", 2000)).toBe("status 404");
    probe.close();
  });

  it("finds it too under a module loader (node --import tsx), which loads CommonJS through its hooks", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-sio-probe-"));
    const child = spawn(process.execPath, ["--require", AGENT, "--import", "tsx", path.join(FIXTURES, "esm-gauges-server.mjs")], {
      cwd: ROOT,
      env: { ...process.env, LEAKCHECK_PROBE_DIR: dir, LEAKCHECK_PROBE_TOKEN: TOKEN },
      stdio: ["ignore", "pipe", "inherit"],
    });
    started.push({ child, dir });
    const port = Number(await new Promise<string>((resolve) => child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString()))));
    const probe = (await findServerProbe(dir, TOKEN, port, 3000))!;
    expect(Object.keys((await probe.gauges(2000)).gauges)).toEqual(expect.arrayContaining(["socket.io /chat rooms", "socket.io engine clients", "users"]));
    probe.close();
  });

  it("leakcheck/gauges does nothing without the probe, from CJS and ESM, and has no side effect on import", async () => {
    const before = Object.getOwnPropertySymbols(globalThis).length;
    const fromCjs = createRequire(import.meta.url)("leakcheck/gauges") as typeof import("../../src/probe/gauges.cjs");
    const fromEsm = await import("leakcheck/gauges");
    expect(() => fromCjs.gauge("nothing", () => 1)).not.toThrow();
    expect(() => fromEsm.gauge("nothing", () => 1)).not.toThrow();
    expect(Object.getOwnPropertySymbols(globalThis).length).toBe(before);
  });

  it("fails on the rooms a server leaves in its adapter with no metrics endpoint, and passes the same server fixed", async () => {
    const reports = tempReportDir();
    try {
      const run = (env: string) =>
        runCli([
          "run", "test/fixtures/room-join-scenario.ts", "--server", `${env}node test/fixtures/room-server.cjs`,
          "--no-snapshots", "--quiet", "--json", "--report-dir", reports,
        ]);
      const leaking = await run("");
      expect(leaking.code, leaking.stderr).toBe(1);
      const failed = JSON.parse(leaking.stdout).scenarios[0];
      const rooms = /^socket\.io \/ rooms: (\d+) entries left after 40 sessions \(budget 0\)$/m.exec(failed.reasons.join("\n"));
      // Every session leaves one; a session whose disconnect the loaded server took late (after the lookup) would not.
      expect(Number(rooms?.[1]), failed.reasons.join("; ")).toBeGreaterThanOrEqual(36);
      expect(failed.gauges.find((gauge: { name: string }) => gauge.name === "socket.io / sockets")).toMatchObject({ residual: 0, pass: true });

      const fixed = await run("FIXED=1 ");
      expect(fixed.code, fixed.stderr).toBe(0);
      const passed = JSON.parse(fixed.stdout).scenarios[0];
      expect(passed.notes).toContain(
        "no metrics endpoint at /api/metrics: gauges are Socket.IO's counts and leakcheck/gauges, read by the probe (--metrics-path names an endpoint elsewhere)",
      );
      expect(passed.gauges.find((gauge: { name: string }) => gauge.name === "socket.io / rooms")).toMatchObject({ baseline: 0, final: 0, pass: true });
    } finally {
      removeDir(reports);
    }
  }, 60_000);
});
