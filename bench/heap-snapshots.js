#!/usr/bin/env node
// How fast leakcheck reads .heapsnapshot files, beside JSON.parse and Chrome DevTools' parser.
//
//   npm run build && node bench/heap-snapshots.js [options]
//
//   --sizes 100,300,700   snapshot sizes in MB; real snapshots of a server-like heap, generated
//                         once by a child node process into bench/.cache/ (reused after)
//   --only a,b            readers to time (default: ours,ours-no-edges,json,devtools):
//                           ours            readHeapSnapshot(file)
//                           ours-no-edges   readHeapSnapshot(file, { edges: false }) (a baseline)
//                           json            JSON.parse(fs.readFileSync(file, "utf8"))
//                           devtools        heap-snapshot-toolkit's parse(): Chrome DevTools' loader
//                                           and its snapshot build (the cross-check parser)
//   --pipeline <module>   adds a "pipeline" row: the module's default export, `async (file) => void`,
//                         timed like the readers (for example read + diff + retainer paths)
//   --repeat N            runs per cell: the fastest shown, and the median beside it (default 1)
//   --timeout S           give up on one measurement after S seconds (default 600)
//
// Every measurement runs in a fresh child process that reports its own time and peak RSS
// (process.resourceUsage().maxRSS). Ours runs with node's default heap limit; json and devtools
// get --max-old-space-size=16384 so that memory, not the default limit, is what stops them.
// Other scripts can import { generateSnapshot, cachedFiles, measure, READERS, formatTable, node, option, ROOT } from here.
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";

const HERE = fileURLToPath(import.meta.url);
export const ROOT = path.resolve(path.dirname(HERE), "..");
const CACHE = path.join(ROOT, "bench/.cache");
const READER = path.join(ROOT, "dist/src/heap/snapshot.js");
/** Sessions of the generated heap per MB of snapshot (measured: ~170 on node 20). */
const SESSIONS_PER_MB = 170;

export const READERS = {
  ours: { label: "leakcheck readHeapSnapshot", heapFlags: [] },
  "ours-no-edges": { label: "leakcheck, { edges: false }", heapFlags: [] },
  json: { label: "JSON.parse(readFileSync)", heapFlags: ["--max-old-space-size=16384"] },
  devtools: { label: "DevTools (heap-snapshot-toolkit)", heapFlags: ["--max-old-space-size=16384"] },
  pipeline: { label: "pipeline (--pipeline module)", heapFlags: [] },
};

