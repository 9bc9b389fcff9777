// `leakcheck serve` as a user runs it: in the foreground until Ctrl-C, answering HTTP and
// Socket.IO meanwhile, then closed, the process gone (it used to exit 0 right after
// printing its URL, issue 13).
import { spawn, type ChildProcess } from "node:child_process";
import { io } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../support/paths.js";
import { processAlive } from "../support/processes.js";
import { untilListening, type ServerProcess } from "../support/server.js";

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Starts `leakcheck serve ...args`; resolves once it announced its URL, with its exit to come. */
async function serve(args: string[]): Promise<ServerProcess & { exited: Promise<number | null> }> {
  child = spawn(process.execPath, [BIN, "serve", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
  return { ...(await untilListening(child, `leakcheck serve ${args.join(" ")}`)), exited };
}

describe("leakcheck serve", () => {
  it("stays in the foreground serving HTTP and Socket.IO until Ctrl-C, then closes and is gone", async () => {
    const server = await serve(["--port", "0", "--quiet"]);
    // Still there a moment later, not only while printing its URL.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.child.exitCode).toBeNull();

    const health = await fetch(new URL("/api/health", server.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const socket = io(server.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    try {
      const ack = (await socket.timeout(5000).emitWithAck("start-interview", { candidateId: "serve-test", questionCount: 2 })) as { ok: boolean; sessionId: string };
      expect(ack).toMatchObject({ ok: true, sessionId: expect.any(String) });
      const metrics = (await (await fetch(new URL("/api/metrics", server.url))).json()) as { activeSessions: number };
      expect(metrics.activeSessions).toBe(1);

      // Ctrl-C with the client still connected: an orderly close, exit 0.
      const pid = server.child.pid!;
      server.child.kill("SIGINT");
      expect(await server.exited).toBe(0);
      expect(processAlive(pid)).toBe(false);
      expect(server.stderr()).toBe("");
      await expect(fetch(new URL("/api/health", server.url))).rejects.toThrow();
    } finally {
      socket.close();
    }
  });

  it("closes on SIGTERM too, as a process manager stops it", async () => {
    const server = await serve(["--port", "0"]);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});
