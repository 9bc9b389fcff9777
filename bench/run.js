#!/usr/bin/env node
// The figures we quote: `npm run bench`. Benchmarks, not tests: each runs the real CLI
// on the bundled server over loopback and prints what it measured.
//   BENCH_FALSE_RUNS=20  repeated `run all` on the fixed server (time + false failures; default 10, alias BENCH_REPEAT)
//   BENCH_SENSITIVITY=0  skip the smallest-leak search and the allocation sites (bench/sensitivity.js)
//   BENCH_PEAK=10000 concurrency of the peak-clients run
//   BENCH_COMPARE_SESSIONS=3000 BENCH_COMPARE_RUNS=3  leakcheck vs artillery (installed once into
//   ~/.cache/leakcheck-bench/artillery, outside the package; see bench/artillery.js)
//   BENCH_ONLY=driver  only the driver figures (artillery comparison, peak clients, run all)
//   BENCH_HEAP_SIZES / BENCH_PIPELINE_SIZES  heap snapshot sizes in MB (bench/heap-*.js for side-by-side tables)
//   The soak (10 minutes) is a bench of its own: npm run bench:soak
//   bench/cluster.js: a 2-worker cluster beside one process, artillery on it, --load's cost per round
// Note: leakcheck's server CPU includes the GCs it forces between rounds; the bare
// socket.io-client loop forces none.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateSnapshot, measure } from "./heap-snapshots.js";
import { measurePipeline } from "./heap-pipeline.js";
import { sensitivityBench } from "./sensitivity.js";
import { runArtillery } from "./artillery.js";
import { clusterFigures } from "./cluster.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin/leakcheck.js");
const REPEAT = Number(process.env.BENCH_FALSE_RUNS ?? process.env.BENCH_REPEAT ?? 10);
// Snapshot sizes in MB (generated once into bench/.cache/); BENCH_HEAP_SIZES=100,300,700.
const DRIVER_ONLY = process.env.BENCH_ONLY === "driver";
const HEAP_SIZES = DRIVER_ONLY ? [] : (process.env.BENCH_HEAP_SIZES ?? "100,300,700").split(",").map(Number);
const PIPELINE_SIZES = DRIVER_ONLY ? [] : (process.env.BENCH_PIPELINE_SIZES ?? "100,300").split(",").map(Number);
const PEAK = Number(process.env.BENCH_PEAK ?? 10_000);
const COMPARE_SESSIONS = Number(process.env.BENCH_COMPARE_SESSIONS ?? 3000);
const COMPARE_RUNS = Number(process.env.BENCH_COMPARE_RUNS ?? 3);
const reportDir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-bench-"));

/** Runs the CLI with --json; resolves with the report, wall time, and the CLI's peak RSS. */
function leakcheck(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // GNU time reports the peak RSS; without it the figure is left out.
    const command = [process.execPath, BIN, ...args, "--json", "--quiet", "--report-dir", reportDir];
    const timed = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "%M", ...command] : command;
    const child = spawn(timed[0], timed.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      const ms = performance.now() - started;
      const peakKb = Number(stderr.trim().split("\n").pop());
      try {
        resolve({ code, ms, peakMb: peakKb / 1024, report: JSON.parse(stdout) });
      } catch {
        reject(new Error(`leakcheck ${args.join(" ")} exited ${code}: ${stderr.trim().split("\n")[0]}`));
      }
    });
  });
}

/** The bare socket.io-client loop (bench/socketio-client-loop.js) on the same server. */
function socketIoClientLoop(sessions, concurrency) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bench/socketio-client-loop.js"), String(sessions), String(concurrency)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`socket.io-client loop exited ${code}`))));
  });
}