/** Runs `node args`, collecting stdout; resolves with { code, signal, stdout, stderr, ms }. */
export function node(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/**
 * Files in bench/.cache/, made once by `script --generate-child <sessions> <files...>` in a
 * child process with room to grow, each written as .partial and renamed into place only
 * when the child succeeded (an interrupted generation never leaves a truncated cache).
 */
export async function cachedFiles(names, script, sessions, what) {
  const files = names.map((name) => path.join(CACHE, name));
  if (files.every((file) => existsSync(file))) return { files, generatedMs: undefined };
  mkdirSync(CACHE, { recursive: true });
  const partials = files.map((file) => `${file}.partial`);
  const result = await node(["--max-old-space-size=16384", script, "--generate-child", String(sessions), ...partials], 3_600_000);
  if (result.code !== 0) {
    for (const partial of partials) rmSync(partial, { force: true });
    throw new Error(`generating ${what} failed (exit ${result.code ?? result.signal}): ${result.stderr.trim().split("\n").pop()}`);
  }
  files.forEach((file, index) => renameSync(partials[index], file));
  return { files, generatedMs: result.ms };
}

/** A cached real snapshot of about `sizeMb` MB; generated (and timed) when missing. */
export async function generateSnapshot(sizeMb) {
  const sessions = Math.round(sizeMb * SESSIONS_PER_MB);
  const { files, generatedMs } = await cachedFiles([`server-heap-${sizeMb}mb.heapsnapshot`], HERE, sessions, `a ${sizeMb} MB snapshot`);
  return { file: files[0], bytes: statSync(files[0]).size, generatedMs };
}

/** Times one reader on one file in a fresh process: { ms, peakRssBytes } or { error }. */
export async function measure(reader, file, { pipeline, timeoutMs = 600_000 } = {}) {
  const args = [...READERS[reader].heapFlags, HERE, "--measure-child", reader, file];
  if (pipeline) args.push(path.resolve(pipeline));
  const result = await node(args, timeoutMs);
  if (result.signal === "SIGKILL") return { error: `timed out after ${(timeoutMs / 1000).toFixed(0)} s` };
  const last = result.stdout.trim().split("\n").pop();
  try {
    return JSON.parse(last);
  } catch {
    const why = result.stderr.includes("heap out of memory") ? "out of memory" : result.stderr.trim().split("\n").pop();
    return { error: `exit ${result.code ?? result.signal}: ${why}` };
  }
}

/** The rows as an aligned text table. */
export function formatTable(rows) {
  const header = ["snapshot", "reader", "time", "MB/s", "peak RSS", "RSS / file"];
  const cells = rows.map((row) => {
    const mb = row.bytes / 1e6;
    if (row.error) return [`${mb.toFixed(0)} MB`, READERS[row.reader].label, row.error, "", "", ""];
    const median = row.medianMs !== undefined && row.runs > 1;
    return [
      `${mb.toFixed(0)} MB`,
      READERS[row.reader].label,
      median ? `${(row.ms / 1000).toFixed(2)} s (median ${(row.medianMs / 1000).toFixed(2)})` : `${(row.ms / 1000).toFixed(2)} s`,
      median ? `${(mb / (row.ms / 1000)).toFixed(0)} (${(mb / (row.medianMs / 1000)).toFixed(0)})` : (mb / (row.ms / 1000)).toFixed(0),
      `${(row.peakRssBytes / 1e6).toFixed(0)} MB`,
      `${(row.peakRssBytes / row.bytes).toFixed(2)}×`,
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((row) => row[i].length)));
  const line = (row) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** The value after `name` on the command line, or `fallback`. */
export function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
}

async function main() {
  if (!existsSync(READER)) throw new Error("dist/ is missing: run `npm run build` first");
  const sizes = option("--sizes", "100,300,700").split(",").map(Number);
  const pipeline = option("--pipeline", undefined);
  const only = option("--only", pipeline ? "ours,ours-no-edges,json,devtools,pipeline" : "ours,ours-no-edges,json,devtools").split(",");
  const repeat = Number(option("--repeat", "1"));
  const timeoutMs = Number(option("--timeout", "600")) * 1000;
  for (const reader of only) if (!(reader in READERS)) throw new Error(`unknown reader "${reader}" (known: ${Object.keys(READERS).join(", ")})`);
  if (only.includes("pipeline") && !pipeline) throw new Error("--only pipeline needs --pipeline <module>");

  console.log(`heap snapshot reading · node ${process.version} · ${os.cpus().length} cores · ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB · load ${os.loadavg()[0].toFixed(1)}\n`);
  const rows = [];
  for (const sizeMb of sizes) {
    const { file, bytes, generatedMs } = await generateSnapshot(sizeMb);
    console.log(`${path.relative(ROOT, file)}: ${(bytes / 1e6).toFixed(0)} MB, ${generatedMs === undefined ? "cached" : `generated in ${(generatedMs / 1000).toFixed(0)} s`}`);
    for (const reader of only) {
      let best;
      const times = [];
      for (let run = 0; run < repeat; run++) {
        const result = await measure(reader, file, { pipeline, timeoutMs });
        if (result.ms !== undefined) times.push(result.ms);
        if (best === undefined || (result.ms !== undefined && (best.ms === undefined || result.ms < best.ms))) best = result;
      }
      times.sort((a, b) => a - b);
      rows.push({ bytes, reader, ...best, runs: times.length, medianMs: times[Math.floor((times.length - 1) / 2)] });
    }
  }
  console.log(`\n${formatTable(rows)}`);
}

/** In the measuring child: one read, then time and peak RSS as a JSON line. */
async function measureChild(reader, file, pipeline) {
  const bytes = statSync(file).size;
  let run;
  if (reader === "ours" || reader === "ours-no-edges") {
    const { readHeapSnapshot } = await import(pathToFileURL(READER).href);
    run = () => readHeapSnapshot(file, { edges: reader === "ours" });
  } else if (reader === "json") {
    run = () => {
      try {
        return JSON.parse(readFileSync(file, "utf8"));
      } catch (error) {
        if (error.code === "ERR_STRING_TOO_LONG") throw new Error("fails: string too long");
        throw error;
      }
    };
  } else if (reader === "devtools") {
    const { parse } = await import("heap-snapshot-toolkit");
    run = () => parse(createReadStream(file, "utf-8"));
  } else {
    const module = await import(pathToFileURL(pipeline).href);
    run = () => module.default(file);
  }
  const started = performance.now();
  try {
    await run();
  } catch (error) {
    console.log(JSON.stringify({ error: error.message.split("\n")[0] }));
    return;
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, peakRssBytes: process.resourceUsage().maxRSS * 1024, bytes }));
}

/** In the generating child: a heap shaped like a busy Socket.IO server's, then its snapshot. */
function generateChild(sessions, out) {
  class Session {
    constructor(id) {
      this.id = id;
      this.user = `user-${id}`;
      this.createdAt = Date.now();
      this.messages = [];
      this.meta = new Map();
      this.handlers = {};
    }
  }
  class Message {
    constructor(session, seq) {
      this.session = session;
      this.seq = seq;
      this.text = `message ${seq} of session ${session.id}`;
      this.tags = ["a", "b", seq % 3 ? "c" : "d"];
    }
  }
  class Socket {
    constructor(session) {
      this.session = session;
      this.rooms = new Set([`room-${session.id % 100}`]);
      this.onMessage = (message) => session.messages.push(message);
      if (session.id % 10 === 0) this.buffer = Buffer.alloc(64);
    }
  }
  const live = new Map();
  for (let id = 0; id < sessions; id++) {
    const session = new Session(id);
    for (let seq = 0; seq < 8; seq++) session.messages.push(new Message(session, seq));
    session.meta.set("ip", `10.0.${id % 256}.${(id >> 8) & 255}`);
    session.meta.set("ua", `Mozilla/5.0 client ${id % 50}`);
    session.handlers.disconnect = function onDisconnect() {
      live.delete(id);
    };
    session.socket = new Socket(session);
    session.scores = [1.5, 2.5, id / 3];
    live.set(id, session);
  }
  globalThis.liveSessions = live;
  v8.writeHeapSnapshot(out);
}

// Only as the script run, never when another bench imports this file.
if (process.argv[1] === HERE) {
  if (process.argv[2] === "--generate-child") generateChild(Number(process.argv[3]), process.argv[4]);
  else if (process.argv[2] === "--measure-child") await measureChild(process.argv[3], process.argv[4], process.argv[5]);
  else await main();
}
