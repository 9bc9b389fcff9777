// The server program: argv/env parsing, exit codes 2 and 3, and a clean exit on SIGTERM.
import { afterEach, describe, expect, it } from "vitest";
import { parseServerArgs } from "../../src/server/main.js";
import { call, cleanup, connect, ensureBuilt, getJson, spawnServer, startServer, waitForExit } from "./helpers.js";

ensureBuilt();
afterEach(cleanup);

describe("parseServerArgs", () => {
  it("uses the defaults, then env, then flags", () => {
    expect(parseServerArgs([], {})).toEqual({
      host: "127.0.0.1",
      port: 3000,
      leak: "none",
      resumeGraceMs: 0,
      pingIntervalMs: 25_000,
      pingTimeoutMs: 20_000,
      log: "info",
      recentResultsMax: 500,
      rateLimit: 100,
    });
    expect(parseServerArgs([], { HOST: "0.0.0.0", PORT: "0" })).toMatchObject({ host: "0.0.0.0", port: 0 });
    expect(parseServerArgs(["--host", "::1", "--port", "4000"], { HOST: "0.0.0.0", PORT: "0" })).toMatchObject({ host: "::1", port: 4000 });
    const all = ["--leak", "timers", "--resume-grace-ms", "2s", "--ping-interval", "500", "--ping-timeout=250ms", "--log", "none", "--rate-limit", "5"];
    expect(parseServerArgs(all, {})).toMatchObject({ leak: "timers", resumeGraceMs: 2000, pingIntervalMs: 500, pingTimeoutMs: 250, log: "none", rateLimit: 5 });
    expect(parseServerArgs(["--rate-limit", "0"], {})).toMatchObject({ rateLimit: 0 });
  });

  it.each([
    [["--port", "abc"], {}, /--port .*got `abc`/],
    [["--port", "70000"], {}, /--port/],
    [[], { PORT: "-1" }, /PORT .*got `-1`/],
    [["--leak", "memory"], {}, /--leak must be one of none, disconnect, timers, cache, listeners, bytes:N or bytes:N:max:M .*, got `memory`/],
    [["--log", "debug"], {}, /--log/],
    [["--resume-grace-ms", "soon"], {}, /--resume-grace-ms/],
    [["--ping-interval", "0"], {}, /--ping-interval/],
    [["--rate-limit=-5"], {}, /--rate-limit must be a whole number from 0 to 1000000, got `-5`; .*0 turns the limit off/],
    [["--rate-limit", "2.5"], {}, /--rate-limit .*got `2.5`/],
    [["--rate-limit", "many"], {}, /--rate-limit .*got `many`/],
    [["--rate-limit", "1000001"], {}, /--rate-limit/],
    [["--bogus"], {}, /unknown option --bogus/],
    [["--port"], {}, /--port needs a value/],
    [["serve"], {}, /unexpected argument `serve`/],
  ])("rejects %j %j", (argv, env, message) => {
    expect(() => parseServerArgs(argv as string[], env as NodeJS.ProcessEnv)).toThrow(message);
  });
});

describe("server program", () => {
  it.each([[["--port", "abc"]], [["--leak", "nope"]], [["--unknown"]], [["extra"]]])("exits 2 with one line on stderr for %j", async (args) => {
    const result = await waitForExit(spawnServer(args));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 on a bad PORT in the environment", async () => {
    const result = await waitForExit(spawnServer([], { PORT: "eighty" }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^PORT must be .*`eighty`.*\n$/);
  });

  it("exits 3 with one line when the port is taken", async () => {
    const first = await startServer();
    const port = new URL(first.url).port;
    const result = await waitForExit(spawnServer(["--port", port]));
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(`port ${port} is already in use on 127.0.0.1: choose another with --port or PORT\n`);
  });

  it("takes HOST and PORT from the environment and announces the real port", async () => {
    const child = spawnServer([], { HOST: "127.0.0.1", PORT: "0" });
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
    await new Promise<void>((done) => child.stdout?.on("data", () => out.includes("\n") && done()));
    expect(out).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    expect(out).not.toMatch(/:0\n$/);
  });

  it("closes and exits 0 on SIGTERM and on SIGINT", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const server = await startServer();
      expect((await getJson(server.url, "/api/health")).status).toBe(200);
      const exit = waitForExit(server.child, 3000);
      server.child.kill(signal);
      expect((await exit).code).toBe(0);
    }
  });

  it("closes promptly with connected clients and held sessions, without waiting for the 2 s force exit", async () => {
    const server = await startServer(["--resume-grace-ms", "60000"]);
    const held = await connect(server.url);
    await call(held, "start-interview", { candidateId: "cli-1" });
    held.close();
    const live = await connect(server.url);
    await call(live, "start-interview", { candidateId: "cli-2" });
    const started = Date.now();
    const exit = waitForExit(server.child, 3000);
    server.child.kill("SIGTERM");
    const result = await exit;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
