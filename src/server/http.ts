// The HTTP routes of CONTRACT §2: health, metrics, recent results. None of them triggers GC or writes files.
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpPath } from "../protocol.js";
import type { MetricsBody } from "../protocol.js";
import type { SessionStore } from "./sessions.js";

/** Answers the API routes from the store; `connectedSockets` counts live Socket.IO connections. */
export function createRequestHandler(store: SessionStore, connectedSockets: () => number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const method = req.method ?? "GET";
    // HEAD is answered like GET without a body, as HTTP clients and probes expect.
    if (method !== "GET" && method !== "HEAD") {
      return send(res, method, 405, { error: "method-not-allowed", message: `${method} is not supported; use GET` }, { Allow: "GET, HEAD" });
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    switch (path) {
      case HttpPath.health:
        return send(res, method, 200, { status: "ok" });
      case HttpPath.metrics:
        return send(res, method, 200, metricsOf(store, connectedSockets()));
      case HttpPath.recentResults:
        return send(res, method, 200, store.recent.toJSON());
      default:
        return send(res, method, 404, { error: "not-found", message: `no route ${path}; try ${Object.values(HttpPath).join(", ")}` });
    }
  };
}

/** The metrics body: the four Map sizes, the connection count, and memory (reported, not gauged). */
export function metricsOf(store: SessionStore, connectedSockets: number): MetricsBody {
  return {
    activeSessions: store.activeSessions.size,
    questionTimers: store.questionTimers.size,
    performanceCache: store.performanceCache.size,
    socketMappings: store.socketToSession.size,
    connectedSockets,
    memory: process.memoryUsage(),
  };
}

function send(res: ServerResponse, method: string, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(method === "HEAD" ? undefined : text);
}
