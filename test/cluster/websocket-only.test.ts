// A Socket.IO server with `transports: ["websocket"]` (what docs/distributed.md recommends for
// a cluster without sticky sessions) answers the polling handshake with engine.io's 400
// {"code":0,"message":"Transport unknown"}. It is Socket.IO and up: ready without --ready-path,
// started with --server or attached with --url, and a real run passes. A plain HTTP 400 is not.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isEngineIoError, readinessOf, socketIoHandshake, waitReady, webSocketHandshake } from "../../src/server-under-test/readiness.js";
import { FIXTURES, removeDir, ROOT, runCli, tempReportDir } from "../support/cli.js";
import { TreeWatcher } from "../support/processes.js";

const reportDir = tempReportDir();
const TOKEN = "websocket-only-token-9d2e";
const SERVER = path.join(FIXTURES, "websocket-only-server.cjs");
const SCENARIO = path.join(FIXTURES, "root-echo-scenario.mjs");
const started: ChildProcess[] = [];
const plain: http.Server[] = [];
afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await Promise.all(started.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once("exit", resolve)) : undefined)));
  await Promise.all(plain.map((server) => new Promise((resolve) => server.close(resolve))));
  removeDir(reportDir);
});

/** The fixture started as its owner would, on a free port (with `probe`: its probe at that socket); resolves its URL. */
function startWebSocketOnly(probe?: string): Promise<string> {
  const env = { ...process.env, PORT: "0", NODE_OPTIONS: "", LEAKCHECK_PROBE: probe, LEAKCHECK_PROBE_TOKEN: probe ? TOKEN : undefined };
  const child = spawn(process.execPath, [...(probe ? ["--require", "leakcheck/probe"] : []), SERVER], { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  started.push(child);
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the WebSocket-only server exited (${code})`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) resolve(match[1]);
    });
  });
}

/** A plain HTTP server answering every request with `status` and `body`. */
async function plainServer(status: number, body: string): Promise<string> {
  const server = http.createServer((_request, response) => response.writeHead(status, { "content-type": "application/json" }).end(body));
  plain.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const readiness = readinessOf({ metricsPath: "/api/metrics", socketIoPath: "/socket.io/" });
const never = new Promise<never>(() => undefined);

describe("readiness of a WebSocket-only Socket.IO server", () => {
  it("opens a session over WebSocket when polling is refused with engine.io's own error", async () => {
    const url = await startWebSocketOnly();
    const polling = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
    const body = await polling.text();
    expect([polling.status, body]).toEqual([400, '{"code":0,"message":"Transport unknown"}']);
    expect(isEngineIoError({ status: polling.status, text: body })).toBe(true);
    expect(await webSocketHandshake(url, "/socket.io/", 2000)).toBe(true);
    expect(await socketIoHandshake(url, "/socket.io/", 2000)).toBe(true);
    await waitReady(url, readiness, 3000, never, true);
  });

  it("does not take a plain HTTP 400 or 404, or a look-alike JSON, for Socket.IO", async () => {
    for (const [status, body] of [[400, '{"error":"bad request"}'], [400, '{"code":0,"message":"Something else"}'], [404, "not found"], [403, '{"code":0,"message":"Transport unknown"}']] as const) {
      const url = await plainServer(status, body);
      expect(isEngineIoError({ status, text: body }), body).toBe(false);
      expect(await socketIoHandshake(url, "/socket.io/", 2000)).toBe(`status ${status}`);
      expect(await webSocketHandshake(url, "/socket.io/", 2000)).toBe(false);
    }
  });
});

describe("a run against a WebSocket-only server, without --ready-path", () => {
  const args = ["run", SCENARIO, "--sessions", "40", "--warmup", "8", "--rounds", "2", "--no-snapshots", "--json", "--quiet", "--ready-timeout", "10s", "--report-dir", reportDir];

  it("started with --server: ready, and passes", async () => {
    let watcher: TreeWatcher | undefined;
    try {
      const result = await runCli([...args, "--server", `node ${SERVER}`], { timeoutMs: 90_000, onSpawn: (child) => (watcher = new TreeWatcher(child.pid!, 100)) });
      expect(result.stderr).toBe("");
      const [scenario] = JSON.parse(result.stdout).scenarios as { verdict: string; gauges: { name: string; final: number }[] }[];
      expect(scenario.verdict).toBe("pass");
      expect(scenario.gauges.map((gauge) => gauge.name)).toContain("users");
      // The readiness session over WebSocket was closed, not left to its ping timeout.
      expect(scenario.gauges.find((gauge) => gauge.name === "socket.io engine clients")?.final).toBe(0);
      expect(result.code).toBe(0);
      expect(watcher!.seenMatching(/websocket-only-server\.cjs/).length).toBeGreaterThan(0);
      expect(watcher!.survivors()).toEqual([]);
    } finally {
      watcher?.stop();
    }
  });

  it("attached with --url (and the probe the owner loaded): ready, and passes", async () => {
    const socket = path.join(reportDir, "ws-only.sock");
    const url = await startWebSocketOnly(socket);
    const result = await runCli([...args, "--url", url, "--probe", socket], { timeoutMs: 90_000, env: { LEAKCHECK_PROBE_TOKEN: TOKEN } });
    expect(result.stderr).toBe("");
    const [scenario] = JSON.parse(result.stdout).scenarios as { verdict: string; gauges: { name: string }[] }[];
    expect(scenario.gauges.map((gauge) => gauge.name)).toContain("users");
    expect(scenario.verdict).toBe("pass");
    expect(result.code).toBe(0);
  });
});
