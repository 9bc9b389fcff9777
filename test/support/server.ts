// The bundled server as the tests start it: a real process on 127.0.0.1, announced URL,
// output kept, and every one of them killed by stopServers().
import { spawn, type ChildProcess } from "node:child_process";
import { SERVER_MAIN } from "./paths.js";

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

const children = new Set<ChildProcess>();

/**
 * Spawns the built server with `--port 0 --log none` plus args and resolves with its announced
 * URL; rejects (the child killed) when it exits first, cannot be spawned, or says nothing in time.
 */
export async function startServer(args: string[] = [], env: NodeJS.ProcessEnv = {}, timeoutMs = 10_000): Promise<ServerProcess> {
  return untilListening(spawnServer(["--port", "0", "--log", "none", ...args], env), `server ${args.join(" ")}`.trim(), timeoutMs);
}

/**
 * Waits for a spawned server (the bundled one, `leakcheck serve`, ...) to print `listening on URL`;
 * rejects, the child killed, when it exits first, cannot be spawned, or says nothing in time.
 */
export function untilListening(child: ChildProcess, label: string, timeoutMs = 10_000): Promise<ServerProcess> {
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return new Promise<ServerProcess>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${label} did not start: ${why}${err.trim() ? `; stderr: ${err.trim()}` : ""}`));
    };
    const timer = setTimeout(() => fail(`no "listening on" within ${timeoutMs} ms (stdout: ${out.trim() || "nothing"})`), timeoutMs);
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+)\n/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      resolve({ child, url: match[1], stdout: () => out, stderr: () => err });
    };
    child.stdout?.on("data", onData);
    child.once("error", (error) => fail(error.message));
    // "close", not "exit": the last of its stderr is in by then.
    child.once("close", (code, signal) => fail(signal ? `killed by ${signal}` : `exited with code ${code}`));
  });
}

/** Spawns the built server with exactly these args (no HOST or PORT inherited); the test owns its output. */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const { HOST: _host, PORT: _port, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--expose-gc", SERVER_MAIN, ...args], { env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Resolves with the exit code and all output of a child that ends on its own. */
export function waitForExit(child: ChildProcess, timeoutMs = 10_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolveExit, reject) => {
    const timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs}ms`)), timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolveExit({ code, stdout, stderr });
    });
  });
}

/** Kills every server these helpers started and waits until each has exited. */
export async function stopServers(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once("exit", () => done());
          child.kill("SIGKILL");
        }),
    ),
  );
}
