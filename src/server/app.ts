// Assembles the bundled interview server: node http + Socket.IO + the interview flow, and tears it down.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { bytesLeakOf } from "../protocol.js";
import { clearEndedNotes } from "./ended-notes.js";
import { attachHandlers, removeBankListeners } from "./handlers.js";
import { createRequestHandler } from "./http.js";
import { InterviewFlow } from "./interview.js";
import type { SocketPort } from "./interview.js";
import type { ServerOptions } from "./options.js";
import { rateLimitOf } from "./rate-limit.js";
import { SessionStore } from "./sessions.js";

export interface RunningServer {
  /** http://HOST:PORT with the port actually bound. */
  url: string;
  port: number;
  /** Frees every session, closes Socket.IO and the HTTP server; safe to call twice. */
  close(): Promise<void>;
}

/** Starts the interview server and resolves once it accepts connections; rejects with the listen error (e.g. EADDRINUSE). */
export async function startInterviewServer(opts: ServerOptions): Promise<RunningServer> {
  const info = opts.log === "info" ? (line: string) => void process.stdout.write(`${line}\n`) : () => {};
  const logError = (line: string): void => void process.stderr.write(`error: ${line}\n`);
  const store = new SessionStore(opts.leak, opts.recentResultsMax, info);

  // Our routes must be on the server before Socket.IO attaches: engine.io wraps the "request" listeners
  // it finds so they never see /socket.io/ requests. One added later also answers the polling
  // handshake (404), engine.io then writes the same response again, and the throw
  // (ERR_HTTP_HEADERS_SENT) kills the process: any polling client crashed the server.
  let connectedSockets = (): number => 0;
  const httpServer = createServer(createRequestHandler(store, () => connectedSockets()));
  const io = new Server(httpServer, {
    path: "/socket.io",
    transports: opts.transports ?? ["polling", "websocket"],
    ...(opts.adapter ? { adapter: opts.adapter as never } : {}),
    pingInterval: opts.pingIntervalMs,
    pingTimeout: opts.pingTimeoutMs,
    maxHttpBufferSize: 64 * 1024,
    perMessageDeflate: false,
    serveClient: false,
  });
  const nsp = io.of("/");
  connectedSockets = () => nsp.sockets.size;

  const sockets: SocketPort = {
    emit: (socketId, event, payload) => void nsp.sockets.get(socketId)?.emit(event, payload),
    isConnected: (socketId) => nsp.sockets.get(socketId)?.connected === true,
    disconnect: (socketId) => void nsp.sockets.get(socketId)?.disconnect(true),
  };
  const flow = new InterviewFlow(store, sockets, opts.leak, opts.resumeGraceMs);
  const owner = {};
  attachHandlers(io, flow, { leak: opts.leak, owner, rateLimit: rateLimitOf(opts.rateLimit), logError });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      flow.shutdown();
      const closed = io.close();
      // io.close() waits for the HTTP server, which waits for keep-alive clients: drop them now.
      httpServer.closeAllConnections();
      await closed;
      flow.shutdown();
      removeBankListeners(owner);
      if (bytesLeakOf(opts.leak)) clearEndedNotes();
    })();
    return closing;
  };

  try {
    await listen(httpServer, opts.host, opts.port);
  } catch (error) {
    await close();
    throw error;
  }
  const port = (httpServer.address() as AddressInfo).port;
  return { url: `http://${urlHost(opts.host)}:${port}`, port, close };
}

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    // A deep accept queue: a thousand clients connecting at once must not see SYN drops.
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

// IPv6 literals need brackets in a URL.
function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
