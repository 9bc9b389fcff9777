// `leakcheck serve` as a user runs it: in the foreground until Ctrl-C, answering HTTP and
// Socket.IO meanwhile, then closed, the process gone (it used to exit 0 right after
// printing its URL, issue 13).
import { spawn, type ChildProcess } from "node:child_process";
import { io } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../support/cli.js";

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Starts `leakcheck serve ...args` and resolves with its announced URL and its output so far. */
async function serve(args: string[]): Promise<{ url: string; output: () => { stdout: string; stderr: string }; exited: Promise<number | null> }> {
  const started = spawn(process.execPath, [BIN, "serve", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child = started;
  let stdout = "";
  let stderr = "";
  started.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  started.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => started.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 10s: ${stdout} ${stderr}`)), 10_000);
    started.stdout.on("data", () => {
      const match = /listening on (http:\/\/\S+)\n/.exec(stdout);
      if (match) (clearTimeout(timer), resolve(match[1]));
    });
    started.once("exit", (code) => (clearTimeout(timer), reject(new Error(`serve exited with ${code}: ${stderr}`))));
  });
  return { url, output: () => ({ stdout, stderr }), exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("leakcheck serve", () => {
  it("stays in the foreground serving HTTP and Socket.IO until Ctrl-C, then closes and is gone", async () => {
    const server = await serve(["--port", "0", "--quiet"]);
    // Still there a moment later, not only while printing its URL.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(child!.exitCode).toBeNull();

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
      const pid = child!.pid!;
      child!.kill("SIGINT");
      expect(await server.exited).toBe(0);
      expect(alive(pid)).toBe(false);
      expect(server.output().stderr).toBe("");
      await expect(fetch(new URL("/api/health", server.url))).rejects.toThrow();
    } finally {
      socket.close();
    }
  });

  it("closes on SIGTERM too, as a process manager stops it", async () => {
    const server = await serve(["--port", "0"]);
    child!.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});
