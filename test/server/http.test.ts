// The HTTP routes of CONTRACT §2.
import { describe, expect, it } from "vitest";
import { call, connect, disconnect, getJson, useServer } from "./helpers.js";

describe("http routes", () => {
  const server = useServer();

  it("answers health with no-store JSON", async () => {
    const res = await getJson(server.url, "/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("reports the Map sizes, connected sockets and memory as metrics", async () => {
    const idle = await getJson(server.url, "/api/metrics?x=1");
    expect(idle.status).toBe(200);
    expect(idle.body).toMatchObject({ activeSessions: 0, questionTimers: 0, performanceCache: 0, socketMappings: 0, connectedSockets: 0 });
    expect(idle.body.memory.heapUsed).toBeGreaterThan(0);
    expect(Object.keys(idle.body).sort()).toEqual(["activeSessions", "connectedSockets", "memory", "performanceCache", "questionTimers", "socketMappings"]);

    const socket = await connect(server.url);
    await call(socket, "start-interview", { candidateId: "h-1" });
    const busy = (await getJson(server.url, "/api/metrics")).body;
    expect(busy).toMatchObject({ activeSessions: 1, questionTimers: 1, performanceCache: 1, socketMappings: 1, connectedSockets: 1 });
    await disconnect(socket, server.url);
  });

  it("lists recent results", async () => {
    const res = await getJson(server.url, "/api/results/recent");
    expect(res.status).toBe(200);
    expect(res.body.max).toBe(500);
    expect(res.body.results.at(-1)).toMatchObject({ candidateId: "h-1", reason: "disconnect" });
  });

  it("answers 404 for unknown paths and 405 for other methods, in JSON", async () => {
    const missing = await getJson(server.url, "/api/nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe("not-found");
    const post = await getJson(server.url, "/api/metrics", { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(new URL("/api/health", server.url), { method: "HEAD" });
    expect(head.status).toBe(200);
  });
});
