// The probe inside a real process: found by its listening port, answers GC and
// handle counts, and refuses anyone without the run's token.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findServerProbe, ProbeClient } from "../../src/probe/client.js";
import { FIXTURES, ROOT } from "../support/cli.js";

const AGENT = path.join(ROOT, "dist/src/probe/agent.cjs");
const TOKEN = "right-token";
let dir = "";
let child: ChildProcess;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-probe-test-"));
  child = spawn(process.execPath, ["--expose-gc", "--require", AGENT, path.join(FIXTURES, "timer-server.cjs")], {
    env: { ...process.env, LEAKCHECK_PROBE_DIR: dir, LEAKCHECK_PROBE_TOKEN: TOKEN, TIMERS: "7" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve) => child.stdout!.once("data", resolve));
});
afterAll(() => {
  child.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

const socketPath = () => path.join(dir, `${child.pid}.sock`);

describe("the probe agent", () => {
  it("is found by the port its process listens on, and forces GC and counts timers", async () => {
    const hello = await ProbeClient.connect(socketPath(), TOKEN);
    const [port] = hello.hello.ports;
    hello.close();
    expect(port).toBeGreaterThan(0);
    const probe = await findServerProbe(dir, TOKEN, port, 2000);
    expect(probe?.hello.pid).toBe(child.pid);
    const measured = await probe!.gc(5000);
    expect(measured.passes).toBeGreaterThanOrEqual(1);
    expect(measured.memory.heapUsed).toBeGreaterThan(0);
    // The fixture's 7 intervals, and none of the probe's own unref'd pipes.
    expect(measured.resources.Timeout).toBe(7);
    expect(measured.resources.PipeServerWrap).toBeUndefined();
    probe!.close();
  });

  it("is not found for a port its process does not listen on", async () => {
    expect(await findServerProbe(dir, TOKEN, 1, 300)).toBeUndefined();
  });

  it("refuses a caller without the run's token", async () => {
    await expect(ProbeClient.connect(socketPath(), "wrong-token", 1000)).rejects.toThrow(/bad token|closed/);
  });
});
