// Option value parsers: each shows the bad value and what would be right (exit 2).

import { InvalidArgumentError } from "commander";
import { parseDuration } from "../duration.js";
import { LEAK_MODES, type LeakMode } from "../protocol.js";
import { SNAPSHOT_MODES, type SnapshotMode } from "../run/options.js";

/** A whole number in [min, max]. */
export function wholeNumber(option: string, min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`${option} must be a whole number from ${min} to ${max.toLocaleString("en-US")}, got \`${value}\``);
    }
    return number;
  };
}

/** A duration (500ms, 15s, 10m, or bare milliseconds) in [minMs, maxMs]. */
export function duration(option: string, minMs: number, maxMs: number) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      throw new InvalidArgumentError(
        `${option} must be a duration like 500ms, 15s or 10m between ${minMs} ms and ${Math.round(maxMs / 60_000)}m, got \`${value}\``,
      );
    }
    return ms;
  };
}

/** One of the bundled server's leak modes. */
export function leakMode(value: string): LeakMode {
  if (!(LEAK_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`leak mode must be one of ${LEAK_MODES.join(", ")}, got \`${value}\``);
  }
  return value as LeakMode;
}

/** A --snapshots mode. */
export function snapshotMode(value: string): SnapshotMode {
  if (!(SNAPSHOT_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--snapshots must be one of ${SNAPSHOT_MODES.join(", ")}, got \`${value}\``);
  }
  return value as SnapshotMode;
}

/** An http(s) URL of a running server. */
export function serverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--url must be a URL like http://127.0.0.1:3000, got \`${value}\``);
  }
  if (url.protocol !== "http:") throw new InvalidArgumentError(`--url must start with http://, got \`${value}\``);
  return url.origin;
}

/** An HTTP path starting with a slash. */
export function httpPath(option: string) {
  return (value: string): string => {
    if (!value.startsWith("/") || /\s/.test(value)) {
      throw new InvalidArgumentError(`${option} must be a path starting with /, like /api/metrics, got \`${value}\``);
    }
    return value;
  };
}

/** A non-empty command line. */
export function command(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("--server needs a command, like \"npm start\" or \"node server.js\"");
  return value;
}

/** Collects a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
