// `leakcheck run`: options → RunOptions → the core; the verdict → exit code.

import { setMaxListeners } from "node:events";
import path from "node:path";
import fs from "node:fs";
import { Command, Option } from "commander";
import { describeFsError, ExitCode, exitCodeOf, InterruptedError, oneLine, RunError, UsageError } from "../errors.js";
import { randomSeed } from "../load/rng.js";
import type { LeakMode } from "../protocol.js";
import { renderJson } from "../report/json.js";
import { createProgress } from "../report/progress.js";
import { reportSink } from "../report/sink.js";
import { renderRun } from "../report/terminal.js";
import type { RunListener } from "../report-schema/events.js";
import { RUN_DEFAULTS, type RunOptions, type SnapshotMode, type TargetChoice } from "../run/options.js";
import { RunStopped, runLeakcheck } from "../run/run.js";
import "../server-under-test/leftovers.js";
import "../server-under-test/process-tree.js";
import { expandRequests } from "../scenario/loader.js";
import { loadProjectConfig, type ProjectConfig } from "./config.js";
import { collect, command, duration, httpPath, leakMode, loadCommand, ruled, serverUrl, snapshotMode, wholeNumber } from "./parsers.js";
import { RUN_SETTINGS, TIMEOUT_SETTINGS } from "./run-settings.js";

interface RawRunOptions {
  sessions?: number;
  concurrency?: number;
  rounds?: number;
  warmup?: number;
  seed?: number;
  server?: string;
  url?: string;
  serverLeak?: LeakMode;
  budget?: string;
  reportDir: string;
  /** A mode, false with --no-snapshots, undefined: the default for the scenarios asked for. */
  snapshots?: SnapshotMode | false;
  sampleInterval: number;
  json?: boolean;
  quiet?: boolean;
  readyTimeout: number;
  settleTimeout: number;
  sessionTimeout: number;
  roundTimeout: number;
  probeTimeout: number;
  duration?: number;
  maxSessions?: number;
  maxDuration?: number;
  allocationSites?: boolean;
  metricsPath: string;
  /** Set by applyConfig: the metrics path was asked for (flag or config), so it must exist. */
  /** Where the metrics path was given ("--metrics-path", or the config file's key): it must answer. */
  metricsPathFrom?: string;
  readyPath?: string;
  /** Set by applyConfig: an inline budget from the config file. */
  budgetObject?: RunOptions["budget"];
  gauge?: string[];
  port?: number;
  socketioPath: string;
  ackTimeout: number;
  ca?: string;
  insecure?: boolean;
  httpLoad?: boolean;
  load?: string;
  probe?: string;
}

