// The test helpers themselves: a server that cannot start is a rejected startServer (not a
// test hung until its timeout), and the process finders see what runs and not what is gone.
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { childrenOf, groupAlive, processesMatching, processTable, TreeWatcher } from "./processes.js";
import { SERVER_MAIN } from "./paths.js";
import { seededRandom } from "./random.js";
import { spawnServer, startServer, stopServers } from "./server.js";

afterAll(stopServers);

describe("startServer", () => {
  it("resolves with the announced URL of a server that starts", async () => {
    const server = await startServer();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it("rejects, naming the exit and the server's own line, when the server exits before it listens", async () => {
    await expect(startServer(["--leak", "sometimes"])).rejects.toThrow(/did not start: exited with code 2; stderr: --leak must be one of/);
  });

  it("rejects and kills the server when it says nothing in time", async () => {
    const ours = () => processesMatching(SERVER_MAIN).filter((pid) => childrenOf(process.pid).includes(pid));
    const before = ours();
    await expect(startServer([], {}, 1)).rejects.toThrow(/no "listening on" within 1 ms/);
    // The killed child is gone: no server of this test's left running but those from before.
    await expect.poll(ours, { timeout: 5000 }).toEqual(before);
  });
});

describe("processes", () => {
  it("a TreeWatcher keeps what a process ran once it is dead but not yet reaped ('<defunct>')", async () => {
    // `exec sleep` leaves the backgrounded node to a parent that never reaps it: a zombie.
    const root = spawn("sh", ["-c", "node -e 'setTimeout(() => {}, 300)' tree-watcher-marker & exec sleep 3"], { stdio: "ignore" });
    const watcher = new TreeWatcher(root.pid!, 50);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(processTable().some((row) => row.ppid === root.pid && /<defunct>$/.test(row.args))).toBe(true);
      expect(watcher.seenMatching(/tree-watcher-marker/)).toHaveLength(1);
    } finally {
      watcher.stop();
      root.kill("SIGKILL");
    }
  });


  it("finds a child by command line and by parent, and not once it has exited", async () => {
    const child = spawnServer(["--port", "0", "--log", "none"]);
    await expect.poll(() => processesMatching(SERVER_MAIN), { timeout: 5000 }).toContain(child.pid);
    expect(childrenOf(process.pid)).toContain(child.pid);
    expect(processTable().find((row) => row.pid === child.pid)?.ppid).toBe(process.pid);
    await stopServers();
    expect(processesMatching(SERVER_MAIN)).not.toContain(child.pid);
    expect(groupAlive(child.pid!)).toBe(false); // it never had a group of its own
  });
});

describe("seededRandom", () => {
  it("replays the same sequence for the same seed, another for another", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, seededRandom(43))).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
