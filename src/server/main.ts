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
 * Runs the server in the foreground: resolves only once a SIGTERM or SIGINT has closed it (exit
 * code 0: an asked-for stop), at once on bad arguments (process.exitCode 2) or when it cannot
 * listen (3). `prefix` starts each error line (`leakcheck serve` passes "leakcheck: ", as every
 * leakcheck error reads).
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
  // Signal handlers first: whoever reads the URL may stop the server at once.
  const closed = closedBySignal(server, prefix);
  process.stdout.write(`listening on ${server.url}\n`);
  await closed;
}

/**
 * Resolves once SIGTERM or SIGINT has closed the server. A close that takes over FORCE_EXIT_MS,
 * or a second signal, resolves at once: the caller exits, which ends whatever was left.
 * (`leakcheck serve` used to return as soon as it listened, and the CLI shim exited with it.)
 */
function closedBySignal(server: RunningServer, prefix: string): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const done = (): void => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve();
    };
    function stop(signal: NodeJS.Signals): void {
      if (stopping) return done(); // a second signal while closing means "now"
      stopping = true;
      const force = setTimeout(() => {
        process.stderr.write(`${prefix}closing after ${signal} took over ${FORCE_EXIT_MS}ms; exiting anyway\n`);
        done();
      }, FORCE_EXIT_MS);
      force.unref();
      server.close().then(
        () => (clearTimeout(force), done()),
        (error: unknown) => {
          clearTimeout(force);
          process.stderr.write(`${prefix}closing after ${signal} failed: ${error instanceof Error ? error.message : String(error)}\n`);
          done();
        },
      );
    }
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
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
  runServerMain(process.argv.slice(2), process.env)
    .catch((error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT_CANNOT_RUN;
    })
    // Closed, or never started: exit now, whatever a leak mode left running (its question
    // timers), once the last lines are out.
    .finally(() => process.stdout.write("", () => process.stderr.write("", () => process.exit())));
}
