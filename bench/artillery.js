// The comparison point of the driver: artillery (its socketio engine) running the same
// session as normal-completion (connect, start, 5 answers with acks, disconnect) against
// the bundled server run the same way. Artillery is installed on first use into a cache
// outside the package (~/.cache/leakcheck-bench/artillery), never a dependency.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ARTILLERY_VERSION = "2.0.34";
const CACHE = process.env.LEAKCHECK_BENCH_CACHE ?? path.join(os.homedir(), ".cache/leakcheck-bench/artillery");
const BIN = path.join(CACHE, "node_modules/.bin/artillery");

const INSTALL_ARGS = ["--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", `artillery@${ARTILLERY_VERSION}`];
// Its postinstall scripts fetch browsers the socketio engine never uses.
const INSTALL_ENV = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" };
// An install in the background holds this file (its pid) until the cache is in place.
const LOCK = `${CACHE}.installing`;

/** Installs artillery into the cache once. */
export function ensureArtillery() {
  if (existsSync(BIN)) return BIN;
  mkdirSync(CACHE, { recursive: true });
  process.stderr.write(`installing artillery@${ARTILLERY_VERSION} into ${CACHE} (once)…\n`);
  execFileSync("npm", ["install", "--prefix", CACHE, ...INSTALL_ARGS], { stdio: ["ignore", "ignore", "inherit"], env: INSTALL_ENV, timeout: 300_000 });
  return BIN;
}

/**
 * Starts the install without waiting for it (the test suite does, so that ~1 min of npm
 * overlaps other tests): into a folder of its own, moved into place when complete. Resolves
 * with a function that stops it, or undefined when artillery is there already.
 */
export function installArtilleryInBackground() {
  if (existsSync(BIN)) return undefined;
  if (existsSync(LOCK)) {
    if (alive(Number(readFileSync(LOCK, "utf8")))) return undefined;
    rmSync(LOCK, { force: true }); // left by a run that was killed
  }
  const partial = `${CACHE}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  const child = spawn("sh", ["-c", `npm install --prefix "$1" ${INSTALL_ARGS.join(" ")} && rm -rf "$2" && mv "$1" "$2"`, "sh", partial, CACHE], {
    stdio: "ignore",
    env: INSTALL_ENV,
    detached: true,
  });
  writeFileSync(LOCK, String(child.pid));
  const done = new Promise((resolve) => child.once("exit", resolve)).then(() => {
    rmSync(LOCK, { force: true });
    rmSync(partial, { recursive: true, force: true });
  });
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    await done;
  };
}

/** Artillery's binary: waits for an install in the background (up to `timeoutMs`), else installs now. */
export async function artilleryWhenReady(timeoutMs = 300_000) {
  const until = Date.now() + timeoutMs;
  while (existsSync(LOCK) && !existsSync(BIN) && Date.now() < until && alive(Number(readFileSync(LOCK, "utf8")))) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return ensureArtillery();
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The bundled server as leakcheck runs it (logging into a file); resolves once healthy. */
export async function startBundledServer() {
  const port = await freePort();
  const logDir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-bench-server-"));
  const logFd = openSync(path.join(logDir, "server.log"), "a");
  const server = spawn(process.execPath, [path.join(ROOT, "dist/src/server/main.js"), "--port", String(port)], { stdio: ["ignore", logFd, "inherit"] });
  closeSync(logFd);
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const cpuMs = () => {
    const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  };
  const stop = () =>
    new Promise((resolve) => {
      server.once("exit", resolve);
      server.kill();
    }).then(() => rmSync(logDir, { recursive: true, force: true }));
  return { url, cpuMs, stop };
}

/** The artillery script: `sessions` arrivals over `seconds`, each one normal-completion session. */
export function artilleryScript(url, sessions, seconds) {
  const answers = Array.from({ length: 5 }, (_, index) => ({
    emit: { channel: "submit-answer", data: { sessionId: "{{ sessionId }}", questionIndex: index, answer: "heap snapshot baseline" } },
    acknowledge: { match: { json: "$[0].ok", value: true } },
  }));
  return {
    config: {
      target: url,
      socketio: { transports: ["websocket"] },
      phases: [{ duration: seconds, arrivalCount: sessions }],
    },
    scenarios: [
      {
        engine: "socketio",
        flow: [
          {
            emit: { channel: "start-interview", data: { candidateId: "c-{{ $uuid }}", questionCount: 5 } },
            acknowledge: { capture: { json: "$[0].sessionId", as: "sessionId" } },
          },
          ...answers,
        ],
      },
    ],
  };
}

/**
 * Runs `sessions` artillery sessions against a fresh bundled server. Artillery's own start-up
 * (loading its modules, ~1-2 s of CPU) is measured by a run of one session and taken out, so
 * the CPU per session is the driving alone. Sessions/s: completed sessions over the span
 * between artillery's first and last counter. Arrivals come faster than the server serves them
 * (open model), so the span is the server's pace, not the arrival rate.
 */
export async function runArtillery(sessions, { seconds = Math.max(1, Math.round(sessions / 1000)) } = {}) {
  const bin = ensureArtillery();
  const dir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-bench-artillery-"));
  const server = await startBundledServer();
  try {
    const once = async (count, secs, label) => {
      const scriptFile = path.join(dir, `${label}.json`);
      const outFile = path.join(dir, `${label}.out.json`);
      writeFileSync(scriptFile, JSON.stringify(artilleryScript(server.url, count, secs)));
      const serverBefore = server.cpuMs();
      const { cpuMs } = await timed(bin, ["run", "--quiet", "--output", outFile, scriptFile]);
      const serverMs = server.cpuMs() - serverBefore;
      const report = JSON.parse(readFileSync(outFile, "utf8")).aggregate;
      return { cpuMs, serverMs, report };
    };
    const idle = await once(1, 1, "idle");
    const full = await once(sessions, seconds, "full");
    const completed = full.report.counters["vusers.completed"] ?? 0;
    const failed = full.report.counters["vusers.failed"] ?? 0;
    const spanMs = full.report.lastCounterAt - full.report.firstCounterAt;
    return {
      completed,
      failed,
      sessionsPerSecond: Math.round((completed / spanMs) * 1000),
      driverCpuMsPerSession: round2((full.cpuMs - idle.cpuMs) / Math.max(1, completed)),
      // With its start-up: what running artillery costs, per session.
      driverCpuMsPerSessionWithStartup: round2(full.cpuMs / Math.max(1, completed)),
      startupCpuMs: Math.round(idle.cpuMs),
      serverCpuMsPerSession: round2(full.serverMs / Math.max(1, completed)),
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a command under GNU time; resolves with its CPU (user + system, children included) in ms. */
function timed(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "%U %S", command, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      const [user, system] = stderr.trim().split("\n").pop().split(" ").map(Number);
      if (code !== 0 || !Number.isFinite(user)) return reject(new Error(`artillery exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
      resolve({ cpuMs: (user + system) * 1000 });
    });
  });
}

const round2 = (value) => Math.round(value * 100) / 100;

// `node bench/artillery.js 3000`: one run, printed as JSON.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runArtillery(Number(process.argv[2] ?? 3000))));
}
