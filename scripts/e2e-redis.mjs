// npm run e2e:redis (issue 12; not part of npm test): the most common multi-node setup,
// Socket.IO workers sharing state through @socket.io/redis-adapter and a real Redis.
// Starts redis-server on a free port (or uses REDIS_URL), runs leakcheck against a
// 2-worker server with the Redis adapter clean (must pass) and with a leak in worker 2
// (must fail naming worker 2), stops everything it started, and says what it saw.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin/leakcheck.js");
const SERVER = `node ${path.join(ROOT, "test/fixtures/cluster/cluster-server.mjs")}`;
const INSTALL = [
  "redis-server is not installed, and REDIS_URL is not set. Install it and rerun `npm run e2e:redis`:",
  "  Debian/Ubuntu: sudo apt-get install -y redis-server   (the e2e starts its own on a free port; no service needed)",
  "  macOS:         brew install redis",
  "  or any Redis:  REDIS_URL=redis://127.0.0.1:6379 npm run e2e:redis   (e.g. docker run --rm -p 6379:6379 redis)",
].join("\n");

const started = [];
let tempDir;
function stopAll() {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
}
process.on("exit", stopAll);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** PING over plain RESP until Redis answers PONG, for at most `ms`. */
async function waitForRedis(port, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const pong = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
      socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
      socket.on("data", (data) => (socket.destroy(), resolve(String(data).startsWith("+PONG"))));
      socket.on("error", () => resolve(false));
    });
    if (pong) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${ms} ms`);
}

async function startRedis() {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
  if (!found) {
    process.stderr.write(`${INSTALL}\n`);
    process.exit(2);
  }
  const port = await freePort();
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-redis-"));
  const redis = spawn(found, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tempDir], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  started.push(redis);
  await waitForRedis(port, 10_000);
  process.stdout.write(`redis-server ${found} on 127.0.0.1:${port}\n`);
  return `redis://127.0.0.1:${port}`;
}

function leakcheck(env) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [BIN, "run", "abrupt-close", "--server", SERVER, "--sessions", "300", "--warmup", "30", "--rounds", "3", "--no-snapshots", "--settle-timeout", "5s", "--json", "--quiet", "--report-dir", path.join(os.tmpdir(), "leakcheck-e2e-redis-reports")],
      { env: { ...process.env, ...env, ADAPTER: "redis" }, stdio: ["ignore", "pipe", "inherit"] },
    );
    started.push(child);
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    // "close", not "exit": the JSON may still be in the pipe when the process has exited.
    child.on("close", (code) => resolve({ code, report: stdout ? JSON.parse(stdout) : undefined }));
  });
}

const REDIS_URL = await startRedis();
let ok = true;
const check = (what, good, detail) => {
  ok &&= good;
  process.stdout.write(`${good ? "ok  " : "FAIL"} ${what}${detail ? `: ${detail}` : ""}\n`);
};

const clean = await leakcheck({ REDIS_URL });
const cleanScenario = clean.report?.scenarios[0];
check(
  "2 workers with the Redis adapter, all clean, pass (exit 0)",
  clean.code === 0,
  `exit ${clean.code}; ${cleanScenario?.processes?.map((each) => `${each.label} ${each.verdict}`).join(", ")}`,
);
const leaky = await leakcheck({ REDIS_URL, LEAK_WORKER: "2", LEAK: "disconnect" });
const reasons = leaky.report?.scenarios[0]?.reasons ?? [];
check(
  "a leak in worker 2 alone fails (exit 1) naming worker 2 and not worker 1",
  leaky.code === 1 && reasons.length > 0 && reasons.every((reason) => reason.startsWith("worker 2 (pid ")),
  `exit ${leaky.code}; ${reasons[0] ?? "no reasons"}`,
);
// Redis is a child of ours that would keep this process alive: stopped, and waited for.
await Promise.all(
  started
    .filter((child) => child.exitCode === null && child.signalCode === null)
    .map((child) => new Promise((resolve) => (child.once("exit", resolve), child.kill("SIGTERM")))),
);
process.exit(ok ? 0 : 1);
