// One scenario, phase by phase: start the server → warm up → baseline → rounds →
// settle → final → verdict; the server and everything else stopped at the end, always.

import { setMaxListeners } from "node:events";
import fs from "node:fs/promises";
import path from "node:path";
import { formatDuration } from "../duration.js";
import { formatBytes } from "../format.js";
import { oneLine, RunError } from "../errors.js";
import { FaultProxy } from "../load/fault-proxy.js";
import { startHttpLoad } from "../load/http-load.js";
import { runSessions, type PoolOptions } from "../load/session-pool.js";
import { LoadStats } from "../load/stats.js";
import type { LoadedScenario } from "../scenario/loader.js";
import { fetchMetrics, selectGauges } from "../server-under-test/metrics.js";
import { startTarget, type Target, type TargetSpec } from "../server-under-test/target.js";
import type { Budget } from "../verdict/budget.js";
import { writeHeapDiffReport } from "../report/heap-diff.js";
import { judge, survivorSentence, type HeapPoint, type Measurements, type ScenarioVerdict } from "../verdict/judge.js";
import type { HeapDiff } from "../heap/model.js";
import { CleanupStack } from "./cleanup.js";
import { measure, settle, type Measurement, type MeasureOptions, type SettleOptions } from "./measure.js";
import { withinDeadline } from "./deadline.js";
import { harnessMemory, type HarnessMemoryPoint } from "./harness-memory.js";
import { Sampler, type PhaseSpan, type Sample } from "./sampler.js";
import { SnapshotSeries } from "./snapshots.js";
import { ProcessSnapshots } from "./process-snapshots.js";
import { runExternalLoad, type ExternalLoadResult } from "../load/external-load.js";
import { combineVerdicts, judgeProcesses, ProcessHeapSeries, type ProcessVerdict } from "./per-process.js";
import { pingForConcurrency, RUN_DEFAULTS, type RunEvent, type RunOptions, type RunPhase } from "./options.js";

export interface ScenarioResult extends ScenarioVerdict {
  name: string;
  source: string;
  sessions: number;
  seed: number;
  target: string;
  settings: { sessions: number; concurrency: number; rounds: number; warmup: number; httpLoad: boolean; durationMs?: number };
  load: {
    started: number;
    finished: number;
    failed: number;
    peakClients: number;
    acks: number;
    errorAcks: number;
    httpRequests: number;
    sessionsPerSecond: number;
    loadMs: number;
    driverCpuMsPerSession: number;
    serverCpuMsPerSession: number | null;
    ackLatencyMs: { p50: number; p95: number; p99: number; max: number };
    failures: { message: string; count: number }[];
  };
  heapPoints: HeapPoint[];
  /** leakcheck's own memory after each round (after a GC of its own in a soak). */
  harnessMemory: HarnessMemoryPoint[];
  /** The memory timeline: a sample every --sample-interval, and every measurement the run took (GC points marked). */
  samples: Sample[];
  /** Phase boundaries, in ms since the scenario started. */
  phases: PhaseSpan[];
  /** Heap snapshots kept in the run folder (paths relative to it), in the order taken. */
  snapshots: { label: string; file: string; bytes: number }[];
  /** What the snapshots say leaked and what holds it (when snapshots were taken and read). */
  heapDiff?: HeapDiff;
  /** The heap-diff report files in the run folder (relative to it). */
  heapDiffFiles?: { markdown: string; html: string };
  settle: { tookMs: number; atBaseline: boolean } | null;
  timings: Partial<Record<RunPhase, number>>;
  notes: string[];
  logFile?: string;
  durationMs: number;
  /** A server of several processes (issue 12): each one's verdict, named `worker N (pid P)`. */
  processes?: ProcessVerdict[];
  /** --load: each round's command, its exit status, duration and output file. */
  externalLoad?: { command: string; rounds: ExternalLoadResult[] };
}

export interface ScenarioRunContext {
  options: RunOptions;
  budget: Budget;
  runDir: string;
  signal: AbortSignal;
  emit: (event: RunEvent) => void;
}

