// The bundled server as a program: parse argv/env, listen, announce the URL, close cleanly on signals.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseServerArgs, SERVER_USAGE, ServerUsageError, wantsHelp } from "./args.js";
import { startInterviewServer } from "./app.js";
import type { RunningServer } from "./app.js";

export { parseServerArgs, ServerUsageError } from "./args.js";

const EXIT_USAGE = 2;
const EXIT_CANNOT_RUN = 3;
const FORCE_EXIT_MS = 2000;

/**
 * Runs the server until SIGTERM/SIGINT; sets process.exitCode 2 on bad arguments and 3 when it cannot listen.
 * `prefix` starts each error line (`leakcheck serve` passes "leakcheck: ", as every leakcheck error reads).
 */
export async function runServerMain(argv: string[], env: NodeJS.ProcessEnv, prefix = ""): Promise<void> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${SERVER_USAGE}\n`);
    return;
  }
  let opts;
  try {
    opts = parseServerArgs(argv, env);
  } catch (error) {
    if (!(error instanceof ServerUsageError)) throw error;
    process.stderr.write(`${prefix}${error.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  let server: RunningServer;
  try {
    server = await startInterviewServer(opts);
  } catch (error) {
    process.stderr.write(`${prefix}${listenFailure(error, opts.host, opts.port)}\n`);
    process.exitCode = EXIT_CANNOT_RUN;
    return;
  }
  process.stdout.write(`listening on ${server.url}\n`);
  closeOnSignals(server);
}

function closeOnSignals(server: RunningServer): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // A second signal while closing means "now".
    if (stopping) process.exit(0);
    stopping = true;
    setTimeout(() => {
      process.stderr.write(`error: closing after ${signal} took over ${FORCE_EXIT_MS}ms; exiting anyway\n`);
      process.exit(0);
    }, FORCE_EXIT_MS).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error: closing after ${signal} failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(0);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

function listenFailure(error: unknown, host: string, port: number): string {
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") return `port ${port} is already in use on ${host}: choose another with --port or PORT`;
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return `cannot listen on ${host}: it is not an address of this machine; choose another with --host or HOST`;
  }
  if (code === "EACCES") return `not allowed to listen on port ${port} of ${host}: choose a port above 1023 with --port or PORT`;
  const message = error instanceof Error ? error.message : String(error);
  return `cannot listen on ${host}:${port}: ${message}`;
}

// Run only as the entry point, so tests and the CLI can import parseServerArgs without starting a server.
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  runServerMain(process.argv.slice(2), process.env).catch((error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_CANNOT_RUN;
  });
}
