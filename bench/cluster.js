// Beyond one process (issue 12), the figures: leakcheck driving a 2-worker node:cluster of
// the bundled server (test/fixtures/cluster/cluster-server.mjs, cluster adapter, WebSocket
// only) beside the same sessions against one process; artillery (socketio engine) against
// the same cluster; and what --load costs per round by itself (a shell and a process group
// per round, before the engine does anything).
// `node bench/cluster.js` prints them; bench/run.js prints them with the rest.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { artilleryScript, ensureArtillery, freePort } from "./artillery.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin/leakcheck.js");
const CLUSTER = path.join(ROOT, "test/fixtures/cluster/cluster-server.mjs");
/** `leakcheck …args --json`; resolves with the report (rejects with its error line). */
function leakcheck(args, reportDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, "--json", "--quiet", "--report-dir", reportDir], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => {
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`leakcheck ${args.join(" ")} exited ${code}: ${stderr.trim().split("\n").pop()}`));
      }
    });
  });
}

/** CPU time (ms) of every process in group `pgid`, from /proc. */
function groupCpuMs(pgid) {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ");
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks * 10; // clock ticks of 10 ms
}

/** The cluster on its own (its own process group), resolved once both workers listen. */
async function startCluster() {
  const port = await freePort();
  const logDir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-bench-cluster-"));
  const logFd = openSync(path.join(logDir, "server.log"), "a");
  const child = spawn(process.execPath, [CLUSTER], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", logFd], detached: true });
  closeSync(logFd);
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => /listening on/.test(String(chunk)) && resolve());
    child.once("exit", (code) => reject(new Error(`the cluster exited (${code}): see ${logDir}/server.log`)));
  });
  const stop = async () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // gone
    }
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", resolve)));
    rmSync(logDir, { recursive: true, force: true });
  };
  return { url: `http://127.0.0.1:${port}`, cpuMs: () => groupCpuMs(child.pid), stop };
}

/** Artillery against a fresh cluster: completed sessions/s (first to last counter) and the cluster's CPU per session. */
async function artilleryOnCluster(sessions) {
  const bin = ensureArtillery();
  const dir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-bench-artillery-cluster-"));
  const cluster = await startCluster();
  try {
    const scriptFile = path.join(dir, "script.json");
    const outFile = path.join(dir, "out.json");
    writeFileSync(scriptFile, JSON.stringify(artilleryScript(cluster.url, sessions, Math.max(1, Math.round(sessions / 1000)))));
    const before = cluster.cpuMs();
    execFileSync(bin, ["run", "--quiet", "--output", outFile, scriptFile], { stdio: "ignore", env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: "true" } });
    const serverMs = cluster.cpuMs() - before;
    const report = JSON.parse(readFileSync(outFile, "utf8")).aggregate;
    const completed = report.counters["vusers.completed"] ?? 0;
    return {
      completed,
      failed: report.counters["vusers.failed"] ?? 0,
      sessionsPerSecond: Math.round((completed / (report.lastCounterAt - report.firstCounterAt)) * 1000),
      serverCpuMsPerSession: round2(serverMs / Math.max(1, completed)),
    };
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round2 = (value) => Math.round(value * 100) / 100;

/**
 * The figures, each as [label, value] lines. `sessions` per run, normal-completion at
 * concurrency 100, no snapshots: the driving speed, one process beside two workers.
 */
export async function clusterFigures({ sessions = 4000, artillery = true } = {}) {
  const reportDir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-bench-multi-"));
  const lines = [];
  try {
    const common = ["run", "normal-completion", "--sessions", String(sessions), "--warmup", "500", "--concurrency", "100", "--rounds", "2", "--seed", "1", "--snapshots", "never"];
    const one = (await leakcheck(common, reportDir)).scenarios[0];
    const two = (await leakcheck([...common, "--server", `node ${CLUSTER}`], reportDir)).scenarios[0];
    const figure = (scenario) =>
      `${scenario.load.sessionsPerSecond}/s · CPU driver ${scenario.load.driverCpuMsPerSession} ms / server ${scenario.load.serverCpuMsPerSession} ms per session · ${scenario.verdict}`;
    lines.push(["leakcheck → one process (bundled server)", figure(one)]);
    lines.push([`leakcheck → 2-worker cluster (${two.processes?.length ?? 1} processes judged)`, figure(two)]);
    if (artillery) {
      const art = await artilleryOnCluster(sessions);
      lines.push([
        "artillery (socketio) → 2-worker cluster",
        `${art.sessionsPerSecond}/s · CPU server ${art.serverCpuMsPerSession} ms per session · ${art.completed} completed, ${art.failed} failed`,
      ]);
    }
    // --load by itself: a round whose command does nothing, so its duration is leakcheck's
    // spawn, wait and process-group kill per round (and a node start, for a node engine).
    for (const [label, command] of [["`true`", "true"], ["`node -e 0`", "node -e 0"]]) {
      const report = await leakcheck(["run", "normal-completion", "--load", command, "--sessions", "20", "--rounds", "10", "--warmup", "0", "--snapshots", "never"], reportDir);
      const rounds = report.scenarios[0].externalLoad.rounds;
      const ms = rounds.map((each) => each.durationMs).sort((a, b) => a - b);
      lines.push([`--load overhead per round, ${label}`, `median ${ms[Math.floor(ms.length / 2)]} ms, max ${ms.at(-1)} ms over ${ms.length} rounds`]);
    }
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [label, value] of await clusterFigures({ sessions: Number(process.argv[2] ?? 4000) })) console.log(`${label.padEnd(52)} ${value}`);
}
