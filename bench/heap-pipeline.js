#!/usr/bin/env node
// The whole heap diff as `leakcheck run` and `leakcheck diff` do it: read a baseline
// (without edges) and a later snapshot of the same process (with edges), compare
// constructors, find survivors, build the dominator tree and the retainer paths.
//
//   npm run build && node bench/heap-pipeline.js [--sizes 100,300] [--repeat N]
//
// Each pair comes from one child process (node ids must be of one process): a heap shaped
// like a busy Socket.IO server's, a snapshot, then more sessions of which a share leak
// into a module-level Map, and a second snapshot of about the size asked for. Pairs are
// cached in bench/.cache/. Each measurement runs in a fresh child that reports its time
// and peak RSS (process.resourceUsage().maxRSS: every thread, the worker that reads the
// baseline included).
//   MB/s     = bytes of BOTH files / wall time of analyzeSnapshots (read + diff + retainer
//              paths): the analysis reads both, so both count, and no more.
//   peak RSS = the process's high-water mark, shown as a multiple of the after-file (the
//              larger one, the one read with its edges): the issue's "under 1.5×".
// With --repeat N the best and the median of N runs are shown (a shared machine is noisy).
// Also importable: `measurePipeline(sizeMb)` resolves { bytes, lastBytes, ms, peakRssBytes, groups }.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import { cachedFiles, node, option, ROOT } from "./heap-snapshots.js";

const HERE = fileURLToPath(import.meta.url);
const ANALYZE = path.join(ROOT, "dist/src/heap/analyze.js");
/** Sessions per MB of the second snapshot (measured on node 20). */
const SESSIONS_PER_MB = 160;

/** A cached before/after pair whose second snapshot is about `sizeMb` MB. */
export async function snapshotPair(sizeMb) {
  const names = [`pair-${sizeMb}mb.before.heapsnapshot`, `pair-${sizeMb}mb.after.heapsnapshot`];
  const sessions = Math.round(sizeMb * SESSIONS_PER_MB);
  const { files, generatedMs } = await cachedFiles(names, HERE, sessions, `a ${sizeMb} MB pair`);
  return { before: files[0], after: files[1], generatedMs };
}

/** Times the pipeline on a pair in a fresh process. */
export async function measurePipeline(sizeMb, timeoutMs = 900_000) {
  const { before, after, generatedMs } = await snapshotPair(sizeMb);
  const result = await node([HERE, "--measure-child", before, after], timeoutMs);
  const bytes = statSync(before).size + statSync(after).size;
  const lastBytes = statSync(after).size;
  if (result.signal === "SIGKILL") return { bytes, lastBytes, generatedMs, error: "timed out" };
  try {
    return { bytes, lastBytes, generatedMs, ...JSON.parse(result.stdout.trim().split("\n").pop()) };
  } catch {
    return { bytes, lastBytes, generatedMs, error: result.stderr.trim().split("\n").pop() };
  }
}

async function measureChild(before, after) {
  const { analyzeSnapshots } = await import(pathToFileURL(ANALYZE).href);
  const started = performance.now();
  const diff = await analyzeSnapshots({ before, last: after, sessions: [1000] });
  const ms = performance.now() - started;
  console.log(
    JSON.stringify({
      ms,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      groups: diff.survivors.groups.length,
      survivors: diff.survivors.count,
      top: diff.survivors.groups[0]?.pathText,
      readMs: diff.timings.readMs,
    }),
  );
}

