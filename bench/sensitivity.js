#!/usr/bin/env node
// Issue 11's figures: the smallest leak caught per scenario at its default sizes (the bundled
// server's bytes:N mode keeps one record of ~N + 100 bytes per ended session), with and
// without heap snapshots; where each per-session leak mode's objects were allocated
// (--allocation-sites); and what allocation tracking costs the server per session.
// Part of `npm run bench`; alone: `npm run build && node bench/sensitivity.js`.
//   BENCH_SENSITIVITY_SCENARIOS=normal-completion,abrupt-close  the scenarios to search
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin/leakcheck.js");
const SCENARIOS = (process.env.BENCH_SENSITIVITY_SCENARIOS ?? "normal-completion,abrupt-close,network-drop,random-churn").split(",");
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
function leakcheck(args, reportDir) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args, "--json", "--quiet", "--report-dir", reportDir], { stdio: ["ignore", "pipe", "pipe"] });
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
    console.log("\nsmallest leak caught at default sizes (bytes:N keeps ~N + 100 B per ended session)");
    console.log(`${"scenario".padEnd(20)} ${"with snapshots".padEnd(24)} heap interval alone (--snapshots never)`);
    for (const scenario of SCENARIOS) {
      const counted = await smallestCaught(scenario, LADDER.snapshots, [], reportDir);
      const heapOnly = await smallestCaught(scenario, LADDER.heapOnly, ["--snapshots", "never"], reportDir);
      const cell = (found, ladder) =>
        found ? `N = ${found.bytes} (${found.sessions} sessions, ${(found.ms / 1000).toFixed(0)} s)` : `> ${ladder.at(-1)}`;
      console.log(`${scenario.padEnd(20)} ${cell(counted, LADDER.snapshots).padEnd(24)} ${cell(heapOnly, LADDER.heapOnly)}`);
    }

    console.log("\nwhere each per-session leak mode's objects were allocated (--allocation-sites)");
    for (const [mode, scenario] of PER_SESSION_MODES) {
      const { report } = await leakcheck(["run", scenario, "--server-leak", mode, "--allocation-sites", "--seed", "1"], reportDir);
      const groups = report.scenarios[0].heapDiff?.survivors.groups ?? [];
      // The leaking groups only: a site named for some other group says nothing of the leak.
      const site = groups.find((group) => group.leak && group.allocatedAt);
      line(`${mode} (${scenario})`, site ? `${site.name}: ${site.allocatedAt}` : `none named (${report.scenarios[0].verdict})`);
    }

    // The cost: the same run with and without tracking, no snapshots (their own cost is apart).
    const args = ["run", "normal-completion", "--seed", "1", "--snapshots", "never", "--max-sessions", "800"];
    const plain = await leakcheck(args, reportDir);
    const traced = await leakcheck([...args, "--allocation-sites"], reportDir);
    const cpu = (result) => result.report.scenarios[0].load.serverCpuMsPerSession;
    const rate = (result) => result.report.scenarios[0].load.sessionsPerSecond;
    line(
      "allocation tracking, server CPU per session",
      `${cpu(traced)} ms with, ${cpu(plain)} ms without (+${(cpu(traced) - cpu(plain)).toFixed(2)} ms); ${rate(traced)} vs ${rate(plain)} sessions/s`,
    );
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await sensitivityBench();