/** Runs one scenario against a fresh server and judges it. Throws RunError/UsageError when it cannot be carried out. */
export async function runScenario(loaded: LoadedScenario, context: ScenarioRunContext): Promise<ScenarioResult> {
  const { options, emit } = context;
  // The scenario's own abort: the run's (Ctrl-C), or the scenario ending for any reason,
  // so no session keeps going against a server that crashed or was stopped.
  const scenarioAbort = new AbortController();
  setMaxListeners(0, scenarioAbort.signal);
  const onRunAbort = () => scenarioAbort.abort(context.signal.reason);
  if (context.signal.aborted) onRunAbort();
  else context.signal.addEventListener("abort", onRunAbort, { once: true });
  const signal = scenarioAbort.signal;
  const scenario = loaded.definition;
  const name = scenario.name;
  const defaults = scenario.defaults ?? {};
  const settings = {
    sessions: options.sessions ?? defaults.sessions ?? 500,
    concurrency: options.concurrency ?? defaults.concurrency ?? 50,
    rounds: options.rounds ?? defaults.rounds ?? 4,
    warmup: options.warmup ?? defaults.warmup ?? 100,
    httpLoad: options.httpLoad ?? defaults.httpLoad ?? false,
  };
  settings.rounds = Math.max(1, Math.min(settings.rounds, settings.sessions));
  const started = Date.now();
  const timings: Partial<Record<RunPhase, number>> = {};
  const notes: string[] = [];
  const cleanup = new CleanupStack();
  const stats = new LoadStats();
  const sampler = new Sampler(stats, started, options.sampleIntervalMs);
  let series: SnapshotSeries | ProcessSnapshots | undefined;
  let phaseStart = Date.now();
  let currentPhase: RunPhase = "start";
  const enter = (phase: RunPhase, detail?: string) => {
    timings[currentPhase] = (timings[currentPhase] ?? 0) + (Date.now() - phaseStart);
    currentPhase = phase;
    phaseStart = Date.now();
    sampler.enterPhase(phase, detail);
    emit({ type: "phase", scenario: name, phase, detail });
  };

  try {
    sampler.enterPhase("start");
    emit({ type: "phase", scenario: name, phase: "start" });
    const spec: TargetSpec =
      options.target.kind === "bundled"
        ? {
            kind: "bundled",
            leak: options.target.leak,
            resumeGraceMs: defaults.resumeGraceMs ?? RUN_DEFAULTS.resumeGraceMs,
            pingIntervalMs: pingForConcurrency(settings.concurrency),
            pingTimeoutMs: pingForConcurrency(settings.concurrency),
          }
        : options.target;
    // One server.log per run folder, a section per scenario (the servers run one after another).
    const logFile = path.join(context.runDir, "server.log");
    await fs.appendFile(logFile, `==> leakcheck: ${name} · ${new Date().toISOString()}\n`, { mode: 0o600 });
    const target = await abortable(
      startTarget(spec, {
        readyPath: options.metricsPath,
        readyTimeoutMs: options.readyTimeoutMs,
        logPath: logFile,
        port: options.port,
        cleanup,
      }),
      signal,
    );
    if (!target.probe && target.kind !== "url") {
      notes.push("the probe did not answer from the server process: heap and handle checks are unavailable");
    }
    if (target.kind === "url" && !target.probe) notes.push("attached with --url: heap after GC and handle counts are unavailable; gauges judged");
    if ((target.processes?.length ?? 0) > 1) {
      notes.push(
        `${target.processes!.length} server processes (${target.processes!.map((each) => each.label).join(", ")}): each judged on its own; gauges read from each process's own metrics endpoint through its probe`,
      );
    }

    const first = await fetchMetrics(target.baseUrl, options.metricsPath, options.probeTimeoutMs);
    const gaugeNames = selectGauges(first, options.gauges, new URL(options.metricsPath, target.baseUrl).href);
    const measureOptions: MeasureOptions = { metricsPath: options.metricsPath, gauges: gaugeNames, timeoutMs: options.probeTimeoutMs };
    // A crash, or a server alive but answering nothing, ends the scenario through its abort
    // signal: every wait below is abortable, and nothing holds a reaction per wait on a
    // promise that stays pending all run (a soak waits thousands of times).
    target.crashed.catch((error: unknown) => scenarioAbort.abort(error));
    sampler.onHung((waitedMs) =>
      scenarioAbort.abort(
        new RunError(
          `the server stopped answering: GET ${new URL(options.metricsPath, target.baseUrl).href} had no reply within ${formatDuration(waitedMs)} (hung or overloaded): raise --probe-timeout if it is only slow`,
        ),
      ),
    );
    const guard = <T>(work: Promise<T>) =>
      abortable(work, signal).catch(async (error: unknown) => {
        if (signal.aborted) throw signal.reason;
        // The probe connection closing, a refused request: better told as how the server died.
        throw (await target.crashError(2000)) ?? error;
      });
    sampler.start(target, measureOptions);
    cleanup.push("sampler", () => sampler.stop());
    const several = (target.processes?.length ?? 0) > 1;
    const snapshots = several
      ? new ProcessSnapshots(target, target.processes!, context.runDir, name, options.snapshots, options.probeTimeoutMs)
      : new SnapshotSeries(target, context.runDir, name, target.probe ? options.snapshots : "never", options.probeTimeoutMs);
    series = snapshots;
    // Guarded outside, so an interruption never waits for a timeline sample in flight; and
    // inside, so no snapshot is started after it.
    /** A measurement after a full GC (when the probe can), recorded as a GC point of the timeline; a heap snapshot when wanted. */
    const gcPoint = (label: string, sessions: number, snapshot: boolean) =>
      guard(
        sampler.exclusive(async () => {
          const point = await guard(measure(target, measureOptions, Boolean(target.probe)));
          sampler.record(point, label);
          if (snapshot) await guard(snapshots.take(label, sessions).then(() => undefined));
          return point;
        }),
      );
    const settleTo = (reference: Measurement, settleOptions: Omit<SettleOptions, "onMeasure">) =>
      guard(sampler.exclusive(() => settle(target, reference, measureOptions, { ...settleOptions, onMeasure: (now) => sampler.record(now) })));

    let proxy: Promise<FaultProxy> | undefined;
    const host = new URL(target.baseUrl).hostname;
    const pool: PoolOptions = {
      host,
      port: target.port,
      socketIoPath: options.socketIoPath,
      seed: options.seed,
      concurrency: settings.concurrency,
      sessionTimeoutMs: options.sessionTimeoutMs,
      connectTimeoutMs: RUN_DEFAULTS.connectTimeoutMs,
      ackTimeoutMs: RUN_DEFAULTS.ackTimeoutMs,
      stats,
      signal,
      proxy: () => {
        proxy ??= FaultProxy.start(host, target.port).then((started) => {
          cleanup.push("fault proxy", () => started.close());
          return started;
        });
        return proxy;
      },
    };

    // Silently cut connections are the server's to time out: wait for the proxy to close them first.
    const proxyDrained = async (timeoutMs: number) => (proxy ? (await proxy).drained(timeoutMs) : undefined);

    const progress = (round: number, total: number, base: number) =>
      setInterval(() => {
        emit({
          type: "progress",
          scenario: name,
          round,
          // 0: a soak, with as many rounds as fit in --duration
          rounds: options.durationMs !== undefined ? 0 : settings.rounds,
          done: stats.sessionsDone - base,
          total,
          clients: stats.clientsConnected,
          failed: stats.sessionsFailed,
        });
      }, 250);

    // --load: the round's sessions are the command's to run; leakcheck keeps the phases.
    const externalRounds: ExternalLoadResult[] = [];
    const external = async (round: number, sessions: number) => {
      const result = await runExternalLoad({
        command: options.load!,
        url: target.baseUrl,
        sessions,
        round,
        runDir: context.runDir,
        scenario: name,
        timeoutMs: options.roundTimeoutMs,
        signal,
      });
      externalRounds.push(result);
    };
    const processHeaps = new ProcessHeapSeries();

    // Warm-up: one-time allocations (compiled code, pools, caches) happen before the baseline.
    enter("warm-up", `${settings.warmup} sessions`);
    if (settings.warmup > 0) {
      const ticker = progress(0, settings.warmup, 0);
      try {
        await guard(options.load ? external(0, settings.warmup) : runSessions(scenario, 0, 0, settings.warmup, pool));
      } finally {
        clearInterval(ticker);
      }
    }
    const warmupFailed = stats.sessionsFailed;
    // Between rounds: long enough a quiet window to outlast a resume grace and a proxy's give-up timer.
    const quick = { timeoutMs: 6000, quietMs: 2000, intervalMs: 100, signal };
    const zero = await guard(sampler.exclusive(() => measure(target, measureOptions, false)));
    zero.gauges = Object.fromEntries(gaugeNames.map((gauge) => [gauge, 0]));
    await guard(proxyDrained(quick.timeoutMs * 4));
    await settleTo(zero, quick);

    enter("baseline");
    const baseline = await gcPoint("baseline", 0, snapshots.mode !== "never");
    const heapPoints: HeapPoint[] = [];
    if (target.probe && baseline.heapUsed !== undefined) heapPoints.push({ round: 0, sessions: 0, heapUsed: baseline.heapUsed });
    processHeaps.add(0, 0, baseline);

    // A soak runs rounds of the usual size until its time is up; the total is known at the end.
    const soakEndsAt = options.durationMs !== undefined ? Date.now() + options.durationMs : undefined;
    const soakRoundSize = Math.max(1, Math.ceil(settings.sessions / settings.rounds));
    const moreRounds = (round: number) => (soakEndsAt === undefined ? round <= settings.rounds : round === 1 || Date.now() < soakEndsAt);
    const harness: HarnessMemoryPoint[] = [];
    enter(
      "rounds",
      soakEndsAt === undefined
        ? `${settings.sessions} sessions in ${settings.rounds} rounds`
        : `soak for ${formatDuration(options.durationMs!)} in rounds of ${soakRoundSize} sessions`,
    );
    // HTTP load runs while each round's sessions run, and stops before the round's
    // measurement: its connections would otherwise count as sockets above the baseline.
    const httpPaths = [options.metricsPath, ...(options.target.kind === "bundled" ? ["/api/health", "/api/results/recent"] : [])];
    const withHttpLoad = async <T>(work: Promise<T>): Promise<T> => {
      if (!settings.httpLoad) return work;
      const load = startHttpLoad(target.baseUrl, httpPaths, stats);
      const stopLoad = cleanup.push("http load", () => load.stop());
      try {
        return await work;
      } finally {
        await stopLoad();
      }
    };
    const loadStarted = Date.now();
    const loadCpu = process.cpuUsage();
    let done = 0;
    let drivingMs = 0; // time with sessions in flight, without the measurements between rounds
    let lastRound: Measurement = baseline;
    let round = 1;
    for (; moreRounds(round); round++) {
      const count = soakEndsAt === undefined ? Math.floor((settings.sessions * round) / settings.rounds) - done : soakRoundSize;
      const ticker = progress(round, soakEndsAt === undefined ? settings.sessions : done + count, settings.warmup);
      const doneBefore = stats.sessionsDone;
      try {
        const roundStarted = Date.now();
        const driven = options.load ? external(round, count) : runSessions(scenario, round, settings.warmup + done, count, pool);
        const sessions = withinDeadline(driven, options.roundTimeoutMs, () => {
          const finished = stats.sessionsDone - doneBefore;
          return new RunError(
            `round ${round} of ${name} did not finish within ${formatDuration(options.roundTimeoutMs)} (${finished} of ${count} sessions done): raise --round-timeout, or lower --sessions`,
          );
        });
        await guard(withHttpLoad(sessions));
        drivingMs += Date.now() - roundStarted;
      } finally {
        clearInterval(ticker);
      }
      done += count;
      if (target.probe) {
        await guard(proxyDrained(quick.timeoutMs * 4));
        await settleTo(baseline, quick);
        // A soak takes no snapshot per round: there is no telling how many rounds it will have.
        const point = await gcPoint(`round ${round}`, done, snapshots.mode === "always" && soakEndsAt === undefined);
        lastRound = point;
        if (point.heapUsed !== undefined) heapPoints.push({ round, sessions: done, heapUsed: point.heapUsed });
        processHeaps.add(round, done, point);
      }
      harness.push(harnessMemory(round, done, soakEndsAt !== undefined));
      // A soak of many short rounds: both series keep their shape at a bounded length.
      thinRounds(heapPoints);
      thinRounds(harness);
    }
    if (soakEndsAt !== undefined) {
      settings.rounds = round - 1;
      settings.sessions = done;
      notes.push(soakNote(harness, Date.now() - loadStarted));
    }
    if (options.load) notes.push(externalLoadNote(options.load, externalRounds));
    const loadMs = Date.now() - loadStarted;
    const cpu = process.cpuUsage(loadCpu);
    const serverCpuMs =
      lastRound.serverCpuMs !== undefined && baseline.serverCpuMs !== undefined ? lastRound.serverCpuMs - baseline.serverCpuMs : undefined;

    enter("settle");
    await guard(proxyDrained(options.settleTimeoutMs));
    const settled = await settleTo(baseline, {
      timeoutMs: options.settleTimeoutMs,
      quietMs: Math.min(3000, options.settleTimeoutMs),
      intervalMs: 200,
      signal,
    });

    enter("final");
    const final = await gcPoint("final", settings.sessions, snapshots.mode !== "never");

    const measurements: Measurements = {
      name,
      sessionLabel: scenario.sessionLabel ?? "sessions",
      sessions: settings.sessions,
      gauges: Object.fromEntries(gaugeNames.map((gauge) => [gauge, { baseline: baseline.gauges[gauge], final: final.gauges[gauge] }])),
      handles:
        baseline.timers !== undefined && final.timers !== undefined
          ? {
              timers: { baseline: baseline.timers, final: final.timers },
              sockets: { baseline: baseline.sockets ?? 0, final: final.sockets ?? 0 },
            }
          : undefined,
      heap:
        target.probe && baseline.heapUsed !== undefined && final.heapUsed !== undefined
          ? { points: heapPoints, baseline: baseline.heapUsed, final: final.heapUsed }
          : undefined,
      failedSessions: stats.sessionsFailed - warmupFailed,
      failureSummary: stats.failureSummary(),
    };

    enter("stop");
    await sampler.stop();
    // The server goes first: the snapshots are files now, and the analysis wants the CPU.
    notes.push(...(await cleanup.drain()).map((failure) => `cleanup: ${failure}`));

    // A series (baseline, rounds, final) judges survivors; a baseline/final pair (on-fail) only explains a failure.
    let heapDiff: HeapDiff | undefined;
    // Several processes: the one whose heap grew most is read (snapshots always), or the first that failed (on-fail).
    const focus = (snapshots instanceof ProcessSnapshots ? snapshots : undefined);
    const focusTaken = () => (focus ? focus.focusTaken : snapshots.taken);
    if (focus) {
      const growth = (pid: number) =>
        (final.processes?.find((each) => each.pid === pid)?.heapUsed ?? 0) - (baseline.processes?.find((each) => each.pid === pid)?.heapUsed ?? 0);
      focus.focus = [...(target.processes ?? [])].filter((each) => each.serves).sort((a, b) => growth(b.pid) - growth(a.pid))[0];
    }
    const readSnapshots = async () => {
      enter("heap-diff", `${focusTaken().length} snapshots${focus?.focus ? ` of ${focus.focus.label}` : ""}`);
      if (focus?.focus) notes.push(`heap snapshots read: ${focus.focus.label}'s`);
      try {
        return await abortable(snapshots.analyze({ ...context.budget.survivors, bytesPerSession: context.budget.heap.perSessionBytes }, signal), signal);
      } catch (error) {
        if (signal.aborted) throw error;
        notes.push(`the heap snapshots could not be analysed: ${oneLine(error)}`);
        return undefined;
      }
    };
    if (snapshots.mode === "always" && focusTaken().length >= 2) {
      heapDiff = await readSnapshots();
      // One process's survivors judge the whole only when it is the whole.
      if (heapDiff && focusTaken().length >= 3 && !focus) measurements.survivors = heapDiff.survivors.groups;
    }
    const processVerdicts = judgeProcesses(measurements, baseline, final, processHeaps, context.budget);
    const verdict = combineVerdicts(judge(measurements, context.budget), processVerdicts);
    if (focus) {
      const failing = processVerdicts.find((each) => each.verdict === "fail");
      const chosen = failing && target.processes?.find((each) => each.pid === failing.pid && each.serves);
      if (chosen && snapshots.mode === "on-fail") focus.focus = chosen;
    }
    if (!heapDiff && snapshots.mode === "on-fail" && verdict.verdict === "fail" && focusTaken().length >= 2) {
      heapDiff = await readSnapshots();
      const top = heapDiff?.survivors.groups[0];
      if (top) verdict.reasons.push(`${focus?.focus ? `${focus.focus.label}: ` : ""}largest survivors: ${survivorSentence(top)}`);
    }
    await snapshots.discardUnkept();
    const heapDiffFiles = heapDiff ? await writeHeapDiffReport(context.runDir, `${name}.heap-diff`, heapDiff, name) : undefined;
    timings[currentPhase] = (timings[currentPhase] ?? 0) + (Date.now() - phaseStart);
    // A few slow samples under full load are expected; many mean the timeline has gaps worth knowing of.
    if (sampler.missed > sampler.samples.length / 10) {
      notes.push(`${sampler.missed} timeline samples could not be taken (the server answered too slowly): the timeline has gaps`);
    }
    return {
      name,
      source: loaded.source,
      sessions: settings.sessions,
      seed: options.seed,
      target: target.description,
      settings: soakEndsAt === undefined ? settings : { ...settings, durationMs: options.durationMs },
      ...verdict,
      load: {
        started: stats.sessionsStarted,
        finished: stats.sessionsFinished,
        failed: stats.sessionsFailed,
        peakClients: stats.peakClients,
        acks: stats.acks,
        errorAcks: stats.errorAcks,
        httpRequests: stats.httpRequests,
        sessionsPerSecond: Math.round((settings.sessions / Math.max(1, drivingMs)) * 1000),
        loadMs,
        // Both sides over the rounds (the server's includes the GC leakcheck forces after each round).
        driverCpuMsPerSession: round2((cpu.user + cpu.system) / 1000 / Math.max(1, settings.sessions)),
        serverCpuMsPerSession: serverCpuMs === undefined ? null : round2(serverCpuMs / Math.max(1, settings.sessions)),
        ackLatencyMs: {
          p50: round2(stats.latency.percentile(50)),
          p95: round2(stats.latency.percentile(95)),
          p99: round2(stats.latency.percentile(99)),
          max: round2(stats.latency.max),
        },
        failures: stats.failureSummary(),
      },
      heapPoints,
      harnessMemory: harness,
      samples: sampler.samples,
      phases: sampler.phases,
      snapshots: snapshots.taken.map((snapshot) => ({
        label: snapshot.label,
        file: path.relative(context.runDir, snapshot.file),
        bytes: snapshot.bytes,
      })),
      ...(heapDiff ? { heapDiff, heapDiffFiles } : {}),
      ...(processVerdicts.length > 0 ? { processes: processVerdicts } : {}),
      ...(options.load ? { externalLoad: { command: options.load, rounds: externalRounds } } : {}),
      settle: { tookMs: settled.tookMs, atBaseline: settled.atBaseline },
      timings: { ...timings, rounds: timings.rounds },
      notes,
      logFile: path.relative(process.cwd(), logFile),
      durationMs: Date.now() - started,
    };
  } finally {
    context.signal.removeEventListener("abort", onRunAbort);
    if (!signal.aborted) scenarioAbort.abort(new Error("the scenario ended"));
    const failures = await cleanup.drain();
    // Snapshots nobody will read (on-fail and passing, or the run stopped) go; a half-written one always.
    await series?.discardUnkept().catch((error) => failures.push(`heap snapshots: ${oneLine(error)}`));
    for (const failure of failures) process.stderr.write(`leakcheck: cleanup: ${failure}\n`);
  }
}

