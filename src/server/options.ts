// Options of the bundled interview server and their defaults.
import type { LeakMode } from "../protocol.js";

export type ServerLogLevel = "info" | "none";
export const SERVER_LOG_LEVELS = ["info", "none"] as const satisfies readonly ServerLogLevel[];

export interface ServerOptions {
  /** Interface to bind; the contract's default is loopback so a test server is never exposed. */
  host: string;
  /** 0 = any free port; the chosen one is reported by startInterviewServer. */
  port: number;
  /** Which of the seed's bugs to reproduce; "none" is the fixed server. */
  leak: LeakMode;
  /** How long a disconnected session is held for resume-interview; 0 frees it at once. */
  resumeGraceMs: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** "info" prints one cleanup line per freed session on stdout, as the seed does. */
  log: ServerLogLevel;
  /** Cap of the recent-results list: memory that grows, then plateaus, and is not a leak. */
  recentResultsMax: number;
  /**
   * Events per second one connection may send (bursts of twice that); 0 = no limit.
   * Over it an event is refused with `rate-limited`; a connection that keeps flooding is dropped.
   */
  rateLimit: number;
  /** A Socket.IO adapter (cluster, Redis) for a server that runs as several processes; the in-memory one otherwise. */
  adapter?: unknown;
  /** Socket.IO transports; a cluster without sticky sessions needs ["websocket"]. */
  transports?: ("polling" | "websocket")[];
}

/**
 * Defaults: the fixed server on 127.0.0.1:3000 with Socket.IO's own ping timings.
 * The rate limit of 100 events/s (bursts of 200) is far above any real client: a scenario
 * session sends 2 to 7 events, each awaiting its ack, and the quickest legitimate loop in
 * the tests (130 start/end calls back to back on one connection) fits inside one burst.
 */
export const DEFAULT_SERVER_OPTIONS: Readonly<ServerOptions> = Object.freeze({
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
