#!/usr/bin/env node
// The long soak: `npm run bench:soak`. random-churn at its default size (1,000 clients at
// once, rounds of 1,000 sessions) for BENCH_SOAK_DURATION (default 10m) on the fixed
// server, then leakcheck's own memory round by round: it must stay flat, as the server's does.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DURATION = process.env.BENCH_SOAK_DURATION ?? "10m";
const reportDir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-soak-"));
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Least-squares slope of y over x. */
function slope(points, x, y) {
  const n = points.length;
  const mx = points.reduce((sum, p) => sum + x(p), 0) / n;
  const my = points.reduce((sum, p) => sum + y(p), 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (x(p) - mx) * (y(p) - my);
    den += (x(p) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

try {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "bin/leakcheck.js"), "run", "random-churn", "--duration", DURATION, "--seed", "1", "--json", "--quiet", "--report-dir", reportDir],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  const report = JSON.parse(stdout);
  const scenario = report.scenarios[0];
  const points = scenario.harnessMemory;
  console.log(`soak: random-churn --duration ${DURATION} · exit ${code} · verdict ${scenario.verdict} · ${((performance.now() - started) / 60_000).toFixed(1)} min in all`);
  console.log(`${scenario.sessions.toLocaleString("en-US")} sessions in ${points.length} rounds · peak ${scenario.load.peakClients} clients · ${scenario.load.failed} failed · ${scenario.load.errorAcks} error acks · ack p50 ${scenario.load.ackLatencyMs.p50} ms, p99 ${scenario.load.ackLatencyMs.p99} ms`);
  for (const failure of scenario.load.failures.slice(0, 3)) console.log(`  failed ${failure.count}×: ${failure.message}`);
  console.log(`server heap after GC: ${mb(scenario.heap.baselineBytes)} → ${mb(scenario.heap.finalBytes)} (${scenario.heap.perSessionBytes} B per session)`);
  console.log("\nround  sessions  leakcheck heap after GC  leakcheck RSS");
  const every = Math.max(1, Math.floor(points.length / 12));
  for (const [index, point] of points.entries()) {
    if (index % every !== 0 && index !== points.length - 1) continue;
    console.log(`${String(point.round).padStart(5)}  ${String(point.sessions).padStart(8)}  ${mb(point.heapUsedBytes).padStart(23)}  ${mb(point.rssBytes).padStart(13)}`);
  }
  // The first rounds fill pools and JIT caches; flatness is judged on the later half.
  const later = points.slice(Math.floor(points.length / 2));
  const perThousand = (key) => slope(later, (p) => p.sessions, (p) => p[key]) * 1000;
  console.log(`\nlater half: leakcheck heap ${perThousand("heapUsedBytes").toFixed(0)} B and RSS ${perThousand("rssBytes").toFixed(0)} B per 1,000 sessions`);
  process.exitCode = code;
} finally {
  rmSync(reportDir, { recursive: true, force: true });
}