/** In the generating child: sessions, a snapshot, more sessions (some leaked), a snapshot. */
function generateChild(sessions, beforeFile, afterFile) {
  class InterviewSession {
    constructor(id) {
      this.id = `session-${id}`;
      this.candidateId = `candidate-${id}`;
      this.startedAt = Date.now();
      this.answers = [];
      this.scores = new Map();
      this.onAnswer = (answer) => this.answers.push(answer);
    }
  }
  class Answer {
    constructor(session, index) {
      this.session = session;
      this.index = index;
      this.text = `answer ${index} of ${session.id}: ${"word ".repeat(index % 7)}`;
      this.timings = [index, index * 2, index * 3];
    }
  }
  // On globalThis: a local that is not used again would be collected before the snapshot.
  const live = (globalThis.liveSessions = new Map()); // sessions in progress: kept in both snapshots
  const leakedSessions = (globalThis.leakedSessions = new Map()); // the planted leak: never cleaned up
  const make = (id) => {
    const session = new InterviewSession(id);
    for (let index = 0; index < 12; index++) session.onAnswer(new Answer(session, index));
    session.scores.set("total", id % 100);
    return session;
  };
  const first = Math.round(sessions * 0.6);
  for (let id = 0; id < first; id++) live.set(id, make(id));
  v8.writeHeapSnapshot(beforeFile);
  for (let id = first; id < sessions; id++) {
    const session = make(id);
    if (id % 2 === 0) leakedSessions.set(id, session);
  }
  v8.writeHeapSnapshot(afterFile);
}

async function main() {
  if (!existsSync(ANALYZE)) throw new Error("dist/ is missing: run `npm run build` first");
  const sizes = option("--sizes", "100,300").split(",").map(Number);
  const repeat = Number(option("--repeat", "1"));
  console.log("MB/s: bytes of both files / wall time. Peak: process peak RSS, and as a multiple of the after-file.");
  console.log(`size        pair read   time${repeat > 1 ? " (best / median)" : ""}     MB/s   peak RSS   RSS / after-file   survivors`);
  for (const size of sizes) {
    const runs = [];
    for (let run = 0; run < repeat; run++) runs.push(await measurePipeline(size));
    const timed = runs.filter((result) => result.ms !== undefined).sort((a, b) => a.ms - b.ms);
    const generated = runs.find((result) => result.generatedMs !== undefined);
    if (generated) console.log(`(generated the ${size} MB pair in ${(generated.generatedMs / 1000).toFixed(0)} s)`);
    if (timed.length === 0) {
      console.log(`${size} MB: ${runs[0].error}`);
      continue;
    }
    const best = timed[0];
    const median = timed[Math.floor((timed.length - 1) / 2)];
    const mb = best.bytes / 1e6;
    const peak = Math.max(...timed.map((result) => result.peakRssBytes));
    const time = repeat > 1 ? `${(best.ms / 1000).toFixed(2)} / ${(median.ms / 1000).toFixed(2)} s` : `${(best.ms / 1000).toFixed(2)} s`;
    const rate = repeat > 1 ? `${(mb / (best.ms / 1000)).toFixed(0)} / ${(mb / (median.ms / 1000)).toFixed(0)}` : (mb / (best.ms / 1000)).toFixed(0);
    console.log(
      `${`${(best.lastBytes / 1e6).toFixed(0)} MB`.padEnd(11)} ${`${mb.toFixed(0)} MB`.padStart(9)}  ${time.padStart(repeat > 1 ? 22 : 7)}  ${rate.padStart(repeat > 1 ? 9 : 5)}  ${`${(peak / 1e6).toFixed(0)} MB`.padStart(9)}  ${`${(peak / best.lastBytes).toFixed(2)}×`.padStart(17)}   ${best.survivors.toLocaleString("en-US")} in ${best.groups} groups`,
    );
    if (repeat > 1) console.log(`            peak RSS over the ${timed.length} runs: ${timed.map((result) => (result.peakRssBytes / 1e6).toFixed(1)).join(", ")} MB (the highest shown)`);
    console.log(`            top group: ${best.top}`);
  }
}

if (process.argv[2] === "--generate-child") generateChild(Number(process.argv[3]), process.argv[4], process.argv[5]);
else if (process.argv[2] === "--measure-child") await measureChild(process.argv[3], process.argv[4]);
else if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
