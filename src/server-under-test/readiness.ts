// When the server under test is ready, and whether it has a metrics endpoint.
// Most apps have no metrics endpoint: by default a server is ready when its port accepts
// a Socket.IO handshake (or answers the metrics path); --ready-path names a path instead.

import { Manager } from "socket.io-client";
import { RunError, UsageError } from "../errors.js";
import { httpGet, parseMetrics, requestModule, type TlsOptions } from "./metrics.js";

export interface Readiness {
  /** --ready-path: this path answering 2xx is readiness, nothing else. */
  readyPath?: string;
  metricsPath: string;
  /** Where the metrics path was asked for ("--metrics-path", a config file's key): it must answer. Undefined: the default path, which may be missing. */
  metricsPathFrom?: string;
  /** The Socket.IO path, ending in a slash (default /socket.io/). */
  socketIoPath: string;
  /** For an https server (--ca, --insecure). */
  tls?: TlsOptions;
}

/** The readiness part of the run's options. */
export function readinessOf(options: { readyPath?: string; metricsPath: string; metricsPathFrom?: string; socketIoPath: string; tls?: TlsOptions }): Readiness {
  return {
    readyPath: options.readyPath,
    metricsPath: options.metricsPath,
    metricsPathFrom: options.metricsPathFrom,
    socketIoPath: options.socketIoPath.endsWith("/") ? options.socketIoPath : `${options.socketIoPath}/`,
    tls: options.tls,
  };
}

/**
 * Polls until the server is ready (see Readiness); fails on `exited` or after timeoutMs with
 * the last problem seen. `attached`: a server someone else started (--url), with no log of ours.
 */