/** Registers `run` on the program. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run scenarios against a server and judge them against the leak budget")
    .argument(
      "[scenario...]",
      "bundled scenario names, files in the project's scenarios folder, paths to scenario files, or all; none: the project's scenarios",
    )
    .option("--sessions <n>", "sessions per scenario (after warm-up)", ruled("--sessions", RUN_SETTINGS.sessions))
    .option("--concurrency <n>", "sessions in flight at once", ruled("--concurrency", RUN_SETTINGS.concurrency))
    .option("--rounds <n>", "rounds per scenario; heap is measured after each", ruled("--rounds", RUN_SETTINGS.rounds))
    .option("--warmup <n>", "sessions before the baseline", ruled("--warmup", RUN_SETTINGS.warmup))
    .option(
      "--duration <duration>",
      "soak: keep running rounds of sessions/rounds sessions until this long has passed (e.g. 10m), then judge; per scenario",
      duration("--duration", 1000, 86_400_000),
    )
    .option("--max-sessions <n>", "when the verdict is uncertain, more rounds may run up to this many sessions per scenario (default twice --sessions)", ruled("--max-sessions", RUN_SETTINGS.maxSessions))
    .option("--max-duration <duration>", "…and for at most this long after the planned rounds (default no limit but --max-sessions)", ruled("--max-duration", RUN_SETTINGS.maxDuration))
    .option("--allocation-sites", "record allocation stacks in the server (costs server CPU per allocation) to say where leaking objects were allocated")
    .option("--no-allocation-sites", "record no allocation stacks, even where the config file asks for them")
    .option("--seed <n>", "seed for the scenarios' random choices (printed; replays a run)", wholeNumber("--seed", 0, 2 ** 32 - 1))
    .addOption(new Option("--server <command>", "run this server command instead of the bundled server").argParser(command).conflicts("url"))
    .addOption(new Option("--url <url>", "attach to a server already running at this URL").argParser(serverUrl))
    .addOption(
      new Option("--server-leak <mode>", "leak mode of the bundled server: none, disconnect, timers, cache, listeners, bytes:N (a record of N bytes kept per ended session), bytes:N:max:M (only the newest M kept: bounded)")
        .argParser(leakMode)
        .conflicts(["server", "url"]),
    )
    .option("--budget <file>", "leak budget JSON file")
    .option("--report-dir <dir>", "parent folder of the run folders", RUN_DEFAULTS.reportDir)
    .option(
      "--snapshots <mode>",
      "heap snapshots: always (baseline, each round, final; all kept), on-fail (baseline, half way, final; kept when the scenario fails), never; default for one scenario: each round, kept when it fails; for several: on-fail",
      snapshotMode,
    )
    .option("--no-snapshots", "take no heap snapshots (same as --snapshots never)")
    .option(
      "--sample-interval <duration>",
      "how often to sample the server's memory and gauges for the timeline (0: only at the run's own measurements)",
      duration("--sample-interval", 0, 60_000),
      RUN_DEFAULTS.sampleIntervalMs,
    )
    .option("--json", "print the report as JSON on stdout, nothing else there")
    .option("--quiet", "no progress on stderr")
    .option("--ready-timeout <duration>", "how long the server may take to answer", ruled("--ready-timeout", TIMEOUT_SETTINGS.ready), RUN_DEFAULTS.readyTimeoutMs)
    .option("--settle-timeout <duration>", "how long to wait for gauges to come back", ruled("--settle-timeout", TIMEOUT_SETTINGS.settle), RUN_DEFAULTS.settleTimeoutMs)
    .option("--session-timeout <duration>", "longest one session may take", ruled("--session-timeout", TIMEOUT_SETTINGS.session), RUN_DEFAULTS.sessionTimeoutMs)
    .option("--round-timeout <duration>", "longest one round of sessions may take", ruled("--round-timeout", TIMEOUT_SETTINGS.round), RUN_DEFAULTS.roundTimeoutMs)
    .option("--probe-timeout <duration>", "longest a GC or metrics request may take", ruled("--probe-timeout", TIMEOUT_SETTINGS.probe), RUN_DEFAULTS.probeTimeoutMs)
    .option(
      "--metrics-path <path>",
      "the server's metrics endpoint (default /api/metrics when the server has one; without one, Socket.IO's counts and leakcheck/gauges from the probe)",
      httpPath("--metrics-path"),
      RUN_DEFAULTS.metricsPath,
    )
    .option("--ready-path <path>", "the server is ready when this path answers 2xx (default: it accepts a Socket.IO handshake, or answers the metrics path)", httpPath("--ready-path"))
    .option("--gauge <name>", "judge only this metrics field (repeatable)", collect)
    .option("--port <n>", "port for the spawned server (default: a free one)", wholeNumber("--port", 1, 65_535))
    .option("--socketio-path <path>", "the server's Socket.IO path", httpPath("--socketio-path"), RUN_DEFAULTS.socketIoPath)
    .option("--ack-timeout <duration>", "longest a client waits for an acknowledgement", ruled("--ack-timeout", TIMEOUT_SETTINGS.ack), RUN_DEFAULTS.ackTimeoutMs)
    .option("--ca <file>", "for an https --url: the CA certificate (PEM) the server's certificate is checked against")
    .option("--insecure", "for an https --url: accept any certificate (self-signed, wrong name)")
    .option("--http-load", "load the HTTP endpoints with autocannon in every scenario")
    .option("--no-http-load", "no HTTP load, even where the scenario asks for it")
    .option(
      "--load <command>",
      "each round's load is this command (artillery, k6, a script) with LEAKCHECK_URL, LEAKCHECK_SESSIONS, LEAKCHECK_ROUND, LEAKCHECK_RUN_DIR; the scenario gives sessions, rounds and warm-up",
      loadCommand,
    )
    .option(
      "--probe <socket>",
      "with --url: the Unix socket of a probe the server loaded (--require leakcheck/probe, LEAKCHECK_PROBE); the token comes from LEAKCHECK_PROBE_TOKEN",
    )
    .action(async (scenarios: string[], raw: RawRunOptions, command: Command) => {
      process.exitCode = await runCommand(scenarios, raw, (key) => command.getOptionValueSource(key) === "cli");
    });
}

function toRunOptions(scenarios: string[], raw: RawRunOptions): RunOptions {
  if (raw.port !== undefined && raw.url) throw new UsageError("--port is for a server leakcheck starts; with --url the port is in the URL");
  if (raw.probe !== undefined && !raw.url) {
    throw new UsageError("--probe attaches to a server someone else started: give its address with --url too");
  }
  const token = process.env.LEAKCHECK_PROBE_TOKEN;
  if (raw.probe !== undefined && !token) {
    throw new UsageError(
      "--probe needs the token the server was started with: set LEAKCHECK_PROBE_TOKEN in leakcheck's environment too",
    );
  }
  const target: TargetChoice = raw.url
    ? { kind: "url", url: raw.url, ...(raw.probe !== undefined ? { probe: { socketPath: path.resolve(raw.probe), token: token! } } : {}) }
    : raw.server
      ? { kind: "command", command: raw.server }
      : { kind: "bundled", leak: raw.serverLeak ?? "none" };
  return {
    scenarios,
    target,
    sessions: raw.sessions,
    concurrency: raw.concurrency,
    rounds: raw.rounds,
    warmup: raw.warmup,
    seed: raw.seed ?? randomSeed(),
    port: raw.port,
    budgetFile: raw.budget,
    budget: raw.budgetObject,
    reportDir: raw.reportDir,
    // One scenario: the developer wants to see what leaked. Several (run all): a snapshot
    // series costs seconds per scenario, so only a failing scenario keeps its pair.
    // A soak keeps no per-round snapshots (there is no telling how many rounds), so on-fail too.
    snapshots:
      raw.snapshots === false
        ? "never"
        : raw.snapshots ?? (scenarios.length === 1 && scenarios[0] !== "all" && raw.duration === undefined ? "always" : "on-fail"),
    // The one-scenario default reads a snapshot per round but keeps them only for a failure
    // (45–95 MB a run: two new users filled a disk with passing runs' snapshots).
    keepPassingSnapshots: raw.snapshots === "always",
    sampleIntervalMs: raw.sampleInterval,
    readyTimeoutMs: raw.readyTimeout,
    settleTimeoutMs: raw.settleTimeout,
    sessionTimeoutMs: raw.sessionTimeout,
    roundTimeoutMs: raw.roundTimeout,
    durationMs: raw.duration,
    maxSessions: raw.maxSessions,
    maxDurationMs: raw.maxDuration,
    allocationSites: raw.allocationSites ?? false,
    probeTimeoutMs: raw.probeTimeout,
    metricsPath: raw.metricsPath,
    metricsPathFrom: raw.metricsPathFrom,
    readyPath: raw.readyPath,
    gauges: raw.gauge,
    socketIoPath: raw.socketioPath.endsWith("/") ? raw.socketioPath : `${raw.socketioPath}/`,
    ackTimeoutMs: raw.ackTimeout,
    tls: tlsOptions(raw),
    httpLoad: raw.httpLoad,
    load: raw.load,
  };
}

/**
 * The config file's settings under the flags: a flag typed on the command line wins.
 * Returns the options and what `all` means (the project's scenarios alone when the config
 * names a server other than the bundled one).
 */
