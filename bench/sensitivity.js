#!/usr/bin/env node
// Issue 11's figures: the smallest leak caught per scenario at its default sizes (the bundled
// server's bytes:N mode keeps one record of ~N + 100 bytes per ended session), with and
// without heap snapshots; where each per-session leak mode's objects were allocated
// (--allocation-sites); and what allocation tracking costs the server per session.
// Part of `npm run bench`; alone: `npm run build && node bench/sensitivity.js`.
//   BENCH_SENSITIVITY_SCENARIOS=normal-completion,abrupt-close  the scenarios to search (empty: no search,
//   only the allocation sites and the cost of tracking)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin/leakcheck.js");
const SCENARIOS = (process.env.BENCH_SENSITIVITY_SCENARIOS ?? "normal-completion,abrupt-close,network-drop,random-churn").split(",").filter(Boolean);
const SERVER_MAIN = path.join(ROOT, "dist/src/server/main.js");
// Ascending: the first N that fails is the smallest caught. With snapshots the survivors are
// counted, so even N = 0 (an empty note: the ~100-byte record alone) is a leak; the heap alone
// needs bytes to see.
const LADDER = { snapshots: [0, 16, 64, 256, 1024], heapOnly: [256, 512, 1024, 2048, 4096] };
// A per-session leak mode of the bundled server, and the scenario that exercises its path.
const PER_SESSION_MODES = [
  ["disconnect", "abrupt-close"],
  ["timers", "abrupt-close"],
  ["cache", "normal-completion"],
  ["listeners", "normal-completion"],
  ["bytes:200", "normal-completion"],
];

/** Runs the CLI with --json; resolves with its exit code, the report and the wall time. */
function leakcheck(args, reportDir, env = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args, "--json", "--quiet", "--report-dir", reportDir], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      try {
        resolve({ code, report: JSON.parse(stdout), ms: performance.now() - started });
      } catch {
        reject(new Error(`leakcheck ${args.join(" ")} exited ${code}: ${stderr.trim().split("\n")[0]}`));
      }
    });
  });
}

/**
 * The bundled server started as its owner would, with leakcheck's probe loaded (for --url
 * --probe): its allocation stacks come through the inspector, not --track-heap-objects.
 * Resolves with its URL, its probe socket and a stop function.
 */