export async function waitReady(baseUrl: string, readiness: Readiness, timeoutMs: number, exited: Promise<never>, attached = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pathUrl = new URL(readiness.readyPath ?? readiness.metricsPath, baseUrl).href;
  const handshake = readiness.readyPath === undefined && readiness.metricsPathFrom === undefined;
  // Ready when the metrics path the user named answers: any other answer from a server that
  // answers HTTP at all means the path is wrong, and waiting out --ready-timeout would not fix it.
  const byMetricsPath = readiness.readyPath === undefined && readiness.metricsPathFrom !== undefined;
  let lastProblem = "no answer";
  let lastHandshake = "no answer";
  // Refused every time: nothing listens there (a server that ignores $PORT, or none at all).
  let onlyRefused = true;
  let done = false;
  exited.catch(() => undefined);
  const poll = async () => {
    while (!done && Date.now() < deadline) {
      // Each request within what is left of the deadline, so a server that takes connections
      // and answers nothing is given up on in time.
      const wait = () => Math.max(100, Math.min(2000, deadline - Date.now()));
      if (handshake) {
        const answer = await socketIoHandshake(baseUrl, readiness.socketIoPath, wait(), readiness.tls);
        if (answer === true) return;
        lastHandshake = answer;
        if (!/ECONNREFUSED/.test(answer)) onlyRefused = false;
        // A refused connection fails both checks alike: no second request needed.
        if (/ECONNREFUSED/.test(answer)) {
          lastProblem = answer;
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
      }
      try {
        const answer = await httpGet(pathUrl, wait(), readiness.tls);
        if (byMetricsPath && answer.status !== 503) return checkMetricsAnswer(pathUrl, readiness, answer, attached);
        if (answer.status >= 200 && answer.status < 300) return;
        lastProblem = `status ${answer.status}`;
      } catch (error) {
        if (error instanceof UsageError) throw error;
        // A request that ran out of time waited what was left of the deadline: its figure says nothing.
        lastProblem = (error as Error).message.replace(/^GET \S+ failed \((.*)\):.*$/, "$1").replace(/^no answer within \d+ ms$/, "no answer");
        // The metrics path hangs while Socket.IO answers: the server is up and the path is wrong
        // (an app whose router never answers unknown paths); waiting out --ready-timeout would not fix it.
        if (byMetricsPath && lastProblem === "no answer" && Date.now() < deadline) {
          if ((await socketIoHandshake(baseUrl, readiness.socketIoPath, wait(), readiness.tls)) === true) {
            throw metricsPathError(pathUrl, readiness, "gave no answer, while the server accepts Socket.IO handshakes", attached);
          }
        }
      }
      if (!/ECONNREFUSED/.test(lastProblem)) onlyRefused = false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (done) return;
    throw new RunError(notReady({ baseUrl, pathUrl, readiness, timeoutMs, attached, onlyRefused, handshake, lastProblem, lastHandshake }));
  };
  try {
    await Promise.race([poll(), exited]);
  } finally {
    done = true;
  }
}

/** Why the server is not ready, and what to do, in one line. */
function notReady(seen: {
  baseUrl: string;
  pathUrl: string;
  readiness: Readiness;
  timeoutMs: number;
  attached: boolean;
  onlyRefused: boolean;
  handshake: boolean;
  lastProblem: string;
  lastHandshake: string;
}): string {
  const { baseUrl, pathUrl, readiness, timeoutMs, attached } = seen;
  if (seen.onlyRefused) {
    if (attached) return `nothing listened at ${baseUrl} in ${timeoutMs} ms (connection refused): start the server first, or check --url`;
    const port = new URL(baseUrl).port;
    return `nothing listened on port ${port} in ${timeoutMs} ms: the server must listen on the PORT leakcheck gives it (PORT=${port}, HOST=127.0.0.1); if it does and starts slowly, raise --ready-timeout`;
  }
  // An attached server's log is not ours to point at.
  const log = attached ? "" : " and the server log";
  if (readiness.readyPath !== undefined) {
    return `the server did not answer GET ${pathUrl} with 2xx within ${timeoutMs} ms (last: ${seen.lastProblem}): raise --ready-timeout, or check --ready-path${log}`;
  }
  if (!seen.handshake) {
    return `the server did not answer GET ${pathUrl} with 2xx within ${timeoutMs} ms (last: ${seen.lastProblem}): raise --ready-timeout, or check --metrics-path${log}`;
  }
  // Most apps have no metrics endpoint: the handshake is what readiness waited for.
  const metrics = seen.lastProblem === "status 404" ? `no metrics endpoint at ${readiness.metricsPath} either` : `nor GET ${pathUrl} with 2xx (last: ${seen.lastProblem})`;
  return `the server did not accept a Socket.IO handshake at ${readiness.socketIoPath} within ${timeoutMs} ms (last: ${seen.lastHandshake}), ${metrics}: raise --ready-timeout, check --socketio-path${log}, or name a path that answers 2xx once ready with --ready-path`;
}

/**
 * An engine.io v4 handshake: true when the server opens a session (`0{"sid":…`) over
 * long-polling or, refused there, over WebSocket, or answers with engine.io's own error
 * (a server with `transports: ["websocket"]` answers polling with 400 "Transport unknown":
 * it is Socket.IO, and up). Else what went wrong. A session opened is closed at once, so it
 * is not left among the engine's clients until its ping timeout.
 */
export async function socketIoHandshake(baseUrl: string, socketIoPath: string, timeoutMs: number, tls?: TlsOptions): Promise<true | string> {
  const url = new URL(`${socketIoPath}?EIO=4&transport=polling`, baseUrl).href;
  const started = Date.now();
  let answer: { status: number; text: string };
  try {
    answer = await httpGet(url, timeoutMs, tls);
  } catch (error) {
    return (error as Error).message.replace(/^GET \S+ failed \((.*)\):.*$/, "$1");
  }
  const open = /^0(\{.*\})/.exec(answer.text);
  if (answer.status !== 200 || !open) {
    const polling = `status ${answer.status}${answer.status === 200 ? ", not an engine.io open packet" : ""}`;
    // Polling refused: a WebSocket-only server, or a proxy that passes WebSocket only.
    const left = Math.max(100, timeoutMs - (Date.now() - started));
    if (await webSocketHandshake(baseUrl, socketIoPath, left, tls)) return true;
    return isEngineIoError(answer) ? true : polling;
  }
  let sid: unknown;
  try {
    sid = (JSON.parse(open[1]) as { sid?: unknown }).sid;
  } catch {
    return "an engine.io open packet that is not JSON";
  }
  if (typeof sid !== "string") return "an engine.io open packet without a sid";
  await closeSession(`${url}&sid=${encodeURIComponent(sid)}`, timeoutMs, tls);
  return true;
}

// engine.io's error answers (engine.io lib/server.ts, abortRequest): 400, or 403 for
// allowRequest's refusal, with a JSON body of exactly a code and its message.
const ENGINE_IO_ERRORS: Record<number, string | undefined> = {
  0: "Transport unknown",
  1: "Session ID unknown",
  2: "Bad handshake method",
  3: "Bad request",
  4: undefined, // Forbidden: the message is allowRequest's own
  5: "Unsupported protocol version",
};

/** Whether an answer is engine.io refusing a request: proof that Socket.IO serves the path. */
export function isEngineIoError(answer: { status: number; text: string }): boolean {
  if (answer.status !== 400 && answer.status !== 403) return false;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return false;
  }
  if (body === null || typeof body !== "object" || Object.keys(body).sort().join() !== "code,message") return false;
  const { code, message } = body as { code: unknown; message: unknown };
  if (typeof code !== "number" || !(code in ENGINE_IO_ERRORS) || typeof message !== "string") return false;
  return answer.status === 403 ? code === 4 : code !== 4 && message === ENGINE_IO_ERRORS[code];
}

/**
 * An engine.io handshake over WebSocket, through socket.io-client's Manager (the engine's
 * connection alone: no namespace, so no auth middleware is met): true when the server opens
 * a session. The connection is closed at once, which ends the session.
 */
export function webSocketHandshake(baseUrl: string, socketIoPath: string, timeoutMs: number, tls?: TlsOptions): Promise<boolean> {
  const secure = baseUrl.startsWith("https:");
  const manager = new Manager(baseUrl, {
    path: socketIoPath,
    transports: ["websocket"],
    reconnection: false,
    autoConnect: false,
    timeout: timeoutMs,
    ...(secure ? { secure: true, rejectUnauthorized: !(tls?.insecure ?? false), ...(tls?.ca ? { ca: tls.ca } : {}) } : {}),
  });
  return new Promise((resolve) => {
    manager.open((error) => {
      // The engine socket, opened or not: nothing of it may outlive the check.
      manager.engine?.close();
      resolve(error === undefined);
    });
  });
}

/** POSTs an engine.io close packet ("1"); best effort. */
function closeSession(url: string, timeoutMs: number, tls?: TlsOptions): Promise<void> {
  const { module, options } = requestModule(url, tls);
  return new Promise((resolve) => {
    const request = module.request(url, { ...options, method: "POST", agent: false, headers: { "content-type": "text/plain;charset=UTF-8" } }, (response) => {
      response.resume();
      response.on("end", () => resolve());
      response.on("error", () => resolve());
    });
    const timer = setTimeout(() => request.destroy(), timeoutMs);
    request.on("close", () => (clearTimeout(timer), resolve()));
    request.on("error", () => resolve());
    request.end("1");
  });
}

/**
 * The answer at the metrics path the user named, checked once the server answers: 2xx and a
 * JSON object, or a UsageError (exit 2: the option is wrong, the server is up) naming the
 * path, what came back, and the two ways out. A 503 is the one answer not judged here:
 * it is how a server says "not yet", so readiness keeps waiting for it.
 */
export function checkMetricsAnswer(url: string, readiness: Readiness, answer: { status: number; text: string }, attached: boolean): void {
  let got: string | undefined = answer.status < 200 || answer.status > 299 ? `answered ${answer.status}` : undefined;
  if (got === undefined) {
    try {
      parseMetrics(answer.text, url);
    } catch {
      got = `answered ${answer.status} with ${JSON.stringify(answer.text.slice(0, 40))}${answer.text.length > 40 ? "…" : ""}, not a JSON object of counts`;
    }
  }
  if (got === undefined) return;
  throw metricsPathError(url, readiness, got, attached);
}

/** The metrics path the user named is wrong: what GET `url` did (`got`), and the two ways out. */
function metricsPathError(url: string, readiness: Readiness, got: string, attached: boolean): UsageError {
  // Without a metrics endpoint the gauges are read inside the server: by the probe leakcheck
  // puts in a server it starts, or, attached with --url, the one given with --probe.
  const without = attached
    ? "or leave it out to measure without a metrics endpoint (attached with --url, that needs the server's probe: --probe)"
    : "or leave it out to measure without one (Socket.IO's counts and leakcheck/gauges, read by the probe)";
  const from = readiness.metricsPathFrom ?? "--metrics-path";
  return new UsageError(`${from} ${readiness.metricsPath}: GET ${url} ${got}: point ${from} at the server's metrics endpoint, ${without}`);
}

/**
 * Whether the server has the metrics endpoint: when it was asked for, it must answer (see
 * checkMetricsAnswer); otherwise when the default path answers 2xx. A 404 (most apps)
 * means none: the gauges are then Socket.IO's counts and the app's, from the probe.
 */
export async function hasMetricsEndpoint(baseUrl: string, readiness: Readiness, timeoutMs: number, attached = false): Promise<boolean> {
  if (readiness.metricsPathFrom !== undefined) {
    const url = new URL(readiness.metricsPath, baseUrl).href;
    checkMetricsAnswer(url, readiness, await httpGet(url, timeoutMs, readiness.tls), attached);
    return true;
  }
  try {
    const { status } = await httpGet(new URL(readiness.metricsPath, baseUrl).href, timeoutMs, readiness.tls);
    return status >= 200 && status < 300;
  } catch {
    return false;
  }
}
