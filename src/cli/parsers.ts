// Option value parsers: each shows the bad value and what would be right (exit 2).

import { InvalidArgumentError } from "commander";
import { parseDuration } from "../duration.js";
import { LEAK_MODES_TEXT, MAX_LEAK_BYTES, parseLeakMode, type LeakMode } from "../protocol.js";
import { SNAPSHOT_MODES, type SnapshotMode } from "../run/options.js";

/** A value from the command line as a message shows it: in backticks, or "" when empty. */
export function shownArgument(value: string): string {
  return value === "" ? '""' : `\`${value}\``;
}

/**
 * What a numeric setting must be, said one way for its flag and its config file key
 * (`text`: "must be a whole number from 1 to 100"); `read` gives the value, or undefined
 * when it breaks the rule.
 */
export interface SettingRule {
  text: string;
  read(value: unknown): number | undefined;
}

/** A whole number in [min, max]: a number, or digits as typed on the command line. */
export function wholeRule(min: number, max: number): SettingRule {
  return {
    text: `must be a whole number from ${min} to ${max.toLocaleString("en-US")}`,
    read(value) {
      if (typeof value === "string" && !/^\s*\d+\s*$/.test(value)) return undefined;
      const number = typeof value === "string" ? Number(value) : value;
      return typeof number === "number" && Number.isSafeInteger(number) && number >= min && number <= max ? number : undefined;
    },
  };
}

/** A duration in [minMs, maxMs]: `500ms`, `15s`, `10m`, `1h`, or a number of milliseconds. */
export function durationRule(minMs: number, maxMs: number): SettingRule {
  return {
    text: `must be a duration from ${durationBound(minMs)} to ${durationBound(maxMs)}, like 500ms, 15s or 10m`,
    read(value) {
      const ms = typeof value === "string" ? parseDuration(value) : typeof value === "number" && Number.isFinite(value) ? Math.round(value) : undefined;
      return ms !== undefined && ms >= minMs && ms <= maxMs ? ms : undefined;
    },
  };
}

/** The option's value parser for a rule: a bad value is exit 2, shown with the rule. */
export function ruled(option: string, rule: SettingRule) {
  return (value: string): number => {
    const read = rule.read(value);
    if (read === undefined) throw new InvalidArgumentError(`${option} ${rule.text}, got ${shownArgument(value)}`);
    return read;
  };
}

/** A whole number in [min, max]. */
export function wholeNumber(option: string, min: number, max: number) {
  return ruled(option, wholeRule(min, max));
}

/** A duration (500ms, 15s, 10m, 1h, or bare milliseconds) in [minMs, maxMs]. */
export function duration(option: string, minMs: number, maxMs: number) {
  return ruled(option, durationRule(minMs, maxMs));
}

/** A range bound the way it would be typed: 0, 100ms, 1s, 10m, 24h. */
function durationBound(ms: number): string {
  if (ms === 0) return "0";
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** One of the bundled server's leak modes. */
export function leakMode(value: string): LeakMode {
  const mode = parseLeakMode(value);
  if (mode === undefined) {
    throw new InvalidArgumentError(`leak mode must be one of ${LEAK_MODES_TEXT} (N bytes up to ${MAX_LEAK_BYTES}, M ≥ 1), got ${shownArgument(value)}`);
  }
  return mode;
}

/** A --snapshots mode. */
export function snapshotMode(value: string): SnapshotMode {
  if (!(SNAPSHOT_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--snapshots must be one of ${SNAPSHOT_MODES.join(", ")}, got ${shownArgument(value)}`);
  }
  return value as SnapshotMode;
}

/** An http(s) URL of a running server. */
export function serverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--url must be a URL like http://127.0.0.1:3000, got ${shownArgument(value)}`);
  }
  // ws:// and wss:// name the same server as http:// and https://.
  if (url.protocol === "ws:" || url.protocol === "wss:") url = new URL(value.replace(/^ws/i, "http"));
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidArgumentError(`--url must start with http://, https://, ws:// or wss://, got ${shownArgument(value)}`);
  // Only the origin is used: a path here would be dropped without a word.
  if (url.pathname !== "/" || url.search || url.hash) {
    throw new InvalidArgumentError(`--url is the server's address only, like ${url.origin}; give its metrics endpoint with --metrics-path, got ${shownArgument(value)}`);
  }
  return url.origin;
}

const PATH_EXAMPLES: Record<string, string> = { "--socketio-path": "/socket.io/", "--ready-path": "/health" };

/** An HTTP path starting with a slash. */
export function httpPath(option: string) {
  const example = PATH_EXAMPLES[option] ?? "/api/metrics";
  return (value: string): string => {
    if (!value.startsWith("/") || /\s/.test(value)) {
      throw new InvalidArgumentError(`${option} must be a URL path starting with / and without spaces, like ${example}, got ${shownArgument(value)}`);
    }
    return value;
  };
}

/** A non-empty command line. */
export function command(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("--server needs a command, like \"npm start\" or \"node server.js\"");
  return value;
}

/** `--load`: a shell command run for each round (issue 12). */
export function loadCommand(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError('--load needs a command, like "npx artillery run load.yml" or "node load.js"');
  return value;
}

/** Collects a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
