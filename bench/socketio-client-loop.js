// The comparison point for the driver: a bare socket.io-client loop (the official client,
// websocket transport) doing the same session as normal-completion against the same
// bundled server run the same way, with nothing measured and no forced GC. Prints one JSON line.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SESSIONS = Number(process.argv[2] ?? 4000);
const CONCURRENCY = Number(process.argv[3] ?? 100);

// The server as leakcheck runs it: logging a line per session straight into a file.
const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, "127.0.0.1", () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const logDir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-loop-"));
const logFd = openSync(path.join(logDir, "server.log"), "a");
const server = spawn(process.execPath, [path.join(ROOT, "dist/src/server/main.js"), "--port", String(port)], {
  stdio: ["ignore", logFd, "inherit"],
});
closeSync(logFd);
const url = `http://127.0.0.1:${port}`;
for (;;) {
  try {
    if ((await fetch(`${url}/api/health`)).ok) break;
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const serverCpuMs = () => {
  const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
};

async function session(index) {
  const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  const completed = new Promise((resolve) => socket.once("interview-complete", resolve));
  const started = await socket.emitWithAck("start-interview", { candidateId: `c-${index}`, questionCount: 5 });
  let question = started.question;
  for (;;) {
    const result = await socket.emitWithAck("submit-answer", { sessionId: started.sessionId, questionIndex: question.index, answer: "heap snapshot baseline" });
    if (result.done) break;
    question = result.next;
  }
  await completed;
  socket.disconnect();
}

let next = 0;
const worker = async () => {
  while (next < SESSIONS) await session(next++);
};
const cpuBefore = process.cpuUsage();
const serverBefore = serverCpuMs();
const started = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const serverMs = serverCpuMs() - serverBefore;
server.kill();
rmSync(logDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    sessionsPerSecond: Math.round((SESSIONS / ms) * 1000),
    driverCpuMsPerSession: Math.round(((cpu.user + cpu.system) / 1000 / SESSIONS) * 100) / 100,
    serverCpuMsPerSession: Math.round((serverMs / SESSIONS) * 100) / 100,
  }),
);
