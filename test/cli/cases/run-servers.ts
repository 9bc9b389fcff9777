// `run` against servers that cannot be tested: exit 3 (the run could not be carried out),
// one line, and nothing left running. These start a server (or try to): a few seconds each.
import type { ErrorCase } from "../error-runner.js";

const SERVERS = "run: servers that cannot be tested";

const server = (args: string[], exit: 2 | 3, message: RegExp, note?: string): ErrorCase => ({
  section: SERVERS,
  args: ["run", "normal-completion", ...args],
  exit,
  message,
  note,
  timeoutMs: 60_000,
  spawn: "starts a server",
});

export const serverCases: ErrorCase[] = [
  server(["--port", "<port>"], 3, /^port <port> is already in use on 127\.0\.0\.1: choose another with --port, or leave --port out to use a free one$/, "(the port is taken)"),
  server(["--server", "node test/fixtures/crash-server.cjs"], 3, /^the server exited with code 1 before it was ready: Error: boom at startup \(thrown at loadConfig, test\/fixtures\/crash-server\.cjs:3:9\); see \S*server\.log$/),
  server(["--server", "leakcheck-no-such-command"], 3, /^the server exited with code 127 before it was ready: last output: .*leakcheck-no-such-command: not found; see \S*server\.log$/),
  server(
    ["--server", "node test/fixtures/never-ready-server.cjs", "--ready-timeout", "1s"],
    3,
    /^nothing listened on port <port> in 1000 ms: the server must listen on the PORT leakcheck gives it \(PORT=<port>, HOST=127\.0\.0\.1\); if it does and starts slowly, raise --ready-timeout$/,
    "(the server never listens: it ignores $PORT)",
  ),
  server(
    // 3 s, not 1: under CI's two test lanes node took over 1 s to listen, and the message was then "nothing listened".
    ["--server", "node test/fixtures/plain-http-server.cjs", "--ready-timeout", "3s"],
    3,
    /^the server did not accept a Socket\.IO handshake at \/socket\.io\/ within 3000 ms \(last: status 404\), no metrics endpoint at \/api\/metrics either: raise --ready-timeout, check --socketio-path and the server log, or name a path that answers 2xx once ready with --ready-path$/,
    "(an HTTP server without Socket.IO)",
  ),
  server(["--server", "node test/fixtures/garbage-metrics-server.cjs"], 3, /did not return JSON .*--metrics-path/),
  server(["--url", "http://127.0.0.1:1", "--ready-timeout", "1s"], 3, /^nothing listened at http:\/\/127\.0\.0\.1:1 in 1000 ms \(connection refused\): start the server first, or check --url$/, "(nothing listens there)"),
  server(["--url", "http://127.0.0.1:<port>", "--ready-path", "/ready", "--ready-timeout", "1s"], 3, /^the server did not answer GET http:\/\/127\.0\.0\.1:<port>\/ready with 2xx within 1000 ms \(last: no answer\): raise --ready-timeout, or check --ready-path$/, "(the port takes connections and answers nothing)"),
  server(
    ["--metrics-path", "/no-such-path"],
    2,
    /^--metrics-path \/no-such-path: GET http:\/\/127\.0\.0\.1:<port>\/no-such-path answered 404: point --metrics-path at the server's metrics endpoint, or leave it out to measure without one \(Socket\.IO's counts and leakcheck\/gauges, read by the probe\)$/,
    "(at once: the server answers HTTP, not at that path)",
  ),
  server(
    ["--server", "node test/fixtures/silent-paths-server.cjs", "--metrics-path", "/metrics", "--ready-timeout", "10s"],
    2,
    /^--metrics-path \/metrics: GET http:\/\/127\.0\.0\.1:<port>\/metrics gave no answer, while the server accepts Socket\.IO handshakes: point --metrics-path at the server's metrics endpoint, or leave it out/,
    "(the app never answers a path it does not know; said within seconds, not after --ready-timeout)",
  ),
  // 3 s, not 1: the bundled server must get up first, and under a loaded machine it took over 1 s.
  server(["--ready-path", "/no-such-path", "--ready-timeout", "3s"], 3, /^the server did not answer GET .*\/no-such-path with 2xx within 3000 ms \(last: status 404\): raise --ready-timeout, or check --ready-path and the server log$/),
  server(["--gauge", "noSuchGauge"], 2, /^--gauge noSuchGauge: the metrics at .* have no such integer field \(they have: activeSessions, /, "(checked once the server answers)"),
  {
    section: SERVERS,
    args: ["run", "test/fixtures/stray-rejection-scenario.mjs"],
    exit: 3,
    message: /^unexpected error: stray promise in a scenario/,
    note: "(the scenario leaves an unhandled rejection)",
    timeoutMs: 60_000,
    spawn: "starts a server",
  },
];
