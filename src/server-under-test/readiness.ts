// When the server under test is ready, and whether it has a metrics endpoint.
// Most apps have no metrics endpoint: by default a server is ready when its port accepts
// a Socket.IO handshake (or answers the metrics path); --ready-path names a path instead.

import http from "node:http";
import { RunError } from "../errors.js";
import { httpGet } from "./metrics.js";

export interface Readiness {
  /** --ready-path: this path answering 2xx is readiness, nothing else. */
  readyPath?: string;
  metricsPath: string;
  /** The metrics path was asked for (--metrics-path, a config file): it must answer. */
  metricsPathGiven: boolean;
  /** The Socket.IO path, ending in a slash (default /socket.io/). */
  socketIoPath: string;
}

/** The readiness part of the run's options. */
export function readinessOf(options: { readyPath?: string; metricsPath: string; metricsPathGiven?: boolean; socketIoPath: string }): Readiness {
  return {
    readyPath: options.readyPath,
    metricsPath: options.metricsPath,
    metricsPathGiven: options.metricsPathGiven ?? false,
    socketIoPath: options.socketIoPath.endsWith("/") ? options.socketIoPath : `${options.socketIoPath}/`,
  };
}

/** Polls until the server is ready (see Readiness); fails on `exited` or after timeoutMs with the last problem seen. */
export async function waitReady(baseUrl: string, readiness: Readiness, timeoutMs: number, exited: Promise<never>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pathUrl = new URL(readiness.readyPath ?? readiness.metricsPath, baseUrl).href;
  const handshake = readiness.readyPath === undefined && !readiness.metricsPathGiven;
  let lastProblem = "no answer";
  let lastHandshake = "no answer";
  let done = false;
  exited.catch(() => undefined);
  const poll = async () => {
    while (!done && Date.now() < deadline) {
      // Each request within what is left of the deadline, so a server that takes connections
      // and answers nothing is given up on in time.
      const wait = () => Math.max(100, Math.min(2000, deadline - Date.now()));
      if (handshake) {
        const answer = await socketIoHandshake(baseUrl, readiness.socketIoPath, wait());
        if (answer === true) return;
        lastHandshake = answer;
        // A refused connection fails both checks alike: no second request needed.
        if (/ECONNREFUSED/.test(answer)) {
          lastProblem = answer;
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
      }
      try {
        const { status } = await httpGet(pathUrl, wait());
        if (status >= 200 && status < 300) return;
        lastProblem = `status ${status}`;
      } catch (error) {
        lastProblem = (error as Error).message.replace(/^GET \S+ failed \((.*)\):.*$/, "$1");
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (done) return;
    if (readiness.readyPath !== undefined) {
      throw new RunError(`the server did not answer GET ${pathUrl} with 2xx within ${timeoutMs} ms (last: ${lastProblem}): raise --ready-timeout, or check --ready-path and the server log`);
    }
    if (!handshake) {
      throw new RunError(`the server did not answer GET ${pathUrl} with 2xx within ${timeoutMs} ms (last: ${lastProblem}): raise --ready-timeout, or check --metrics-path and the server log`);
    }
    throw new RunError(
      `the server did not answer GET ${pathUrl} with 2xx within ${timeoutMs} ms (last: ${lastProblem}), nor a Socket.IO handshake at ${readiness.socketIoPath} (last: ${lastHandshake}): raise --ready-timeout, check --socketio-path and the server log, or name a path that answers 2xx once ready with --ready-path`,
    );
  };
  try {
    await Promise.race([poll(), exited]);
  } finally {
    done = true;
  }
}

/**
 * An engine.io v4 polling handshake: true when the server opens a session (`0{"sid":…`),
 * else what went wrong. The session is closed at once, so it is not left among the
 * engine's clients until its ping timeout.
 */
export async function socketIoHandshake(baseUrl: string, socketIoPath: string, timeoutMs: number): Promise<true | string> {
  const url = new URL(`${socketIoPath}?EIO=4&transport=polling`, baseUrl).href;
  let answer: { status: number; text: string };
  try {
    answer = await httpGet(url, timeoutMs);
  } catch (error) {
    return (error as Error).message.replace(/^GET \S+ failed \((.*)\):.*$/, "$1");
  }
  const open = /^0(\{.*\})/.exec(answer.text);
  if (answer.status !== 200 || !open) return `status ${answer.status}${answer.status === 200 ? ", not an engine.io open packet" : ""}`;
  let sid: unknown;
  try {
    sid = (JSON.parse(open[1]) as { sid?: unknown }).sid;
  } catch {
    return "an engine.io open packet that is not JSON";
  }
  if (typeof sid !== "string") return "an engine.io open packet without a sid";
  await closeSession(`${url}&sid=${encodeURIComponent(sid)}`, timeoutMs);
  return true;
}

/** POSTs an engine.io close packet ("1"); best effort. */
function closeSession(url: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const request = http.request(url, { method: "POST", agent: false, headers: { "content-type": "text/plain;charset=UTF-8" } }, (response) => {
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
 * Whether the server has the metrics endpoint: always when it was asked for (a bad one is
 * an error later, naming it); otherwise when the default path answers 2xx. A 404 (most
 * apps) means none: the gauges are then Socket.IO's counts and the app's, from the probe.
 */
export async function hasMetricsEndpoint(baseUrl: string, readiness: Readiness, timeoutMs: number): Promise<boolean> {
  if (readiness.metricsPathGiven) return true;
  try {
    const { status } = await httpGet(new URL(readiness.metricsPath, baseUrl).href, timeoutMs);
    return status >= 200 && status < 300;
  } catch {
    return false;
  }
}
