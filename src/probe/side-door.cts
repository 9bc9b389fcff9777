// Reading one worker's metrics endpoint (issue 12). Behind a port that node:cluster
// shares, GET /api/metrics answers from whichever worker takes the connection, so a
// baseline and a final reading could come from two different heaps. The probe inside each
// worker hands a connection of its own straight to that worker's HTTP server ('connection',
// as sticky-session balancers do), so the request is answered by this process and no other.

import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import { socketIoHttpServers } from "./socketio.cjs";

/** The HTTP servers of this process that listen on a TCP port (noted by the probe's listen hook). */
const servers = new Set<http.Server>();
let door: Promise<string> | undefined;

/** Called from the probe's listen hook for every server that starts listening. */
export function noteServer(server: net.Server): void {
  if (server instanceof http.Server) servers.add(server);
  server.once("close", () => servers.delete(server as http.Server));
}

/** GET `requestPath` from this process's own HTTP server; resolves status and body (at most 1 MB). */
export async function getFromSelf(
  requestPath: string,
  port: number | undefined,
  doorPath: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  if (servers.size === 0 && attachedHttpServers().length === 0) throw new Error("this process has no HTTP server listening, and no Socket.IO server");
  const socketPath = await openDoor(doorPath, () => pick(port));
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path: requestPath, agent: false, timeout: timeoutMs }, (response) => {
      response.setEncoding("utf8");
      let body = "";
      response.on("data", (chunk: string) => {
        body += chunk;
        if (body.length > 1_048_576) request.destroy(new Error("the answer is over 1 MB"));
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", reject);
    });
    request.on("socket", (socket) => socket.unref());
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
  });
}

/**
 * The server on `port` (the one under test), else the one Socket.IO is attached to (a
 * sticky-session worker's listens on nothing: its primary holds the port), else the newest.
 */
function pick(port: number | undefined): http.Server | undefined {
  for (const server of servers) {
    const address = server.address();
    if (port !== undefined && address && typeof address === "object" && address.port === port) return server;
  }
  return attachedHttpServers().at(-1) ?? [...servers].at(-1);
}

/** The HTTP servers this process's Socket.IO Servers are attached to. */
function attachedHttpServers(): http.Server[] {
  return socketIoHttpServers().filter((server): server is http.Server => server instanceof http.Server);
}

let chooser: () => http.Server | undefined = () => undefined;

function openDoor(doorPath: string, choose: () => http.Server | undefined): Promise<string> {
  chooser = choose;
  door ??= new Promise<string>((resolve, reject) => {
    const listener = net.createServer((connection) => {
      const target = chooser();
      if (!target) return void connection.destroy();
      target.emit("connection", connection);
    });
    listener.once("error", (error) => {
      door = undefined;
      reject(error);
    });
    const previous = process.umask(0o177);
    try {
      listener.listen(doorPath, () => {
        listener.unref();
        try {
          fs.chmodSync(doorPath, 0o600);
        } catch {
          // the probe folder is gone
        }
        process.once("exit", () => {
          try {
            fs.unlinkSync(doorPath);
          } catch {
            // gone already
          }
        });
        resolve(doorPath);
      });
    } finally {
      process.umask(previous);
    }
  });
  return door;
}
