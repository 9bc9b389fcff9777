// The gauges (CONTRACT §3, §6): every top-level integer of the metrics endpoint, when the
// server has one, and through the probe Socket.IO's own counts and the app's gauges.

import http from "node:http";
import https from "node:https";
import { RunError, UsageError } from "../errors.js";
import type { ProbeClient } from "../probe/client.js";

/** Where a server's gauges come from: a Target is one. */
export interface GaugeSource {
  baseUrl: string;
  probe?: ProbeClient;
  /** False: no metrics endpoint, the probe's gauges only. */
  hasMetrics: boolean;
  /** For an https server: its CA and whether to skip verification (--ca, --insecure). */
  tls?: TlsOptions;
  /** "url": attached, someone else's server; otherwise leakcheck started it with its probe in every process. */
  kind?: "bundled" | "command" | "url";
}

/** How leakcheck's own HTTP requests trust an https server (--ca, --insecure). */
export interface TlsOptions {
  ca?: string;
  insecure: boolean;
}

export interface MetricsReading {
  gauges: Record<string, number>;
  memory?: NodeJS.MemoryUsage;
  /** False when no probe was asked (attached with --url and no --probe): the endpoint is all there is. */
  probed?: boolean;
  /** Leakcheck started the server: a missing probe is one that no process serving the port answered from. */
  spawned?: boolean;
}

/**
 * The server's gauges now: the metrics endpoint's fields (when it has one), then the
 * probe's Socket.IO counts and app gauges not already among them. Each bounded by `timeoutMs`.
 */
export async function fetchMetrics(source: GaugeSource, metricsPath: string, timeoutMs: number): Promise<MetricsReading> {
  const fromProbe = source.probe ? (await source.probe.gauges(timeoutMs)).gauges : {};
  const probed = source.probe !== undefined;
  const spawned = source.kind !== undefined && source.kind !== "url";
  if (!source.hasMetrics) return { gauges: fromProbe, probed, spawned };
  const reading = await fetchEndpoint(source.baseUrl, metricsPath, timeoutMs, source.tls);
  for (const [name, value] of Object.entries(fromProbe)) if (!(name in reading.gauges)) reading.gauges[name] = value;
  return { ...reading, probed, spawned };
}

/**
 * GET <baseUrl><metricsPath>, bounded by `timeoutMs`; garbage is a RunError that names the endpoint.
 * A fresh connection that closes after the answer: a kept-alive one would be counted
 * among the server's active sockets and blur the handle check.
 */
async function fetchEndpoint(baseUrl: string, metricsPath: string, timeoutMs: number, tls?: TlsOptions): Promise<MetricsReading> {
  const url = new URL(metricsPath, baseUrl).href;
  const { status, text } = await httpGet(url, timeoutMs, tls);
  if (status < 200 || status > 299) {
    throw new RunError(`GET ${url} answered ${status}: point --metrics-path at the server's metrics endpoint`);
  }
  return parseMetrics(text, url);
}

/** http or https by the URL; for https, trusting what --ca / --insecure say. */
export function requestModule(url: string, tls: TlsOptions | undefined): { module: typeof http | typeof https; options: https.RequestOptions } {
  if (!url.startsWith("https:")) return { module: http, options: {} };
  return { module: https, options: { ca: tls?.ca, rejectUnauthorized: !(tls?.insecure ?? false) } };
}

/** A one-shot GET with a deadline; resolves with status and body (at most 1 MB). */
export function httpGet(url: string, timeoutMs: number, tls?: TlsOptions): Promise<{ status: number; text: string }> {
  const { module, options } = requestModule(url, tls);
  return new Promise((resolve, reject) => {
    const request = module.get(url, { ...options, agent: false, headers: { accept: "application/json" } }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
        if (text.length > 1_048_576) request.destroy(new Error("answer larger than 1 MB"));
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      response.on("error", fail);
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on("close", () => clearTimeout(timer));
    request.on("error", fail);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(new RunError(`GET ${url} failed (${error.message}): the server is down or hung`));
    }
  });
}

/** The gauges and memory of a metrics body; rejects anything but a JSON object. */
export function parseMetrics(text: string, url: string): MetricsReading {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RunError(
      `GET ${url} did not return JSON (got ${JSON.stringify(text.slice(0, 60))}): point --metrics-path at an endpoint that returns the metrics object`,
    );
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new RunError(`GET ${url} returned ${JSON.stringify(text.slice(0, 60))}, not a JSON object of gauges`);
  }
  const gauges: Record<string, number> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === "number" && Number.isInteger(value)) gauges[name] = value;
  }
  const memory = (body as { memory?: unknown }).memory;
  return {
    gauges,
    memory: memory && typeof memory === "object" && typeof (memory as NodeJS.MemoryUsage).heapUsed === "number"
      ? (memory as NodeJS.MemoryUsage)
      : undefined,
  };
}

/** Picks the gauges to judge: all of them, or the `--gauge` subset, which must exist. */
export function selectGauges(reading: MetricsReading, wanted: string[] | undefined, url: string): string[] {
  const available = Object.keys(reading.gauges);
  if (!wanted || wanted.length === 0) {
    if (available.length === 0 && reading.probed === false && reading.spawned) {
      // Started by leakcheck, yet no process serving the port answered with its probe.
      throw new RunError(
        `nothing to gauge: GET ${url} has no integer fields, or no endpoint, and no process of the server leakcheck started answered its probe as serving the port (the probe rides in NODE_OPTIONS: a command that replaces NODE_OPTIONS drops it; connections handed to processes that are not the listener's node:cluster workers with a Socket.IO server are not followed): keep NODE_OPTIONS in the server's command, or point --metrics-path at the server's metrics endpoint`,
      );
    }
    if (available.length === 0 && reading.probed === false) {
      throw new RunError(
        `nothing to gauge: GET ${url} has no integer fields, or no endpoint, and no probe is inside the server (attached with --url, leakcheck sees only a metrics endpoint): point --metrics-path at the server's metrics endpoint, or load the probe into the server and give --probe, or let leakcheck start it with --server`,
      );
    }
    if (available.length === 0) {
      throw new RunError(
        `nothing to gauge: GET ${url} has no integer fields, or no endpoint, and the probe found no Socket.IO server or leakcheck/gauges in the server process: point --metrics-path at the server's metrics endpoint, or start the server with --server so the probe is inside it`,
      );
    }
    return available;
  }
  const missing = wanted.filter((name) => !available.includes(name));
  if (missing.length > 0) {
    throw new UsageError(
      `--gauge ${missing.join(", ")}: the metrics at ${url} have no such integer field (they have: ${available.join(", ") || "none"})`,
    );
  }
  return wanted;
}
