// An attached probe's files (`<path>`, `<path>.<pid>` of each process it starts, `<path>.http`,
// the owner's side door) outlive a server killed by SIGTERM when the app has no handler for
// it: Node dies by the signal and runs no 'exit' listener. The probe does not change the
// app's signal behaviour to clean up; the next server started at that path removes them.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ProbeClient } from "../../src/probe/client.js";
import { FIXTURES, removeDir, ROOT } from "../support/cli.js";

const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-stale-"));
const SOCKET = path.join(socketDir, "lc.sock");
const TOKEN = "stale-sockets-token-71b0";
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
  removeDir(socketDir);
});

/** The forking app started by its owner with the probe in NODE_OPTIONS, in a group of its own; resolves its URL and child pid. */
function startApp(): Promise<{ app: ChildProcess; url: string; childPid: number }> {
  const app = spawn(process.execPath, [path.join(FIXTURES, "forking-app.cjs")], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, NODE_OPTIONS: "--require leakcheck/probe", LEAKCHECK_PROBE: SOCKET, LEAKCHECK_PROBE_TOKEN: TOKEN, LEAKCHECK_PROBE_OWNER: undefined, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  started.push(app);
  return new Promise((resolve, reject) => {
    app.once("exit", (code) => reject(new Error(`the app exited (${code})`)));
    app.stdout!.on("data", (chunk: Buffer) => {
      const match = /listening on (\S+) \(child (\d+)\)/.exec(chunk.toString());
      if (match) resolve({ app, url: match[1], childPid: Number(match[2]) });
    });
  });
}

const files = () => fs.readdirSync(socketDir).sort();

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("the attached probe's socket files after SIGTERM", () => {
  it("stay behind a tree killed by the signal, and the next start at the path removes them", async () => {
    const first = await startApp();
    // The owner's side door exists once leakcheck has read its metrics through it.
    const owner = await ProbeClient.connect(SOCKET, TOKEN, 2000);
    await owner.get("/", Number(new URL(first.url).port), 2000);
    owner.close();
    await waitFor(() => files().length === 3, 2000);
    expect(files()).toEqual(["lc.sock", `lc.sock.${first.childPid}`, "lc.sock.http"]);

    process.kill(-first.app.pid!, "SIGTERM");
    await new Promise((resolve) => first.app.once("exit", resolve));
    await waitFor(() => { try { process.kill(first.childPid, 0); return false; } catch { return true; } }, 3000);
    // Killed by the signal, no 'exit' listener ran: the files are still there.
    expect(files()).toEqual(["lc.sock", `lc.sock.${first.childPid}`, "lc.sock.http"]);

    const second = await startApp();
    await waitFor(() => files().length === 2, 3000);
    expect(files()).toEqual(["lc.sock", `lc.sock.${second.childPid}`]);
    // And the new tree answers at the path, the child beside it.
    const client = await ProbeClient.connect(`${SOCKET}.${second.childPid}`, TOKEN, 2000);
    expect(client.hello.pid).toBe(second.childPid);
    client.close();
    process.kill(-second.app.pid!, "SIGKILL");
  });
});