function applyConfig(raw: RawRunOptions, config: ProjectConfig | undefined, given: (key: string) => boolean): { raw: RawRunOptions; allIsProject: boolean } {
  const merged: RawRunOptions = { ...raw, metricsPathFrom: given("metricsPath") ? "--metrics-path" : undefined };
  if (!config) return { raw: merged, allIsProject: false };
  // --server-leak alone would swap the project's own server for the bundled one, and the
  // project's scenarios would fail against the wrong app.
  if (raw.serverLeak !== undefined && raw.server === undefined && raw.url === undefined && (config.server !== undefined || config.url !== undefined)) {
    const own = config.server !== undefined ? `runs its own (${config.server})` : `attaches to its own (${config.url})`;
    throw new UsageError(`--server-leak is a leak mode of the bundled server; this project's config ${own}: leave --server-leak out`);
  }
  const targetOnCli = raw.server !== undefined || raw.url !== undefined || raw.serverLeak !== undefined;
  if (!targetOnCli) {
    // The command runs where the config is, as it would be typed there.
    const here = path.resolve(process.cwd()) === config.dir;
    const quoted = `'${config.dir.replace(/'/g, "'\\''")}'`;
    merged.server = config.server !== undefined && !here ? `cd ${quoted} && ${config.server}` : config.server;
    merged.url = config.url;
  }
  merged.sessions ??= config.sessions;
  merged.concurrency ??= config.concurrency;
  merged.rounds ??= config.rounds;
  merged.warmup ??= config.warmup;
  merged.maxSessions ??= config.maxSessions;
  merged.maxDuration ??= config.maxDuration;
  merged.allocationSites ??= config.allocationSites;
  merged.gauge ??= config.gauges;
  merged.readyPath ??= config.readyPath;
  if (raw.budget === undefined && config.budget !== undefined) {
    if (typeof config.budget === "string") merged.budget = config.budget;
    else merged.budgetObject = config.budget;
  }
  if (!given("reportDir") && config.reportDir !== undefined) merged.reportDir = config.reportDir;
  if (!given("metricsPath") && config.metricsPath !== undefined) {
    merged.metricsPath = config.metricsPath;
    merged.metricsPathFrom = `${path.basename(config.file)}'s metricsPath`;
  }
  if (!given("socketioPath") && config.socketioPath !== undefined) merged.socketioPath = config.socketioPath;
  const timeouts = { readyTimeout: "ready", settleTimeout: "settle", sessionTimeout: "session", roundTimeout: "round", probeTimeout: "probe", ackTimeout: "ack" } as const;
  for (const [key, name] of Object.entries(timeouts) as [keyof typeof timeouts, (typeof timeouts)[keyof typeof timeouts]][]) {
    const value = config.timeouts[name];
    if (!given(key) && value !== undefined) merged[key] = value;
  }
  const bundled = merged.server === undefined && merged.url === undefined;
  return { raw: merged, allIsProject: (config.server !== undefined || config.url !== undefined) && !bundled };
}

