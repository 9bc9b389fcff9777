// One scenario, phase by phase: start the server → warm up → baseline → rounds → settle →
// final → verdict; the server and everything else stopped at the end, always. This file
// only sequences: phase timing (phase-clock.ts), the measurer (measurer.ts), the load
// (load-driver.ts), the round plan (round-plan.ts) and the result (scenario-result.ts).

import { setMaxListeners } from "node:events";
import fs from "node:fs/promises";
import path from "node:path";
import { oneLine } from "../errors.js";
import { failFastError } from "../load/fail-fast.js";
import { LoadStats } from "../load/stats.js";
import type { RunEvent } from "../report-schema/events.js";
import type { HeapPoint, ScenarioResult } from "../report-schema/scenario.js";
import type { LoadedScenario } from "../scenario/loader.js";
import { fetchMetrics, selectGauges } from "../server-under-test/metrics.js";
import { readinessOf } from "../server-under-test/readiness.js";
import { startTarget, type TargetSpec } from "../server-under-test/target.js";
import { checkBudgetGauges, type Budget } from "../verdict/budget.js";
import { abortable } from "./abortable.js";
import { CleanupStack } from "./cleanup.js";
import { soakNote } from "./harness-memory.js";
import { loadCounts, loadDriver } from "./load-driver.js";
import { runSetup } from "./setup-hooks.js";
import { judgeWithSnapshots } from "./judging.js";
import { Measurer } from "./measurer.js";
import { pingForConcurrency, RUN_DEFAULTS, type RunOptions } from "./options.js";
import { PhaseClock } from "./phase-clock.js";
import { Sampler } from "./sampler.js";
import { fixedPlan, soakPlan, type RoundPlan } from "./round-plan.js";
import { BETWEEN_ROUNDS, runRounds } from "./rounds.js";
import { adaptRounds } from "./adaptive-rounds.js";
import type { HeapDiff } from "../heap/model.js";
import type { HeapReading } from "../verdict/heap-trend.js";
import { buildScenarioResult, measurementsFor } from "./scenario-result.js";
import { externalDriver, externalLoadNote, type ExternalDriver } from "./external-driver.js";
import { judgeSeveral, type ProcessVerdict } from "./per-process.js";
import { ProcessSnapshots } from "./process-snapshots.js";

