// The server program's command line: flags first, then HOST/PORT from the environment, then defaults.
import { parseArgs } from "node:util";
import { parseDuration } from "../duration.js";
import { LEAK_MODES_TEXT, MAX_LEAK_BYTES, parseLeakMode, type LeakMode } from "../protocol.js";
import { DEFAULT_SERVER_OPTIONS, SERVER_LOG_LEVELS } from "./options.js";
import type { ServerLogLevel, ServerOptions } from "./options.js";

/** A bad flag or environment value: main prints its one-line message on stderr and exits 2. */
export class ServerUsageError extends Error {
  override readonly name = "ServerUsageError";
}

export const SERVER_USAGE = `usage: node dist/src/server/main.js [options]
  --host HOST              interface to bind (env HOST, default 127.0.0.1)
  --port N                 port, 0 = any free one (env PORT, default 3000)
  --leak MODE              ${LEAK_MODES_TEXT} (default none)
  --resume-grace-ms N      hold a disconnected session N ms for resume-interview (default 0)
  --ping-interval MS       Socket.IO ping interval (default 25000)
  --ping-timeout MS        Socket.IO ping timeout (default 20000)
  --log info|none          print one line per freed session (default info)
  --rate-limit N           events per second per connection, bursts of 2N, 0 = off (default 100)
  -h, --help               this text`;

const MAX_TIMER_MS = 2_147_483_647; // setTimeout's ceiling; larger values fire at once.
const MAX_RATE_LIMIT = 1_000_000; // beyond this a limit means nothing; use 0 to turn it off.

/** Turns argv and env into ServerOptions, or throws ServerUsageError naming the bad value and the fix. */
export function parseServerArgs(argv: string[], env: NodeJS.ProcessEnv): ServerOptions {
  const { values } = parseFlags(argv);
  const d = DEFAULT_SERVER_OPTIONS;
  const host = values.host ?? nonEmpty(env.HOST) ?? d.host;
  if (host.trim() === "") throw new ServerUsageError("--host must not be empty; pass an interface such as 127.0.0.1");
  const envPort = nonEmpty(env.PORT);
  const port =
    values.port !== undefined
      ? wholeNumber(values.port, "--port", 0, 65_535, "pass --port 0 for any free port")
      : envPort !== undefined
        ? wholeNumber(envPort, "PORT", 0, 65_535, "set PORT to 0 for any free port, or pass --port")
        : d.port;
  return {
    host,
    port,
    leak: leakModeOf(values.leak ?? d.leak),
    resumeGraceMs: milliseconds(values["resume-grace-ms"], "--resume-grace-ms", 0, d.resumeGraceMs),
    pingIntervalMs: milliseconds(values["ping-interval"], "--ping-interval", 1, d.pingIntervalMs),
    pingTimeoutMs: milliseconds(values["ping-timeout"], "--ping-timeout", 1, d.pingTimeoutMs),
    log: oneOf<ServerLogLevel>(values.log ?? d.log, "--log", SERVER_LOG_LEVELS),
    recentResultsMax: d.recentResultsMax,
    rateLimit:
      values["rate-limit"] !== undefined
        ? wholeNumber(values["rate-limit"], "--rate-limit", 0, MAX_RATE_LIMIT, "it counts events per second per connection, 0 turns the limit off")
        : d.rateLimit,
  };
}

/** True when argv asks for the usage text. */
export function wantsHelp(argv: string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        leak: { type: "string" },
        "resume-grace-ms": { type: "string" },
        "ping-interval": { type: "string" },
        "ping-timeout": { type: "string" },
        log: { type: "string" },
        "rate-limit": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    // node:util's messages are multi-line and suggest `--`; ours name the flag and the way out.
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new ServerUsageError(`unknown option ${flag}: run with --help to see the options`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new ServerUsageError(`option ${flag} needs a value, e.g. ${flag} 0`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      const arg = /'([^']*)'/.exec(message)?.[1] ?? "";
      throw new ServerUsageError(`unexpected argument \`${arg}\`: every setting is a --flag, run with --help to see them`);
    }
    throw new ServerUsageError(`${message.split("\n")[0]}: run with --help to see the options`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function wholeNumber(text: string, name: string, min: number, max: number, fix: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ServerUsageError(`${name} must be a whole number from ${min} to ${max}, got \`${text}\`; ${fix}`);
  }
  return value;
}

// A duration as everywhere in leakcheck (bare milliseconds, or with ms, s, m or h): the shared parser.
function milliseconds(text: string | undefined, name: string, min: number, fallback: number): number {
  if (text === undefined) return fallback;
  const value = parseDuration(text);
  if (value === undefined || value < min || value > MAX_TIMER_MS) {
    throw new ServerUsageError(`${name} must be a duration from ${min}ms to ${MAX_TIMER_MS}ms (e.g. 500, 500ms, 15s, 10m), got \`${text}\``);
  }
  return value;
}

function leakModeOf(text: string): LeakMode {
  const mode = parseLeakMode(text);
  if (mode === undefined) throw new ServerUsageError(`--leak must be one of ${LEAK_MODES_TEXT} (N bytes up to ${MAX_LEAK_BYTES}, M ≥ 1), got \`${text}\``);
  return mode;
}

function oneOf<T extends string>(text: string, name: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new ServerUsageError(`${name} must be one of ${allowed.join(", ")}, got \`${text}\``);
  }
  return text as T;
}
