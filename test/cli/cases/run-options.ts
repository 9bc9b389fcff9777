// `leakcheck` itself and `run`'s arguments and options: every one wrong in type, range,
// emptiness, and in combination. All fail while the command line is read, before anything starts.
import type { ErrorCase } from "../error-runner.js";

const TOP = "leakcheck";
const RUN = "run: arguments and options";

// Through bin/leakcheck.js, as typed: the shim adds nothing to main()'s line and exit code.
const top = (args: string[], message: RegExp): ErrorCase => ({ section: TOP, args, exit: 2, message, spawn: "the shim itself" });
const run = (args: string[], message: RegExp, extra: Partial<ErrorCase> = {}): ErrorCase => ({ section: RUN, args: ["run", ...args], exit: 2, message, ...extra });

/** A whole-number option: not a number, out of range, empty, negative, fractional, huge. */
function wholeNumberCases(option: string, values: string[]): ErrorCase[] {
  return values.map((value) =>
    run(["all", option, value], new RegExp(`^${option} must be a whole number from \\d+ to [\\d,]+, got ${value === "" ? '""' : `\`${escape(value)}\``} \\(see leakcheck run --help\\)$`)),
  );
}

/** A duration option: not a duration, out of range, negative, empty. */
function durationCases(option: string, values: string[], extra: Partial<ErrorCase> = {}): ErrorCase[] {
  return values.map((value) =>
    run(["all", option, value], new RegExp(`^${option} must be a duration from \\S+ to \\S+, like 500ms, 15s or 10m, got ${value === "" ? '""' : `\`${escape(value)}\``}`), extra),
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export const topLevelCases: ErrorCase[] = [
  top([], /^no command given: use run, list, serve, diff, compare, init \(see leakcheck --help\)$/),
  top(["bogus"], /^unknown command 'bogus' \(see leakcheck --help\)$/),
  top(["rnu", "all"], /^unknown command 'rnu' \(Did you mean run\?\)/),
  top(["--bogus"], /^unknown option '--bogus'/),
];

export const runOptionCases: ErrorCase[] = [
  run([], /^no scenario given, and the folder scenarios\/ has no scenario files \(\.ts, \.mts, \.js, \.mjs\): write one there \(npx leakcheck init writes a first one\), or name a scenario file$/, {
    cwd: "<tmp>/no-scenarios/",
    files: { "no-scenarios/package.json": "{}" },
    note: "(in a project without scenarios)",
  }),
  run([""], /^the <scenario> argument is empty: give bundled scenario names/),
  run(["no-such-scenario"], /^unknown scenario "no-such-scenario": use one of .*normal-completion.*, all, or a path to a scenario file$/),
  run(["abrupt-clos"], /^unknown scenario "abrupt-clos" \(did you mean "abrupt-close"\?\)/),
  run(["all", "--sesions", "3"], /^unknown option '--sesions' \(Did you mean --sessions\?\)/),
  run(["all", "--sessions"], /^--sessions needs a value: --sessions <n>/),
  run(["all", "normal-completion", "extra-arg"], /^unknown scenario "extra-arg"/),

  ...wholeNumberCases("--sessions", ["abc", "0", "-1", "1.5", "1e3", "1000001", "99999999999999999999", ""]),
  ...wholeNumberCases("--concurrency", ["0", "15001", "ten"]),
  ...wholeNumberCases("--rounds", ["0", "101", "2.5"]),
  ...wholeNumberCases("--warmup", ["-1", "1000001", "some"]),
  ...wholeNumberCases("--seed", ["-1", "4294967296", "0x10"]),
  ...wholeNumberCases("--port", ["0", "65536", "http"]),

  ...durationCases("--ready-timeout", ["soon", "0", "11m", "-5s", "1.5.5s", ""]),
  ...durationCases("--settle-timeout", ["later", "2h"]),
  ...durationCases("--session-timeout", ["1ms", "61m"]),
  ...durationCases("--round-timeout", ["10ms", "25h"]),
  ...durationCases("--probe-timeout", ["50ms", "1h"]),
  ...durationCases("--sample-interval", ["-1", "2m", "fast"]),
  // Soak (`run --duration`): the same parser, 1s..24h.
  ...durationCases("--duration", ["soon", "0", "25h"]),

  run(["all", "--snapshots", "sometimes"], /^--snapshots must be one of always, on-fail, never, got `sometimes`/),
  run(["all", "--snapshots", ""], /^--snapshots must be one of always, on-fail, never, got ""/),
  run(["all", "--server-leak", "everything"], /^--server-leak: leak mode must be one of none, disconnect, timers, cache, listeners, bytes:N or bytes:N:max:M .*, got `everything`/),
  run(["all", "--server-leak", ""], /^--server-leak: leak mode must be one of .*, got ""/),
  run(["all", "--server-leak", "bytes:lots"], /^--server-leak: leak mode must be one of .*bytes:N or bytes:N:max:M \(N bytes up to 10000000, M ≥ 1\), got `bytes:lots`/),
  run(["all", "--server-leak", "bytes:200:max:0"], /^--server-leak: leak mode must be one of .*\(N bytes up to 10000000, M ≥ 1\), got `bytes:200:max:0`/),
  run(["all", "--url", "notaurl"], /^--url must be a URL like http:\/\/127\.0\.0\.1:3000, got `notaurl`/),
  run(["all", "--url", "ftp://127.0.0.1"], /^--url must start with http:\/\//),
  run(["all", "--url", "gopher://127.0.0.1:3000"], /^--url must start with http:\/\/, https:\/\/, ws:\/\/ or wss:\/\/, got `gopher:\/\/127\.0\.0\.1:3000`/),
  run(["all", "--ca", "ca.pem"], /^--ca is for a server reached over TLS: give an https:\/\/ --url, or leave --ca out$/),
  run(["all", "--insecure", "--url", "http://127.0.0.1:3000"], /^--insecure is for a server reached over TLS: give an https:\/\/ --url, or leave --insecure out$/),
  run(["all", "--url", "https://127.0.0.1:3000", "--ca", "no-such-ca.pem"], /^--ca no-such-ca\.pem .+: give the path of the server's CA certificate \(PEM\)$/),
  run(["all", "--url", "https://127.0.0.1:3000", "--ca", "README.md"], /^--ca README\.md holds no PEM certificate \(no "-----BEGIN CERTIFICATE-----" line\): give the CA certificate in PEM form$/),
  ...durationCases("--ack-timeout", ["soon", "5", "11m"]),
  run(["all", "--url", "http://127.0.0.1:99999"], /^--url must be a URL like/),
  run(["all", "--url", ""], /^--url must be a URL like .*, got ""/),
  run(["all", "--url", "http://127.0.0.1:3000/api/metrics"], /^--url is the server's address only, like http:\/\/127\.0\.0\.1:3000; give its metrics endpoint with --metrics-path/),
  run(["all", "--server", ""], /^--server needs a command, like "npm start" or "node server\.js"/),
  run(["all", "--server", "   "], /^--server needs a command/),
  run(["all", "--metrics-path", "api/metrics"], /^--metrics-path must be a URL path starting with \/ .*got `api\/metrics`/),
  run(["all", "--metrics-path", "/api metrics"], /^--metrics-path must be a URL path starting with \/ and without spaces/),
  run(["all", "--metrics-path", ""], /^--metrics-path must be a URL path .*got ""/),
  run(["all", "--ready-path", "health"], /^--ready-path must be a URL path starting with \/ and without spaces, like \/health, got `health`/),
  run(["all", "--socketio-path", "socket.io"], /^--socketio-path must be a URL path starting with \//),
  run(["all", "--gauge", ""], /^--gauge needs a value, got "" \(--gauge <name>: /),
  run(["all", "--budget", ""], /^--budget needs a value, got "" \(--budget <file>: /),
  run(["all", "--report-dir", ""], /^--report-dir needs a value, got "" \(--report-dir <dir>: /),

  // Options that cannot go together.
  run(["all", "--server", "npm start", "--url", "http://127.0.0.1:3000"], /^--server cannot be used with --url/),
  run(["all", "--server-leak", "disconnect", "--url", "http://127.0.0.1:3000"], /^--server-leak cannot be used with --url/),
  run(["all", "--server-leak", "timers", "--server", "node server.js"], /^--server-leak cannot be used with --server/),
  run(["all", "--port", "4000", "--url", "http://127.0.0.1:3000"], /^--port is for a server leakcheck starts; with --url the port is in the URL$/),
  run(["all", "--snapshots", "always", "--no-snapshots"], /^--snapshots and --no-snapshots cannot be used together: keep the one you mean$/),
  run(["all", "--http-load", "--no-http-load"], /^--http-load and --no-http-load cannot be used together/),

  // Beyond one process (issue 12): --load and --probe.
  run(["all", "--load", ""], /^--load needs a command, like "npx artillery run load\.yml" or "node load\.js"/),
  run(["all", "--load", "   "], /^--load needs a command, like /),
  run(["all", "--probe", "/tmp/leakcheck.sock"], /^--probe attaches to a server someone else started: give its address with --url too$/),
  run(["all", "--url", "http://127.0.0.1:3000", "--probe", "/tmp/leakcheck.sock"], /^--probe needs the token the server was started with: set LEAKCHECK_PROBE_TOKEN in leakcheck's environment too$/, {
    env: { LEAKCHECK_PROBE_TOKEN: "" },
  }),
];