export type { ScenarioResult } from "../report-schema/scenario.js";

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
  const roundsAsked = settings.rounds;
  settings.rounds = Math.max(1, Math.min(settings.rounds, settings.sessions));
  const started = Date.now();
  const notes: string[] = [];
  // Said, not silent: --rounds 10 --sessions 5 runs 5 rounds.
  if (settings.rounds < roundsAsked) notes.push(`rounds lowered to ${settings.rounds}: one session per round at least`);
  const cleanup = new CleanupStack();
  const stats = new LoadStats();
  const sampler = new Sampler(stats, started, options.sampleIntervalMs);
  const clock = new PhaseClock(name, sampler, emit);
  let measurer: Measurer | undefined;
  let completed = false;

  try {
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
    // Attached with --url, the server's output is not leakcheck's: no log, and no pointer to one.
    const logFile = path.join(context.runDir, "server.log");
    const attached = spec.kind === "url";
    if (!attached) await fs.appendFile(logFile, `==> leakcheck: ${name} · ${new Date().toISOString()}\n`, { mode: 0o600 });
    const target = await abortable(
      startTarget(spec, {
        readiness: readinessOf(options),
        readyTimeoutMs: options.readyTimeoutMs,
        logPath: logFile,
        port: options.port,
        trackHeapObjects: options.allocationSites,
        cleanup,
      }),
      signal,
    );
    if (!target.probe && target.kind !== "url") {
      notes.push("the probe did not answer from the server process: heap and handle checks are unavailable");
    }
    if (target.kind === "url" && !target.probe) notes.push("attached with --url: heap after GC and handle counts are unavailable; gauges judged");
    const several = (target.processes?.length ?? 0) > 1;
    if (several) {
      notes.push(
        `${target.processes!.length} server processes (${target.processes!.map((each) => each.label).join(", ")}): each judged on its own, its gauges read inside it through its probe`,
      );
    }
    if (!target.hasMetrics) notes.push(`no metrics endpoint at ${options.metricsPath}: gauges are Socket.IO's counts and leakcheck/gauges, read by the probe (--metrics-path names an endpoint elsewhere)`);

    const first = await fetchMetrics(target, options.metricsPath, options.probeTimeoutMs);
    const gaugeNames = selectGauges(first, options.gauges, new URL(options.metricsPath, target.baseUrl).href);
    checkBudgetGauges(context.budget, Object.keys(first.gauges));
    const m = new Measurer({
      target,
      measure: { metricsPath: options.metricsPath, gauges: gaugeNames, timeoutMs: options.probeTimeoutMs },
      sampler,
      runDir: context.runDir,
      scenario: name,
      snapshots: options.snapshots,
      probeTimeoutMs: options.probeTimeoutMs,
      abort: scenarioAbort,
      cleanup,
    });
    measurer = m;
    m.start();
    const setup = await m.guard(runSetup(scenario, target.baseUrl, settings, options.seed, signal, cleanup));
    // --load: each round's load is the user's command; leakcheck keeps the phases.
    const external: ExternalDriver | undefined = options.load
      ? externalDriver(options.load, target, { runDir: context.runDir, scenario: name, roundTimeoutMs: options.roundTimeoutMs, signal })
      : undefined;
    const load = external ?? loadDriver(scenario, target, options, settings.concurrency, setup, stats, signal, cleanup);
    const progress = (round: number, rounds: number, total: number, base: number, extra?: boolean) =>
      setInterval(() => {
        emit({
          type: "progress",
          scenario: name,
          round,
          rounds,
          ...(extra ? { extra } : {}),
          done: stats.sessionsDone - base,
          total,
          clients: stats.clientsConnected,
          failed: stats.sessionsFailed,
        });
      }, 250);

    // Warm-up: one-time allocations (compiled code, pools, caches) happen before the baseline.
    clock.enter("warm-up", `${settings.warmup} sessions`);
    if (settings.warmup > 0) {
      const ticker = progress(0, options.durationMs !== undefined ? 0 : settings.rounds, settings.warmup, 0);
      try {
        await m.guard(load.run(0, 0, settings.warmup));
      } finally {
        clearInterval(ticker);
      }
    }
    const warmupFailed = stats.sessionsFailed;
    // Every warm-up session failed: the rounds would too (fail fast, however small the warm-up).
    const warmupFailedWhole = settings.warmup > 0 && !signal.aborted ? failFastError(stats, name, settings.warmup) : undefined;
    if (warmupFailedWhole) throw warmupFailedWhole;
    // Idle means gauges at 0 and no timers or sockets, or else nothing changing for a while:
    // work the server deferred after the warm-up (a lookup, a debounce) must have run out
    // before the baseline, or its pending timers inflate it and hide a leak of timers.
    const zero = await m.quiet();
    zero.gauges = Object.fromEntries(gaugeNames.map((gauge) => [gauge, 0]));
    if (zero.timers !== undefined) zero.timers = 0;
    if (zero.sockets !== undefined) zero.sockets = 0;
    await m.guard(load.proxyDrained(BETWEEN_ROUNDS.timeoutMs * 4));
    await m.settleTo(zero, BETWEEN_ROUNDS);

    clock.enter("baseline");
    // --allocation-sites: stacks recorded for everything allocated from here on (issue 11).
    if (options.allocationSites && target.probe) await m.guard(target.probe.trackAllocations(options.probeTimeoutMs));
    const baseline = await m.gcPoint("baseline", 0, m.snapshots.mode !== "never");
    const heapPoints: HeapPoint[] = [];
    if (target.probe && baseline.heapUsed !== undefined) heapPoints.push({ round: 0, sessions: 0, heapUsed: baseline.heapUsed });

    // A soak runs rounds of the usual size until its time is up; the total is known at the end.
    const plan: RoundPlan =
      options.durationMs === undefined ? fixedPlan(settings.sessions, settings.rounds) : soakPlan(settings.sessions, settings.rounds, options.durationMs);
    // Several GC readings per round (not in a soak): the heap interval is drawn from their means.
    const readings: HeapReading[] | undefined = plan.kind === "soak" ? undefined : [];
    if (readings) await m.readHeap(readings, 0, 0, baseline);
    clock.enter("rounds", plan.detail);
    const roundsInput = { m, load, target, stats, settings, options, name, cleanup, baseline, heapPoints, readings, progress };
    const rounds = await runRounds({ ...roundsInput, plan });
    if (plan.kind === "soak") {
      settings.rounds = plan.ran.rounds;
      settings.sessions = plan.ran.sessions;
      notes.push(soakNote(rounds.harness, rounds.loadMs));
    }
    // The check, and more rounds while the heap interval straddles the budget or heap and
    // survivors disagree, up to --max-sessions/--max-duration (issue 11).
    let checked: HeapDiff | undefined;
    if (readings && target.probe) {
      const adapted = await adaptRounds({
        m,
        readings,
        budget: context.budget,
        ran: { ...plan.ran },
        roundSize: Math.max(1, Math.ceil(settings.sessions / settings.rounds)),
        limits: { maxSessions: options.maxSessions ?? settings.sessions * 2, maxDurationMs: options.maxDurationMs },
        baseline,
        last: rounds.last,
        signal,
        notes,
        onReading: (reading) => (reading ? clock.enter("heap-diff", `${m.snapshots.taken.length} snapshots`) : clock.enter("rounds")),
        runMore: async (more) => {
          const extra = await runRounds({ ...roundsInput, plan: more });
          rounds.harness.push(...extra.harness);
          rounds.last = extra.last;
          rounds.drivingMs += extra.drivingMs;
          rounds.loadMs += extra.loadMs;
          rounds.driverCpuMs += extra.driverCpuMs;
        },
      });
      checked = adapted.checked;
      settings.rounds = adapted.ran.rounds;
      settings.sessions = adapted.ran.sessions;
    }

    clock.enter("settle");
    await m.guard(load.proxyDrained(options.settleTimeoutMs));
    const settled = await m.settleTo(baseline, { timeoutMs: options.settleTimeoutMs, quietMs: Math.min(3000, options.settleTimeoutMs), intervalMs: 200 });

    clock.enter("final");
    // on-fail: the check's snapshot after the last round stands for the final one; a soak
    // (no check: there is no telling how many rounds) keeps its baseline/final pair.
    const final = await m.gcPoint("final", settings.sessions, m.snapshots.mode === "always" || (m.snapshots.mode === "on-fail" && !checked));
    const measurements = measurementsFor({
      name,
      sessionLabel: scenario.sessionLabel ?? "sessions",
      sessions: settings.sessions,
      gauges: gaugeNames,
      baseline,
      final,
      probe: Boolean(target.probe),
      heapPoints,
      readings,
      failedSessions: stats.sessionsFailed - warmupFailed,
      failureSummary: stats.failureSummary(),
    });

    clock.enter("stop");
    await m.stop();
    // The server goes first: the snapshots are files now, and the analysis wants the CPU.
    // Its failures are the result's notes; the stack is not drained again below.
    notes.push(...(await cleanup.drain()).map((failure) => `cleanup: ${failure}`));

    const snapshots = m.snapshots;
    const judging = {
      signal,
      onReading: () => clock.enter("heap-diff", `${snapshots instanceof ProcessSnapshots ? snapshots.focusTaken.length : snapshots.taken.length} snapshots`),
      notes,
      checked,
      allocationSites: options.allocationSites,
    };
    // Several processes: each judged on its own (per-process.ts); one process: as always.
    let processes: ProcessVerdict[] | undefined;
    const { verdict, heapDiff } =
      snapshots instanceof ProcessSnapshots
        ? await judgeSeveral(measurements, baseline, final, m.processHeaps, context.budget, snapshots, target.processes ?? [], judging).then((judged) => {
            processes = judged.processes;
            return judged;
          })
        : await judgeWithSnapshots(measurements, context.budget, snapshots, judging);
    if (external) notes.push(externalLoadNote(options.load!, external.results));
    // A pass needs no snapshots to read later, unless the user asked to keep them (--snapshots always).
    await snapshots.discardUnkept(verdict.verdict === "pass" && !options.keepPassingSnapshots);
    const timings = clock.read();
    // A few slow samples under full load are expected; many mean the timeline has gaps worth knowing of.
    if (m.sampler.missed > m.sampler.samples.length / 10) {
      notes.push(`${m.sampler.missed} timeline samples could not be taken (the server answered too slowly): the timeline has gaps`);
    }
    const result = buildScenarioResult({
      name,
      source: loaded.source,
      seed: options.seed,
      target: target.description,
      settings: plan.kind === "soak" ? { ...settings, durationMs: options.durationMs } : settings,
      verdict,
      load: loadCounts(stats, warmupFailed),
      drivingMs: rounds.drivingMs,
      loadMs: rounds.loadMs,
      driverCpuMs: rounds.driverCpuMs,
      serverCpuMs:
        rounds.last.serverCpuMs !== undefined && baseline.serverCpuMs !== undefined ? rounds.last.serverCpuMs - baseline.serverCpuMs : undefined,
      heapPoints,
      harnessMemory: rounds.harness,
      samples: m.sampler.samples,
      phases: m.sampler.phases,
      runDir: context.runDir,
      snapshots: snapshots.taken,
      heapDiff,
      settle: settled,
      timings,
      notes,
      logFile: attached ? undefined : path.relative(process.cwd(), logFile),
      durationMs: Date.now() - started,
      ...(processes ? { processes } : {}),
      ...(external ? { externalLoad: { command: options.load!, rounds: external.results } } : {}),
    });
    completed = true;
    return result;
  } finally {
    context.signal.removeEventListener("abort", onRunAbort);
    if (!signal.aborted) scenarioAbort.abort(new Error("the scenario ended"));
    // Drained here only when the scenario did not get to its stop phase (an error, an interruption).
    const failures = cleanup.drained ? [] : await cleanup.drain();
    // Snapshots nobody will read (the run stopped) go; a half-written one always.
    if (!completed) await measurer?.snapshots.discardUnkept().catch((error) => failures.push(`heap snapshots: ${oneLine(error)}`));
    for (const failure of failures) process.stderr.write(`leakcheck: cleanup: ${failure}\n`);
  }
}
