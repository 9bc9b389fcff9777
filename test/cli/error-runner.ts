// Runs one bad-input case through the real CLI and checks the error contract: exactly one
// line on stderr naming the cause and the fix, no stack trace, nothing on stdout for a usage
// error, the contract's exit code. Returns the row docs/errors.md shows for it.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { expect, vi } from "vitest";
import { errorLines, processesWithEnv, ROOT, runCli, type CliResult } from "../support/cli.js";
import { normalise, shellLine, type ErrorRow } from "./error-doc.js";

export interface ErrorCase {
  /** The doc's section: the command, and for `run` what kind of input. */
  section: string;
  /** argv after `leakcheck`, as typed: `<tmp>` is the cases' temp folder, `<port>` a port held by the test. */
  args: string[];
  exit: 2 | 3;
  /** What the one stderr line must say after `leakcheck: `, normalised (`<tmp>`, `<port>`...). */
  message: RegExp;
  /** Files to create under `<tmp>` first (relative paths; a name ending in "/" is a folder), and modes to give them. */
  files?: Record<string, string | Uint8Array>;
  modes?: Record<string, number>;
  /** Markdown after the command in the doc: what the command line does not show. */
  note?: string;
  env?: Record<string, string>;
  /** Working folder (may start with `<tmp>`); default the repository. */
  cwd?: string;
  /** Why this machine cannot try the case, or undefined when it can. */
  notTriedBecause?: () => string | undefined;
  /** The case is written but the feature is not there yet: an it.todo and a row saying so. */
  todo?: string;
  /**
   * Why the case must run bin/leakcheck.js in a child process (it starts a server, exits the
   * process, waits for the event loop to drain...). Cases with `env` or `cwd` always do.
   * The others call the CLI's main() in this process: the same code, without the ~1 s of
   * CPU a process start costs (200 of those would not fit the test's time on 2 busy cores).
   */
  spawn?: string;
  /** Why the line does not start with `leakcheck: ` (a line printed by the bundled server itself). */
  unprefixed?: string;
  timeoutMs?: number;
  /** More checks on the result (nothing left running, ...). */
  check?: (result: CliResult) => void;
}

/** Markdown note for a case whose file holds `content`. */
export function holding(content: string): string {
  const oneLine = content.replace(/\n/g, "\\n");
  const shown = oneLine.length > 70 ? `${oneLine.slice(0, 69)}…` : oneLine;
  return `with the file holding \`${shown.replace(/`/g, "'")}\``;
}

export const runningAsRoot = (): string | undefined =>
  process.getuid?.() === 0 ? "not tried: the tests ran as root, which can read and write any file" : undefined;