function startProbedServer(folder) {
  const socket = path.join(folder, "probe.sock");
  const token = "bench-allocation-sites";
  const child = spawn(process.execPath, ["--expose-gc", "--require", path.join(ROOT, "dist/src/probe/agent.cjs"), SERVER_MAIN, "--port", "0", "--log", "none"], {
    env: { ...process.env, NODE_OPTIONS: "", LEAKCHECK_PROBE: socket, LEAKCHECK_PROBE_TOKEN: token },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the probed server exited (${code})`)));
    child.stdout.on("data", (chunk) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) resolve({ url: match[1], socket, token, stop });
    });
  });
}

const line = (label, value) => console.log(`${label.padEnd(46)} ${value}`);

/** The smallest N of `ladder` whose bytes:N fails `scenario` (exit 1), or undefined. */
async function smallestCaught(scenario, ladder, extra, reportDir) {
  for (const bytes of ladder) {
    const { code, report, ms } = await leakcheck(["run", scenario, "--server-leak", `bytes:${bytes}`, "--seed", "1", ...extra], reportDir);
    if (code === 1) return { bytes, ms, sessions: report.scenarios[0].sessions, how: report.scenarios[0].reasons[0] ?? "" };
    if (code !== 0) throw new Error(`${scenario} bytes:${bytes}: exit ${code}`);
  }
  return undefined;
}

/** Prints the sensitivity table, the allocation sites and the cost of tracking. */
export async function sensitivityBench() {
  const reportDir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-sensitivity-"));
  try {
    if (SCENARIOS.length > 0) {
      console.log("\nsmallest leak caught at default sizes (bytes:N keeps ~N + 100 B per ended session)");
      console.log(`${"scenario".padEnd(20)} ${"with snapshots".padEnd(24)} heap interval alone (--snapshots never)`);
    }
    for (const scenario of SCENARIOS) {
      const counted = await smallestCaught(scenario, LADDER.snapshots, [], reportDir);
      const heapOnly = await smallestCaught(scenario, LADDER.heapOnly, ["--snapshots", "never"], reportDir);
      const cell = (found, ladder) =>
        found ? `N = ${found.bytes} (${found.sessions} sessions, ${(found.ms / 1000).toFixed(0)} s)` : `> ${ladder.at(-1)}`;
      console.log(`${scenario.padEnd(20)} ${cell(counted, LADDER.snapshots).padEnd(24)} ${cell(heapOnly, LADDER.heapOnly)}`);
    }

    console.log("\nwhere each per-session leak mode's objects were allocated (--allocation-sites, default sizes)");
    console.log(`${"leak mode (scenario)".padEnd(32)} ${"verdict".padEnd(8)} the group the verdict cites, and where it was allocated`);
    for (const [mode, scenario] of PER_SESSION_MODES) {
      const { report } = await leakcheck(["run", scenario, "--server-leak", mode, "--allocation-sites", "--seed", "1"], reportDir);
      const result = report.scenarios[0];
      // The group the verdict cites (a leak, or the growing group a gauge failed on); when it cites
      // none (the timers fire after a while, so their group is bounded and only the gauges fail),
      // the named group held where the failed gauge counts ("questionTimers: 400 entries left").
      const groups = (result.heapDiff?.survivors.groups ?? []).filter((group) => group.allocatedAt);
      const gauges = (result.gauges ?? []).filter((gauge) => !gauge.pass).map((gauge) => gauge.name);
      const cited =
        groups.find((group) => result.reasons.some((reason) => reason.includes(`held by ${group.pathText}`))) ??
        groups.find((group) => gauges.some((gauge) => group.pathText.includes(` → ${gauge} (Map) → `)));
      // What holds them: the step above the objects ("activeSessions (Map)", '"updated" listeners (800)').
      const holder = cited ? `${cited.count} ${cited.name}, in ${cited.pathText.split(" → ").at(-2)}${cited.leak ? "" : ` (${cited.trend})`}` : "";
      console.log(`${`${mode} (${scenario})`.padEnd(32)} ${result.verdict.padEnd(8)} ${holder}`);
      console.log(`${"".padEnd(41)} ${cited ? cited.allocatedAt : "no allocation site named"}`);
    }

    // The cost: the same run untracked, tracked from the start (leakcheck starts its servers with
    // --track-heap-objects), and tracked through the inspector (a server attached with --probe);
    // no snapshots (their own cost is apart).
    const args = ["run", "normal-completion", "--seed", "1", "--snapshots", "never", "--max-sessions", "800"];
    const plain = await leakcheck(args, reportDir);
    const traced = await leakcheck([...args, "--allocation-sites"], reportDir);
    const probed = await startProbedServer(reportDir);
    let inspected;
    try {
      inspected = await leakcheck([...args, "--url", probed.url, "--probe", probed.socket, "--allocation-sites"], reportDir, { LEAKCHECK_PROBE_TOKEN: probed.token });
    } finally {
      await probed.stop();
    }
    const cpu = (result) => result.report.scenarios[0].load.serverCpuMsPerSession;
    const rate = (result) => result.report.scenarios[0].load.sessionsPerSecond;
    const cost = (result) => `${cpu(result)} ms (+${(cpu(result) - cpu(plain)).toFixed(1)} ms), ${rate(result)} sessions/s`;
    console.log("\nallocation tracking: server CPU per session (normal-completion, 800 sessions, no snapshots)");
    line("untracked", `${cpu(plain)} ms, ${rate(plain)} sessions/s`);
    line("--allocation-sites (--track-heap-objects)", cost(traced));
    line("--allocation-sites attached (node:inspector)", cost(inspected));
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await sensitivityBench();