const line = (label, value) => console.log(`${label.padEnd(46)} ${value}`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  console.log(`leakcheck bench · node ${process.version} · ${os.cpus().length} cores · ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB\n`);

  // Driving speed, side by side with artillery (its socketio engine) on the same 3,000
  // normal-completion sessions against the bundled server, interleaved, medians of 3.
  // leakcheck measures as it goes (a forced GC and heap reading after the round), takes no snapshots.
  const runs = { leakcheck: [], artillery: [] };
  for (let run = 0; run < COMPARE_RUNS; run++) {
    const ours = await leakcheck(["run", "normal-completion", "--sessions", String(COMPARE_SESSIONS), "--warmup", "300", "--concurrency", "100", "--rounds", "1", "--seed", "1", "--snapshots", "never"]);
    runs.leakcheck.push(ours.report.scenarios[0].load);
    runs.artillery.push(await runArtillery(COMPARE_SESSIONS));
  }
  const med = (list, pick) => median(list.map(pick));
  const ours = {
    sessionsPerSecond: med(runs.leakcheck, (l) => l.sessionsPerSecond),
    driver: med(runs.leakcheck, (l) => l.driverCpuMsPerSession),
    server: med(runs.leakcheck, (l) => l.serverCpuMsPerSession),
    p50: med(runs.leakcheck, (l) => l.ackLatencyMs.p50),
    p99: med(runs.leakcheck, (l) => l.ackLatencyMs.p99),
  };
  const theirs = {
    sessionsPerSecond: med(runs.artillery, (a) => a.sessionsPerSecond),
    driver: med(runs.artillery, (a) => a.driverCpuMsPerSession),
    driverWithStartup: med(runs.artillery, (a) => a.driverCpuMsPerSessionWithStartup),
    server: med(runs.artillery, (a) => a.serverCpuMsPerSession),
    failed: Math.max(...runs.artillery.map((a) => a.failed)),
  };
  line(`leakcheck, ${COMPARE_SESSIONS} normal-completion sessions (median of ${COMPARE_RUNS})`, `${ours.sessionsPerSecond}/s · CPU driver ${ours.driver} ms / server ${ours.server} ms per session · ack p50 ${ours.p50} ms, p99 ${ours.p99} ms`);
  line(`artillery ${"socketio"}, the same sessions (median of ${COMPARE_RUNS})`, `${theirs.sessionsPerSecond}/s · CPU driver ${theirs.driver} ms (${theirs.driverWithStartup} ms with its start-up) / server ${theirs.server} ms per session · ${theirs.failed} failed`);
  line("leakcheck vs artillery", `${(ours.sessionsPerSecond / theirs.sessionsPerSecond).toFixed(2)}× the sessions/s (bar ≥ 1.5×), ${(ours.driver / theirs.driver).toFixed(2)}× its driver CPU per session (bar ≤ 0.5×; ${(ours.driver / theirs.driverWithStartup).toFixed(2)}× with its start-up)`);
  line("  each run: leakcheck | artillery sessions/s", runs.leakcheck.map((l, i) => `${l.sessionsPerSecond} | ${runs.artillery[i].sessionsPerSecond}`).join(", "));

  const baseline = await socketIoClientLoop(COMPARE_SESSIONS, 100);
  line("bare socket.io-client loop, same sessions", `${baseline.sessionsPerSecond}/s · CPU driver ${baseline.driverCpuMsPerSession} ms / server ${baseline.serverCpuMsPerSession} ms per session (leakcheck's own cost is the difference)`);

  const peak = await leakcheck(["run", "random-churn", "--concurrency", String(PEAK), "--sessions", String(PEAK), "--warmup", "0", "--rounds", "1", "--seed", "1", "--no-http-load", "--snapshots", "never"]);
  const peakLoad = peak.report.scenarios[0].load;
  line(`concurrent clients held (--concurrency ${PEAK})`, `${peakLoad.peakClients} peak · ${peakLoad.failed} failed sessions · verdict ${peak.report.verdict}`);
  line("leakcheck peak RSS in that run", Number.isFinite(peak.peakMb) ? `${peak.peakMb.toFixed(0)} MB` : "n/a (no /usr/bin/time)");

  const times = [];
  let falseFailures = 0;
  for (let run = 1; run <= REPEAT; run++) {
    const result = await leakcheck(["run", "all"]);
    times.push(result.ms);
    if (result.code !== 0) {
      falseFailures++;
      const reasons = result.report.scenarios.flatMap((s) => s.reasons.map((r) => `${s.name}: ${r}`));
      console.log(`  run ${run}: exit ${result.code} ${reasons.join("; ")}`);
    }
  }
  times.sort((a, b) => a - b);
  line(`\`run all\` on the fixed server (${REPEAT} runs)`, `median ${(times[Math.floor(times.length / 2)] / 1000).toFixed(1)} s, max ${(times[times.length - 1] / 1000).toFixed(1)} s`);
  line("false failures of the fixed server", `${falseFailures} of ${REPEAT}`);
  if (process.env.BENCH_SENSITIVITY !== "0") await sensitivityBench();
  // Beyond one process (issue 12): a 2-worker cluster beside one process, artillery on it, --load's own cost.
  for (const [label, value] of await clusterFigures()) line(label, value);
  // Heap snapshots: the reader alone, and read + diff + retainer paths on a pair of one process.
  for (const size of HEAP_SIZES) {
    const { file, bytes } = await generateSnapshot(size);
    const read = await measure("ours", file);
    line(
      `heap-snapshot read, ${(bytes / 1e6).toFixed(0)} MB file`,
      read.error ? read.error : `${(bytes / 1e6 / (read.ms / 1000)).toFixed(0)} MB/s · peak RSS ${(read.peakRssBytes / 1e6).toFixed(0)} MB (${(read.peakRssBytes / bytes).toFixed(2)}× the file)`,
    );
  }
  for (const size of PIPELINE_SIZES) {
    const pipeline = await measurePipeline(size);
    line(
      `read + diff + paths, ${(pipeline.lastBytes / 1e6).toFixed(0)} MB after-snapshot`,
      pipeline.error
        ? pipeline.error
        : `${(pipeline.bytes / 1e6 / (pipeline.ms / 1000)).toFixed(0)} MB/s over both files (${(pipeline.bytes / 1e6).toFixed(0)} MB in ${(pipeline.ms / 1000).toFixed(1)} s) · peak RSS ${(pipeline.peakRssBytes / 1e6).toFixed(0)} MB (${(pipeline.peakRssBytes / pipeline.lastBytes).toFixed(2)}× the after-file)`,
    );
  }
} finally {
  rmSync(reportDir, { recursive: true, force: true });
}
