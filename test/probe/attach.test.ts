// Attach with the probe (issue 12): a server someone else started with
// `--require leakcheck/probe`, LEAKCHECK_PROBE and LEAKCHECK_PROBE_TOKEN; `leakcheck run
// --url … --probe <socket>` gets heap, handles and snapshots as if it had started it.
// Without the variable nothing listens; the socket is 0600; no token, no answer.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, removeDir, ROOT, runCli, SERVER_MAIN, tempReportDir } from "../support/cli.js";
import { TreeWatcher } from "../support/processes.js";

const reportDir = tempReportDir();
const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-attach-"));
const servers: ChildProcess[] = [];
afterAll(async () => {
  for (const server of servers) server.kill("SIGTERM");
  await Promise.all(servers.map((server) => (server.exitCode === null && server.signalCode === null ? new Promise((resolve) => server.once("exit", resolve)) : undefined)));
  removeDir(reportDir);
  removeDir(socketDir);
});

const TOKEN = "attach-test-token-5f1c";

/** Starts a server as its owner would, the probe required by package name; resolves its URL and stderr so far. */
function startServer(args: string[], env: Record<string, string | undefined>): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, ["--require", "leakcheck/probe", ...args], {
    cwd: ROOT,
    env: { ...process.env, LEAKCHECK_PROBE: undefined, LEAKCHECK_PROBE_TOKEN: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  servers.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) resolve({ url: match[1], child, stderr: () => stderr });
    });
  });
}

/** Unix sockets `pid` listens on (Linux: its fds against /proc/net/unix). */
function listeningUnixSockets(pid: number): string[] {
  const inodes = new Set(
    fs.readdirSync(`/proc/${pid}/fd`).map((fd) => /socket:\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]).filter(Boolean),
  );
  return fs
    .readFileSync("/proc/net/unix", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 7 && fields[5] === "01" && inodes.has(fields[6])) // state 01: listening
    .map((fields) => fields[7] ?? "(unnamed)");
}

async function attachRun(url: string, socket: string, token: string | undefined, extra: string[] = []) {
  let watcher: TreeWatcher | undefined;
  try {
    const result = await runCli(
      ["run", "abrupt-close", "--url", url, "--probe", socket, "--sessions", "80", "--warmup", "20", "--rounds", "2", "--json", "--quiet", "--report-dir", reportDir, ...extra],
      { env: { LEAKCHECK_PROBE_TOKEN: token ?? "" }, onSpawn: (child) => (watcher = new TreeWatcher(child.pid!, 100)) },
    );
    // leakcheck left nothing of its own behind (and the attached server, not its to stop, runs on).
    expect(watcher!.survivors()).toEqual([]);
    return result;
  } finally {
    watcher?.stop();
  }
}

describe("the probe loaded by the server's owner", () => {
  it("listens on nothing without LEAKCHECK_PROBE, and not at all without a token", async () => {
    const plain = await startServer([SERVER_MAIN, "--port", "0", "--log", "none"], { LEAKCHECK_PROBE_TOKEN: TOKEN });
    expect(listeningUnixSockets(plain.child.pid!)).toEqual([]);
    const socket = path.join(socketDir, "no-token.sock");
    const tokenless = await startServer([SERVER_MAIN, "--port", "0", "--log", "none"], { LEAKCHECK_PROBE: socket });
    expect(tokenless.stderr()).toBe("leakcheck probe: LEAKCHECK_PROBE is set but LEAKCHECK_PROBE_TOKEN is not: not listening (set both)\n");
    expect(listeningUnixSockets(tokenless.child.pid!)).toEqual([]);
    expect(fs.existsSync(socket)).toBe(false);
  });

  it("passes a fixed server with heap, handles and snapshots, through an owner-only socket", async () => {
    const socket = path.join(socketDir, "fixed.sock");
    const server = await startServer([SERVER_MAIN, "--port", "0", "--log", "none"], { LEAKCHECK_PROBE: socket, LEAKCHECK_PROBE_TOKEN: TOKEN });
    expect(fs.statSync(socket).mode & 0o777).toBe(0o600);
    expect(listeningUnixSockets(server.child.pid!)).toEqual([socket]);
    // --snapshots always: a passing scenario keeps (and lists) its snapshots only when asked to.
    const result = await attachRun(server.url, socket, TOKEN, ["--snapshots", "always"]);
    expect(result.stderr).toBe("");
    const [scenario] = JSON.parse(result.stdout).scenarios;
    expect(scenario.verdict).toBe("pass");
    expect(scenario.heap.baselineBytes).toBeGreaterThan(0);
    expect(scenario.handles.map((each: { name: string }) => each.name)).toEqual(["active timers", "active sockets"]);
    // At these sizes the heap interval may straddle the budget and add rounds (issue 11).
    const labels = scenario.snapshots.map((each: { label: string }) => each.label);
    // Extra rounds snapshot only after the last of them: "round 1, round 2, round 4".
    const rounds = labels.slice(1, -1).map((label: string) => Number(/^round (\d+)$/.exec(label)?.[1]));
    expect([labels[0], labels.at(-1)], labels.join(", ")).toEqual(["baseline", "final"]);
    expect(rounds.slice(0, 2), labels.join(", ")).toEqual([1, 2]);
    expect(rounds.every((round: number, i: number) => i === 0 || round > rounds[i - 1]), labels.join(", ")).toBe(true);
    expect(result.code).toBe(0);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200); // still running: the owner's
  });

  it("fails a leaking cluster attached through its primary's socket, naming the worker", async () => {
    const socket = path.join(socketDir, "cluster.sock");
    const server = await startServer([path.join(FIXTURES, "cluster/cluster-server.mjs")], {
      LEAKCHECK_PROBE: socket,
      LEAKCHECK_PROBE_TOKEN: TOKEN,
      PORT: "0",
      LEAK_WORKER: "1",
    });
    // The primary at the path, each worker beside it at <path>.<pid>.
    expect(fs.readdirSync(socketDir).filter((name) => name.startsWith("cluster.sock")).length).toBe(3);
    const result = await attachRun(server.url, socket, TOKEN, ["--no-snapshots", "--settle-timeout", "3s"]);
    expect(result.code).toBe(1);
    const [scenario] = JSON.parse(result.stdout).scenarios;
    expect(scenario.reasons[0]).toMatch(/^worker 1 \(pid \d+\): activeSessions: \d+ entries left after 80 abrupt closes/);
    expect(scenario.reasons.some((reason: string) => reason.startsWith("worker 2"))).toBe(false);
  });

  it("refuses a wrong token (exit 3) and asks for a missing one (exit 2), one line each", async () => {
    const target = path.join(socketDir, "tokens.sock");
    const server = await startServer([SERVER_MAIN, "--port", "0", "--log", "none"], { LEAKCHECK_PROBE: target, LEAKCHECK_PROBE_TOKEN: TOKEN });
    const wrong = await attachRun(server.url, target, "not-the-token");
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toBe(`leakcheck: the probe at ${target} refused the token: set LEAKCHECK_PROBE_TOKEN to the token the server was started with\n`);
    const missing = await attachRun(server.url, target, undefined);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("leakcheck: --probe needs the token the server was started with: set LEAKCHECK_PROBE_TOKEN in leakcheck's environment too\n");
  });
});
