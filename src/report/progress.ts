// Progress on stderr while a run goes, so stdout stays for the results and --json.
// On a terminal: a live block redrawn in place by log-update (it wraps, clips to the
// window and erases exactly what it drew). In CI logs and pipes (not a TTY, or CI set):
// plain lines, a phase per line and a progress line every few seconds. --quiet: nothing.

import type { ChalkInstance } from "chalk";
import { createLogUpdate } from "log-update";
import { formatDuration } from "../duration.js";
import type { RunEvent } from "../report-schema/events.js";
import type { RunPhase } from "../report-schema/scenario.js";
import { chalkFor } from "./color.js";

export interface ProgressRenderer {
  onEvent(event: RunEvent): void;
  /** Clears the live block before anything else is printed. */
  clear(): void;
}

/** How often a plain-lines progress line is printed while sessions run. */
export const PLAIN_PROGRESS_EVERY_MS = 10_000;
const BAR_WIDTH = 24;

type ProgressEvent = Extract<RunEvent, { type: "progress" }>;

interface ScenarioState {
  name: string;
  index: number;
  total: number;
  startedAt: number;
  phase: RunPhase | "start";
  detail?: string;
  progress?: ProgressEvent;
}

/** A renderer for `stream`: live on a terminal, plain lines otherwise, silent when quiet. */
export function createProgress(stream: NodeJS.WriteStream, quiet: boolean, env: NodeJS.ProcessEnv = process.env): ProgressRenderer {
  if (quiet) return { onEvent: () => undefined, clear: () => undefined };
  const chalk = chalkFor(stream, env);
  const live = Boolean(stream.isTTY) && !env.CI && env.TERM !== "dumb";
  return live ? liveProgress(stream, chalk) : plainProgress(stream, chalk);
}

function liveProgress(stream: NodeJS.WriteStream, chalk: ChalkInstance): ProgressRenderer {
  // showCursor: leave the cursor alone, so an interrupted run never leaves it hidden.
  const frame = createLogUpdate(stream, { showCursor: true });
  let state: ScenarioState | undefined;
  const draw = () => {
    if (state) frame(liveLines(state, chalk));
  };
  return {
    clear: () => frame.clear(),
    onEvent(event) {
      if (event.type === "scenario-start") {
        frame.clear();
        stream.write(`${scenarioHeading(event, chalk)}\n`);
        state = { name: event.scenario, index: event.index, total: event.total, startedAt: Date.now(), phase: "start" };
      } else if (event.type === "phase" && state) {
        state.phase = event.phase;
        state.detail = event.detail;
        state.progress = undefined;
      } else if (event.type === "progress" && state) {
        state.progress = event;
      } else if (event.type === "scenario-end") {
        frame.clear();
        stream.write(`${doneLine(event, chalk)}\n`);
        state = undefined;
        return;
      }
      draw();
    },
  };
}

function liveLines(state: ScenarioState, chalk: ChalkInstance): string {
  const elapsed = chalk.dim(formatDuration(Date.now() - state.startedAt));
  const where = `${chalk.cyan(`[${state.index + 1}/${state.total}] ${state.name}`)} ${chalk.bold(phaseLabel(state))}`;
  const progress = state.progress;
  if (!progress) return `${where}${state.detail ? chalk.dim(` · ${state.detail}`) : ""} · ${elapsed}`;
  const share = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `${chalk.green("█".repeat(filled))}${chalk.dim("░".repeat(BAR_WIDTH - filled))}`;
  const failed = progress.failed > 0 ? chalk.red(`${count(progress.failed)} failed`) : `${count(progress.failed)} failed`;
  return `${where} ${bar} ${count(progress.done)}/${count(progress.total)} sessions · ${count(progress.clients)} clients · ${failed} · ${elapsed}`;
}

function plainProgress(stream: NodeJS.WriteStream, chalk: ChalkInstance): ProgressRenderer {
  let state: ScenarioState | undefined;
  let lastLineAt = 0;
  return {
    clear: () => undefined,
    onEvent(event) {
      if (event.type === "scenario-start") {
        state = { name: event.scenario, index: event.index, total: event.total, startedAt: Date.now(), phase: "start" };
        stream.write(`${scenarioHeading(event, chalk)}\n`);
      } else if (event.type === "phase") {
        if (state) state.phase = event.phase;
        lastLineAt = Date.now();
        stream.write(chalk.dim(`  ${event.phase}${event.detail ? `: ${event.detail}` : ""}\n`));
      } else if (event.type === "progress") {
        if (Date.now() - lastLineAt < PLAIN_PROGRESS_EVERY_MS) return;
        lastLineAt = Date.now();
        const label = event.round === 0 ? "warm-up" : roundLabel(event);
        stream.write(
          chalk.dim(`  ${label}: ${count(event.done)}/${count(event.total)} sessions · ${count(event.clients)} clients · ${count(event.failed)} failed\n`),
        );
      } else if (event.type === "scenario-end") {
        stream.write(`${doneLine(event, chalk)}\n`);
        state = undefined;
      }
    },
  };
}

function scenarioHeading(event: Extract<RunEvent, { type: "scenario-start" }>, chalk: ChalkInstance): string {
  return `${chalk.bold(`[${event.index + 1}/${event.total}] ${event.scenario}`)} ${chalk.dim(`on ${event.target} · seed ${event.seed}`)}`;
}

function doneLine(event: Extract<RunEvent, { type: "scenario-end" }>, chalk: ChalkInstance): string {
  const verdict = event.verdict === "pass" ? chalk.green(event.verdict) : event.verdict === "fail" ? chalk.red(event.verdict) : chalk.yellow(event.verdict);
  return chalk.dim(`  done: `) + verdict + chalk.dim(` in ${formatDuration(event.ms)}`);
}

function phaseLabel(state: ScenarioState): string {
  const progress = state.progress;
  if (state.phase === "rounds" && progress && progress.round > 0) return roundLabel(progress);
  return state.phase;
}

/** "round 2/4", "extra round 6" when the verdict was unsure, or "soak round 17" when the rounds go on until --duration is up. */
function roundLabel(progress: ProgressEvent): string {
  if (progress.extra) return `extra round ${progress.round}`;
  return progress.rounds > 0 ? `round ${progress.round}/${progress.rounds}` : `soak round ${progress.round}`;
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}
