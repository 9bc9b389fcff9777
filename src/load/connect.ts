// ctx.connect(options): checks the options a scenario gives, opens a socket.io-client
// Socket tuned for a load driver (WebSocket only unless asked, no reconnection, no
// compression offer), and resolves once the namespace has accepted it.

import tls from "node:tls";
import { io, type ManagerOptions, type SocketOptions } from "socket.io-client";
import { showValue, UsageError } from "../errors.js";
import { Client, type SessionClient } from "./client.js";
import { LeanClient } from "./lean-client.js";
import { SioClient } from "./lean/sio-client.js";
import type { FaultProxy } from "./fault-proxy.js";
import { ConnectFailedError, ConnectRefusedError, ConnectTimeoutError } from "./failures.js";
import type { LoadStats } from "./stats.js";

/** What a scenario may ask of a connection. */
export interface ConnectOptions {
  /** The namespace, `/` by default (for example `/chat`). */
  namespace?: string;
  /** Sent in the Socket.IO handshake (`socket.handshake.auth` on the server). */
  auth?: Record<string, unknown>;
  /** Added to the handshake's query string (`socket.handshake.query`). */
  query?: Record<string, string>;
  /** Extra HTTP headers on the handshake request(s). */
  headers?: Record<string, string>;
  /** The Socket.IO path; default --socketio-path (`/socket.io/`). */
  path?: string;
  /** `["websocket"]` by default; `["polling", "websocket"]` polls first, then upgrades. */
  transports?: ("polling" | "websocket")[];
  /** `proxy` routes the client through leakcheck's fault proxy, so its network can be cut. */
  via?: "direct" | "proxy";
}

export const CONNECT_OPTION_NAMES = ["namespace", "auth", "query", "headers", "path", "transports", "via"] as const;

/** What connecting needs from the run. */
export interface ConnectEnv {
  /** The server's base URL, http(s)://host:port. */
  baseUrl: string;
  socketIoPath: string;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  stats: LoadStats;
  /** --ca's contents and --insecure, for https targets. */
  tls: { ca?: string; insecure: boolean };
  /** The fault proxy, started on first use. */
  proxy: () => Promise<FaultProxy>;
}

/** Throws a UsageError naming what is wrong with a scenario's connect options. */
export function checkConnectOptions(options: unknown): ConnectOptions {
  if (options === undefined) return {};
  const fail = (what: string) => {
    throw new UsageError(`ctx.connect(): ${what}`);
  };
  if (options === null || typeof options !== "object" || Array.isArray(options)) fail(`options must be an object like { namespace: "/chat" }, got ${showValue(options)}`);
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(CONNECT_OPTION_NAMES as readonly string[]).includes(key)) fail(`unknown option "${key}": the options are ${CONNECT_OPTION_NAMES.join(", ")}`);
  }
  const { namespace, auth, query, headers, path, transports, via } = given;
  if (namespace !== undefined && (typeof namespace !== "string" || !namespace.startsWith("/"))) fail(`namespace must be a string starting with /, like "/chat", got ${showValue(namespace)}`);
  for (const [name, value] of [["auth", auth], ["query", query], ["headers", headers]] as const) {
    if (value !== undefined && (value === null || typeof value !== "object" || Array.isArray(value))) fail(`${name} must be an object, got ${showValue(value)}`);
  }
  for (const [name, value] of [["query", query], ["headers", headers]] as const) {
    for (const [key, item] of Object.entries((value ?? {}) as Record<string, unknown>)) {
      if (typeof item !== "string") fail(`${name}.${key} must be a string, got ${showValue(item)}`);
    }
  }
  if (path !== undefined && (typeof path !== "string" || !path.startsWith("/"))) fail(`path must be a URL path starting with /, like "/socket.io/", got ${showValue(path)}`);
  if (
    transports !== undefined &&
    (!Array.isArray(transports) || transports.length === 0 || transports.some((name) => name !== "polling" && name !== "websocket"))
  ) {
    fail(`transports must be ["websocket"], ["polling"] or ["polling", "websocket"], got ${showValue(transports)}`);
  }
  if (via !== undefined && via !== "direct" && via !== "proxy") fail(`via must be "direct" or "proxy", got ${showValue(via)}`);
  return given as ConnectOptions;
}

