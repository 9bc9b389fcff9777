// `leakcheck serve`: the bundled interview server in the foreground.

import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { parseServerArgs, runServerMain, ServerUsageError } from "../server/main.js";
import { duration, leakMode, wholeNumber } from "./parsers.js";

interface ServeOptions {
  leak?: string;
  port?: number;
  host?: string;
  resumeGrace?: number;
  pingInterval?: number;
  pingTimeout?: number;
  rateLimit?: number;
  quiet?: boolean;
}

/** Registers `serve` on the program. */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the bundled interview server in the foreground")
    .option("--leak <mode>", "leak mode: none, disconnect, timers, cache, listeners, bytes:N (a record of N bytes kept per ended session), bytes:N:max:M (only the newest M: bounded)", leakMode)
    .option("--port <n>", "port (default: PORT, else 3000; 0 = any free port)", wholeNumber("--port", 0, 65_535))
    .option("--host <host>", "address to bind (default: HOST, else 127.0.0.1)")
    .option("--resume-grace <duration>", "how long a disconnected session is held for resume-interview", duration("--resume-grace", 0, 3_600_000))
    .option("--ping-interval <duration>", "Socket.IO ping interval", duration("--ping-interval", 10, 600_000))
    .option("--ping-timeout <duration>", "Socket.IO ping timeout", duration("--ping-timeout", 10, 600_000))
    .option("--rate-limit <n>", "events per second each connection may send, in bursts of twice that (0 = no limit; default 100)", wholeNumber("--rate-limit", 0, 1_000_000))
    .option("--quiet", "do not log each cleaned-up session")
    .action(async (options: ServeOptions) => {
      const argv: string[] = [];
      if (options.leak) argv.push("--leak", options.leak);
      if (options.port !== undefined) argv.push("--port", String(options.port));
      if (options.host) argv.push("--host", options.host);
      if (options.resumeGrace !== undefined) argv.push("--resume-grace-ms", String(options.resumeGrace));
      if (options.pingInterval !== undefined) argv.push("--ping-interval", String(options.pingInterval));
      if (options.pingTimeout !== undefined) argv.push("--ping-timeout", String(options.pingTimeout));
      if (options.rateLimit !== undefined) argv.push("--rate-limit", String(options.rateLimit));
      if (options.quiet) argv.push("--log", "none");
      // HOST and PORT from the environment are checked here too, so that a bad one is a
      // usage error in leakcheck's words (the server program would print its own line).
      try {
        parseServerArgs(argv, process.env);
      } catch (error) {
        if (error instanceof ServerUsageError) throw new UsageError(error.message);
        throw error;
      }
      // In the foreground: returns once Ctrl-C or SIGTERM has closed the server.
      await runServerMain(argv, process.env, "leakcheck: ");
    });
}