/** The cases' temp folder with every case's files in it. */
export function createWorkspace(tmp: string, cases: ErrorCase[]): void {
  for (const each of cases) {
    for (const [name, content] of Object.entries(each.files ?? {})) {
      const file = path.join(tmp, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // A name ending in "/" is a folder.
      if (name.endsWith("/")) fs.mkdirSync(file, { recursive: true });
      else fs.writeFileSync(file, content);
    }
  }
  for (const each of cases) for (const [name, mode] of Object.entries(each.modes ?? {})) fs.chmodSync(path.join(tmp, name), mode);
}

/** The argv actually run: placeholders filled in, and for `run` no progress and a report folder under `<tmp>`. */
function actualArgs(each: ErrorCase, tmp: string, port: number | undefined): string[] {
  let args = each.args;
  if (args[0] === "run") {
    const extra = args.includes("--report-dir") ? ["--quiet"] : ["--quiet", "--report-dir", "<tmp>/reports"];
    args = ["run", ...extra, ...args.slice(1)];
  }
  return args.map((arg) => arg.split("<tmp>").join(tmp).split("<port>").join(String(port)));
}

/** Runs the case; throws (fails the test) when the contract is broken; returns its doc row. */
export async function runErrorCase(each: ErrorCase, tmp: string): Promise<ErrorRow> {
  const blocker = each.args.some((arg) => arg.includes("<port>")) ? await holdPort() : undefined;
  try {
    const port = blocker ? (blocker.address() as net.AddressInfo).port : undefined;
    const fill = (text: string) => text.split("<tmp>").join(tmp);
    const args = actualArgs(each, tmp, port);
    let result: CliResult;
    if (each.spawn || each.env || each.cwd) {
      // Whatever the run starts inherits the tag: nothing carrying it may outlive leakcheck.
      const tag = randomUUID();
      const env = { ...each.env, LEAKCHECK_ERROR_CASE: tag };
      result = await runCli(args, { cwd: each.cwd ? fill(each.cwd) : undefined, env, timeoutMs: each.timeoutMs ?? 30_000 });
      expect(processesWithEnv("LEAKCHECK_ERROR_CASE", tag), "processes left running").toEqual([]);
    } else {
      // Node before 20.19 cannot require() an ES module: those run every case in a child process.
      result = (await runInProcess(args)) ?? (await runCli(args, { timeoutMs: each.timeoutMs ?? 30_000 }));
    }
    const lines = errorLines(result.stderr);
    const shown = `exit ${result.code}, stderr:\n${result.stderr}`;
    expect(lines, shown).toHaveLength(1);
    expect(result.stderr, shown).not.toMatch(/\n\s+at /);
    // Matched as the doc shows it: <tmp>, <port>, ... in place.
    const line = normalise(lines[0], { tmp, port });
    if (!each.unprefixed) expect(line, shown).toMatch(/^leakcheck: /);
    expect(line.replace(/^leakcheck: /, ""), shown).toMatch(each.message);
    expect(result.code, shown).toBe(each.exit);
    if (each.exit === 2) expect(result.stdout, "a usage error prints nothing on stdout").toBe("");
    each.check?.(result);
    return { ...rowOf(each), exit: result.code ?? undefined, message: line };
  } finally {
    blocker?.close();
  }
}

/** The row for a case before it runs (and as it stays when it cannot run here). */
export function rowOf(each: ErrorCase): ErrorRow {
  return { section: each.section, command: shellLine(each.args, each.env), note: each.note, message: "", mayBeNotTried: each.notTriedBecause !== undefined };
}

/** A port something else is listening on, for "port already in use". */
async function holdPort(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

let inProcessQueue: Promise<unknown> = Promise.resolve();
let cliMain: ((argv: string[]) => Promise<void>) | null | undefined;

/**
 * The built CLI's main(), loaded by Node itself (require of an ES module), not by vitest's
 * module runner: the CLI and the scenario files it imports load exactly as under
 * bin/leakcheck.js (vite would transform them, and word their syntax errors differently).
 */
async function loadMain(): Promise<((argv: string[]) => Promise<void>) | null> {
  if (cliMain === undefined) {
    try {
      cliMain = (createRequire(import.meta.url)(path.join(ROOT, "dist/src/cli/main.js")) as { main: (argv: string[]) => Promise<void> }).main;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ERR_REQUIRE_ESM") throw error;
      cliMain = null;
    }
    // Node's one-time warning about require() of an ES module goes out before any case listens to stderr.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return cliMain;
}

/** main() of the built CLI in this process, one call at a time (stdout, stderr and exitCode are the process's); null where Node cannot load it so. */
export function runInProcess(args: string[]): Promise<CliResult | null> {
  const run = inProcessQueue.then(async () => {
    expect(process.cwd(), "in-process cases resolve paths from the repository").toBe(ROOT);
    const main = await loadMain();
    if (!main) return null;
    let stdout = "";
    let stderr = "";
    const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
    const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
    try {
      await main(args);
      return { code: Number(process.exitCode ?? 0), stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.exitCode = undefined;
    }
  });
  inProcessQueue = run.catch(() => undefined);
  return run;
}