/** Opens a client and resolves once its namespace has accepted it; aborting the signal closes it. */
export async function openClient(given: unknown, env: ConnectEnv, signal: AbortSignal): Promise<Client> {
  const options = checkConnectOptions(given);
  if (signal.aborted) throw signal.reason;
  const proxy = options.via === "proxy" ? await env.proxy() : undefined;
  const target = new URL(env.baseUrl);
  const base = proxy ? `${target.protocol}//127.0.0.1:${proxy.port}` : target.origin;
  const namespace = options.namespace ?? "/";
  const shown = `${target.origin}${namespace === "/" ? "" : namespace}`;
  const settings: Partial<ManagerOptions & SocketOptions> = {
    path: options.path ?? env.socketIoPath,
    transports: options.transports ?? ["websocket"],
    // Each session is one user: its own connection, no reconnection behind the scenario's back.
    forceNew: true,
    reconnection: false,
    timeout: env.connectTimeoutMs,
    // Servers rarely enable it, and an offer per connection costs the driver for nothing.
    perMessageDeflate: false as unknown as { threshold: number },
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.query ? { query: options.query } : {}),
    ...(options.headers ? { extraHeaders: options.headers } : {}),
  };
  if (target.protocol === "https:") {
    Object.assign(settings, { secure: true, rejectUnauthorized: !env.tls.insecure, ...(env.tls.ca ? { ca: env.tls.ca } : {}) });
    // Through the proxy the address is 127.0.0.1: the certificate is still checked against the server's name.
    if (proxy) Object.assign(settings, { servername: target.hostname, checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(target.hostname, cert) });
  }
  const socket = io(`${base}${namespace}`, settings);
  await new Promise<void>((resolve, reject) => {
    const finish = (error?: Error) => {
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
      signal.removeEventListener("abort", onAbort);
      if (error) {
        socket.disconnect(); // frees the manager and its engine: nothing reconnects
        reject(error);
      } else resolve();
    };
    const onConnect = () => finish();
    const onError = (error: Error & { type?: string; description?: unknown }) => finish(connectError(error, shown, env.connectTimeoutMs));
    const onAbort = () => finish(signal.reason as Error);
    socket.on("connect", onConnect);
    socket.on("connect_error", onError);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  env.stats.clientOpened();
  return new Client(socket, { stats: env.stats, ackTimeoutMs: env.ackTimeoutMs, proxy });
}

/**
 * The interview helper's connect: the lean client when the options are within what the
 * conformance tests prove it does (main namespace, WebSocket, plain HTTP, no auth, query,
 * headers or path of its own), else socket.io-client.
 */
export async function openLeanClient(given: unknown, env: ConnectEnv, signal: AbortSignal): Promise<SessionClient> {
  const options = checkConnectOptions(given);
  const target = new URL(env.baseUrl);
  const lean =
    target.protocol === "http:" &&
    (options.namespace ?? "/") === "/" &&
    !options.auth &&
    !options.query &&
    !options.headers &&
    !options.path &&
    (!options.transports || (options.transports.length === 1 && options.transports[0] === "websocket"));
  if (!lean) return openClient(options, env, signal);
  if (signal.aborted) throw signal.reason;
  const proxy = options.via === "proxy" ? await env.proxy() : undefined;
  const sio = await SioClient.connect({
    host: proxy ? "127.0.0.1" : target.hostname,
    port: proxy ? proxy.port : Number(target.port || 80),
    path: env.socketIoPath,
    connectTimeoutMs: env.connectTimeoutMs,
    ackTimeoutMs: env.ackTimeoutMs,
    shown: target.origin,
  });
  env.stats.clientOpened();
  return new LeanClient(sio, env.stats, env.ackTimeoutMs, proxy);
}

/** A connect_error as the failure it is: the server's refusal, a timeout, or a transport that never opened. */
function connectError(error: Error & { type?: string; description?: unknown }, shown: string, timeoutMs: number): Error {
  if (error.type === "TransportError") return new ConnectFailedError(shown, `${error.message}${describeCause(error.description)}`);
  if (error.message === "timeout") return new ConnectTimeoutError(shown, timeoutMs);
  // A CONNECT_ERROR packet: an unknown namespace ("Invalid namespace") or a middleware's next(new Error(...)).
  return new ConnectRefusedError(shown, error.message);
}

/** The underlying cause engine.io-client keeps in `description` (an Error, a ws ErrorEvent, or an HTTP status). */
function describeCause(description: unknown): string {
  if (description === undefined || description === null) return "";
  if (typeof description === "number") return ` (HTTP ${description})`;
  const inner = (description as { error?: unknown; message?: unknown }).error ?? description;
  const message = (inner as { message?: unknown }).message;
  return typeof message === "string" && message ? ` (${message})` : "";
}