/** What --load did, for every report: how often the command ran, how it exited, how long it took. */
function externalLoadNote(command: string, rounds: ExternalLoadResult[]): string {
  const warmup = rounds.some((each) => each.round === 0);
  const counted = rounds.filter((each) => each.round > 0).length;
  const runs = `${rounds.length} run${rounds.length === 1 ? "" : "s"}`;
  const which = `${warmup ? "warm-up and " : ""}${counted} round${counted === 1 ? "" : "s"}`;
  const took = rounds.map((each) => formatDuration(each.durationMs)).join(", ");
  return `--load: ${runs} of \`${command}\` (${which}), each exit 0, taking ${took}; output in load/`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Past MAX_ROUND_POINTS, every other point goes (the first and the newest stay): constant memory, same trend. */
const MAX_ROUND_POINTS = 1000;
function thinRounds<T>(points: T[]): void {
  if (points.length <= MAX_ROUND_POINTS) return;
  const last = points.length - 1;
  const kept = points.filter((_, index) => index % 2 === 0 || index === last);
  points.splice(0, points.length, ...kept);
}

/** What a soak shows of leakcheck itself: its heap after GC and RSS from the first round to the last. */
function soakNote(points: HarnessMemoryPoint[], ms: number): string {
  const first = points[0];
  const last = points.at(-1)!;
  const peakRss = points.reduce((peak, point) => Math.max(peak, point.rssBytes), 0);
  return (
    `soak: ${last.round} rounds, ${last.sessions.toLocaleString("en-US")} sessions in ${formatDuration(ms)}; ` +
    `leakcheck's own heap after GC ${formatBytes(first.heapUsedBytes)} → ${formatBytes(last.heapUsedBytes)}, ` +
    `RSS ${formatBytes(first.rssBytes)} → ${formatBytes(last.rssBytes)} (peak ${formatBytes(peakRss)})`
  );
}

/** Rejects as soon as the run is interrupted, whatever `work` is waiting for. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (error) => (signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}

