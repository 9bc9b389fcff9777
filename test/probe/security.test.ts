// What another local user or process could reach: the bundled server listens on loopback
// only; no HTTP request, whatever its path or method, forces a GC or writes a file; and the
// probe's channel (the one that can) is a Unix socket in a folder only the owner can
// open, answering only the run's random token.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, onTestFinished as after } from "vitest";
import { ProbeClient } from "../../src/probe/client.js";
import { removeDir, runCli, tempReportDir } from "../support/cli.js";
import { spawn } from "node:child_process";
import { cleanup, ensureBuilt, SERVER_MAIN, startServer, until } from "../server/helpers.js";

afterAll(cleanup);

describe("the bundled server's network surface", () => {
  it("binds 127.0.0.1 unless told otherwise", async () => {
    ensureBuilt();
    const server = await startServer();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(server.url).port);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((address) => address && address.family === "IPv4" && !address.internal);
    if (external) {
      // The same port on the machine's network address: refused.
      const refused = await new Promise<string>((resolve) => {
        const socket = net.connect(port, external.address);
        socket.once("connect", () => (socket.destroy(), resolve("connected")));
        socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      });
      expect(refused).toBe("ECONNREFUSED");
    }
  });

  it("no HTTP request forces a GC or writes a file", async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-sec-"));
    try {
      // --trace-gc prints every collection; a forced one says "testing". In a folder of its own,
      // so any file written would show.
      const child = spawn(process.execPath, ["--expose-gc", "--trace-gc", SERVER_MAIN, "--port", "0", "--log", "none"], { cwd, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      after(() => child.kill("SIGKILL"));
      await until(() => /listening on http/.test(out), 10_000);
      const server = { url: /listening on (http:\/\/\S+)/.exec(out)![1] };
      const forced = () => (out.match(/testing/g) ?? []).length;
      const before = forced();
      const paths = ["/gc", "/api/gc", "/api/snapshot", "/api/heapdump", "/heapdump", "/debug", "/api/metrics?gc=1", "/api/health?snapshot=1", "/../../etc/passwd"];
      for (const route of paths) {
        for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH"]) {
          const response = await fetch(new URL(route, server.url), { method, body: method === "GET" ? undefined : '{"gc":true,"file":"/tmp/x.heapsnapshot"}' });
          const ok = route.startsWith("/api/metrics") || route.startsWith("/api/health");
          expect(response.status, `${method} ${route}`).toBe(method !== "GET" ? 405 : ok ? 200 : 404);
          await response.arrayBuffer();
        }
      }
      expect(forced()).toBe(before);
      expect(fs.readdirSync(cwd)).toEqual([]);
    } finally {
      removeDir(cwd);
    }
  });
});

describe("the probe channel of a run", () => {
  it("is a Unix socket (0600) in a folder only the owner can open (0700), refusing callers without the token", { timeout: 60_000 }, async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-tmp-"));
    const reportDir = tempReportDir();
    const seen: { dirMode?: number; sockets: { name: string; mode: number }[]; refused: string[] } = { sockets: [], refused: [] };
    try {
      const result = await runCli(["run", "normal-completion", "--sessions", "3000", "--snapshots", "never", "--quiet", "--report-dir", reportDir], {
        env: { TMPDIR: tmp },
        onSpawn: (child) => {
          const poll = setInterval(async () => {
            const [folder] = fs.readdirSync(tmp).filter((name) => name.startsWith("leakcheck-probe-"));
            const sockets = folder ? fs.readdirSync(path.join(tmp, folder)).filter((name) => name.endsWith(".sock")) : [];
            if (!folder || sockets.length === 0) return;
            clearInterval(poll);
            const dir = path.join(tmp, folder);
            seen.dirMode = fs.statSync(dir).mode & 0o777;
            for (const name of sockets) {
              // The agent narrows the mode right after listening: give it a moment.
              const modeOf = () => fs.statSync(path.join(dir, name)).mode & 0o777;
              for (let waited = 0; modeOf() !== 0o600 && waited < 1000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
              seen.sockets.push({ name, mode: modeOf() });
              // A caller with a guess at the token: refused, the connection closed.
              for (const token of ["", "0".repeat(32), "wrong"]) {
                await ProbeClient.connect(path.join(dir, name), token, 2000).then(
                  (client) => (client.close(), seen.refused.push(`ACCEPTED ${JSON.stringify(token)}`)),
                  (error: Error) => seen.refused.push(error.message),
                );
              }
            }
            child.kill("SIGINT");
          }, 50);
          child.once("exit", () => clearInterval(poll));
        },
      });
      expect(result.code, result.stderr).toBe(3);
      expect(seen.dirMode).toBe(0o700);
      expect(seen.sockets.length).toBeGreaterThan(0);
      for (const socket of seen.sockets) expect(socket.mode, socket.name).toBe(0o600);
      expect(seen.refused).toHaveLength(seen.sockets.length * 3);
      for (const message of seen.refused) expect(message).toMatch(/bad token|closed/);
      // Removed with the run.
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      removeDir(tmp);
      removeDir(reportDir);
    }
  });
});