/** --ca and --insecure: only for an https --url, and the CA file must be a readable PEM certificate. */
function tlsOptions(raw: RawRunOptions): RunOptions["tls"] {
  const https = raw.url?.startsWith("https:") ?? false;
  for (const [given, option] of [[raw.ca !== undefined, "--ca"], [raw.insecure, "--insecure"]] as const) {
    if (given && !https) throw new UsageError(`${option} is for a server reached over TLS: give an https:// --url, or leave ${option} out`);
  }
  if (raw.ca === undefined) return { insecure: Boolean(raw.insecure) };
  let ca: string;
  try {
    ca = fs.readFileSync(raw.ca, "utf8");
  } catch (error) {
    throw new UsageError(`--ca ${raw.ca} ${describeFsError(error)}: give the path of the server's CA certificate (PEM)`);
  }
  if (!ca.includes("-----BEGIN CERTIFICATE-----")) throw new UsageError(`--ca ${raw.ca} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line): give the CA certificate in PEM form`);
  return { ca, insecure: Boolean(raw.insecure) };
}

/** Runs and prints; resolves with the exit code. */
async function runCommand(requests: string[], given: RawRunOptions, typed: (key: string) => boolean): Promise<number> {
  let raw = given;
  const progress = createProgress(process.stderr, Boolean(raw.quiet));
  const controller = new AbortController();
  // Every session in flight listens for the abort: thousands at once is by design.
  setMaxListeners(0, controller.signal);
  let signalled = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled++;
    if (signalled > 1) {
      // A second Ctrl-C: no more waiting for cleanup. The exit hooks of process-tree.ts and
      // leftovers.ts still SIGKILL every server group and remove the probe folder and any
      // half-written snapshot, synchronously.
      process.exit(ExitCode.runFailed);
    }
    progress.clear();
    process.stderr.write(`leakcheck: ${signal} received, stopping (again to kill at once)\n`);
    controller.abort(new InterruptedError(signal));
  };
  // A bug of ours or a scenario's stray promise stops the run cleanly (exit 3), not with a stack trace.
  const onUnexpected = (error: unknown) => {
    if (!controller.signal.aborted) controller.abort(new RunError(`unexpected error: ${oneLine(error)}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  process.on("unhandledRejection", onUnexpected);
  process.on("uncaughtException", onUnexpected);
  try {
    const config = await loadProjectConfig();
    const applied = applyConfig(given, config, typed);
    raw = applied.raw;
    const projectDir = config?.scenariosDir ?? path.resolve("scenarios");
    const scenarios = expandRequests(requests, { dir: projectDir, allIsProject: applied.allIsProject });
    const options = toRunOptions(scenarios, raw);
    // The run emits; the progress display and the report writer subscribe.
    const writeReports = reportSink();
    const emit: RunListener = (event) => {
      progress.onEvent(event);
      return writeReports(event);
    };
    const report = await runLeakcheck(options, { emit, signal: controller.signal });
    progress.clear();
    process.stdout.write(raw.json ? renderJson(report) : renderRun(report));
    return report.verdict === "pass" ? ExitCode.pass : report.verdict === "fail" ? ExitCode.leak : ExitCode.runFailed;
  } catch (error) {
    progress.clear();
    const cause = error instanceof RunStopped ? error.cause : error;
    if (error instanceof RunStopped) {
      if (raw.json) process.stdout.write(renderJson(error.report));
      else if (error.report.scenarios.length > 0) process.stdout.write(renderRun(error.report));
      // Stopped before any scenario finished: still say where the partial reports are.
      else if (error.report.reportDir && exitCodeOf(cause) === ExitCode.runFailed) process.stdout.write(`partial reports: ${error.report.reportDir}/report.html (also report.json, report.md, junit.xml)\n`);
    }
    process.stderr.write(`leakcheck: ${oneLine(cause)}\n`);
    return exitCodeOf(cause);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    process.off("unhandledRejection", onUnexpected);
    process.off("uncaughtException", onUnexpected);
  }
}
