// Runs the real leakcheck CLI in a child process, as a user or a CI job would.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, ROOT } from "./paths.js";

// Defined in paths.ts and processes.ts; re-exported for the imports written before they were split out.
export { BIN, FIXTURES, ROOT, SERVER_MAIN } from "./paths.js";
export { processesMatching, processesWithEnv } from "./processes.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh report folder per test, removed by the caller. */
export function tempReportDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "leakcheck-test-"));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs `leakcheck ...args` and resolves when it exits; `onSpawn` gets the child (to signal it). */
export function runCli(
  args: string[],
  options: { cwd?: string; timeoutMs?: number; env?: Record<string, string>; onSpawn?: (child: ReturnType<typeof spawn>) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      // Under GitHub Actions the tests' runs must not append to the job's own step summary.
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", GITHUB_STEP_SUMMARY: "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`leakcheck ${args.join(" ")} did not exit within ${options.timeoutMs ?? 120_000} ms`));
    }, options.timeoutMs ?? 120_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/** The one-line error contract: exactly one non-empty line on stderr, no stack trace. */
export function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.trim() !== "" && !/^\s+(start|warm-up|baseline|rounds|settle|final|stop)/.test(line) && !line.startsWith("["));
}
