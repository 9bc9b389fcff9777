// Load from any engine (issue 12): a round's load is a user's command (artillery, k6, a
// script), run in its own process group with the round in its environment and its output
// in the run folder. leakcheck still owns the phases; the command only replaces the driver.

import { spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { formatDuration } from "../duration.js";
import { RunError } from "../errors.js";
import { crashSummary } from "../server-under-test/crash-output.js";
import { killGroup, trackGroup } from "../server-under-test/process-tree.js";

export interface ExternalLoadRound {
  /** The shell command, as typed after --load. */
  command: string;
  /** The server under test, as LEAKCHECK_URL. */
  url: string;
  /** This round's share of --sessions, as LEAKCHECK_SESSIONS. */
  sessions: number;
  /** 0 is the warm-up, 1.. the rounds, as LEAKCHECK_ROUND. */
  round: number;
  /** The run folder, as LEAKCHECK_RUN_DIR; the round's output goes to `load/` in it. */
  runDir: string;
  /** The scenario's label: output files are named after it. */
  scenario: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface ExternalLoadResult {
  round: number;
  sessions: number;
  exitCode: number;
  durationMs: number;
  /** The command's stdout and stderr together, relative to the run folder. */
  output: string;
  /** Its last lines, for a failure message and the report. */
  tail: string[];
}

const TAIL_LINES = 5;

/** Runs one round's load command to its end; a non-zero exit, a signal or the round timeout is a RunError (exit 3). */
export async function runExternalLoad(round: ExternalLoadRound): Promise<ExternalLoadResult> {
  round.signal.throwIfAborted();
  const folder = path.join(round.runDir, "load");
  await fsp.mkdir(folder, { recursive: true });
  const label = round.round === 0 ? "warm-up" : `round-${round.round}`;
  const outputFile = path.join(folder, `${safeName(round.scenario)}.${label}.log`);
  const fd = fs.openSync(outputFile, "w", 0o600);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LEAKCHECK_URL: round.url,
    LEAKCHECK_SESSIONS: String(round.sessions),
    LEAKCHECK_ROUND: String(round.round),
    LEAKCHECK_RUN_DIR: path.resolve(round.runDir),
  };
  // The engine must not carry leakcheck's probe or GC flags into its own Node processes.
  for (const name of ["LEAKCHECK_PROBE_DIR", "LEAKCHECK_PROBE_TOKEN", "LEAKCHECK_PROBE"]) delete env[name];
  const started = Date.now();
  let child;
  try {
    // A shell, so `npx artillery run x.yml` and `k6 run -e A=1 s.js` work as typed; its own group, so a kill reaches all of it.
    child = spawn(round.command, { shell: true, detached: true, env, stdio: ["ignore", fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
  });
  const pid = child.pid;
  if (pid !== undefined) trackGroup(pid);
  let stopped: "timeout" | "abort" | undefined;
  const stop = (why: "timeout" | "abort") => {
    stopped ??= why;
    if (pid !== undefined) void killGroup(pid, 2000);
  };
  const timer = setTimeout(() => stop("timeout"), round.timeoutMs);
  const onAbort = () => stop("abort");
  round.signal.addEventListener("abort", onAbort, { once: true });
  let outcome;
  try {
    outcome = await ended;
    // Whatever the command left in its group (a background child) goes with it.
    if (pid !== undefined) await killGroup(pid, 1000);
  } finally {
    clearTimeout(timer);
    round.signal.removeEventListener("abort", onAbort);
  }
  const durationMs = Date.now() - started;
  const relative = path.relative(round.runDir, outputFile);
  const ending = await outputEnd(outputFile);
  const tail = lastLines(ending);
  if (stopped === "abort") throw round.signal.reason;
  // The server's crash reader: a command that dies on an uncaught error ends in Node's frames and
  // version, so its last lines would hide the `Error: Cannot find module …` line that says why.
  const shown = `; ${crashSummary(ending)}`;
  const what = round.round === 0 ? "the warm-up's" : `round ${round.round}'s`;
  if (stopped === "timeout") {
    throw new RunError(
      `the load command for ${what} ${round.sessions} sessions did not finish within ${formatDuration(round.timeoutMs)} (see ${relative}${shown}): raise --round-timeout, or check the command`,
    );
  }
  if (outcome.error) {
    throw new RunError(`the load command could not be started (${outcome.error.message}): check --load "${round.command}"`);
  }
  const exitCode = outcome.code ?? 128;
  if (outcome.code !== 0) {
    const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
    throw new RunError(`the load command ${how} in ${what} load (see ${relative}${shown}): fix the command or the server, then rerun`);
  }
  return { round: round.round, sessions: round.sessions, exitCode, durationMs, output: relative, tail };
}

/** The output's last 8 KB, colour codes removed ("" when it cannot be read). */
async function outputEnd(file: string): Promise<string> {
  try {
    const handle = await fsp.open(file, "r");
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 8192);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString("utf8").replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
    } finally {
      await handle.close();
    }
  } catch {
    return "";
  }
}

function lastLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "")
    .slice(-TAIL_LINES);
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_");
}
