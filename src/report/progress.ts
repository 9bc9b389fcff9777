// Progress on stderr while a run goes: a live line on a TTY, a line per phase
// otherwise (CI logs), nothing with --quiet. stdout stays for results and --json.

import chalk from "chalk";
import { formatDuration } from "../duration.js";
import type { RunEvent } from "../run/options.js";

export interface ProgressRenderer {
  onEvent(event: RunEvent): void;
  /** Clears the live line before anything else is printed. */
  clear(): void;
}

/** A renderer for `stream` (a TTY gets the live line). */
export function createProgress(stream: NodeJS.WriteStream, quiet: boolean): ProgressRenderer {
  if (quiet) return { onEvent: () => undefined, clear: () => undefined };
  const live = Boolean(stream.isTTY) && !process.env.CI;
  let lineShown = false;
  const clear = () => {
    if (live && lineShown) {
      stream.write("\r\x1b[2K");
      lineShown = false;
    }
  };
  return {
    clear,
    onEvent(event) {
      if (event.type === "progress") {
        if (!live) return;
        const label = event.round === 0 ? "warm-up" : `round ${event.round}/${event.rounds}`;
        stream.write(
          `\r\x1b[2K${chalk.cyan(event.scenario)} ${label} · sessions ${event.done.toLocaleString("en-US")}/${event.total.toLocaleString("en-US")} · clients ${event.clients.toLocaleString("en-US")} · failed ${event.failed}`,
        );
        lineShown = true;
        return;
      }
      clear();
      if (event.type === "scenario-start") {
        stream.write(`${chalk.bold(`[${event.index + 1}/${event.total}] ${event.scenario}`)} ${chalk.dim(`on ${event.target} · seed ${event.seed}`)}\n`);
      } else if (event.type === "phase") {
        stream.write(chalk.dim(`  ${event.phase}${event.detail ? `: ${event.detail}` : ""}\n`));
      } else if (event.type === "scenario-end") {
        stream.write(chalk.dim(`  done: ${event.verdict} in ${formatDuration(event.ms)}\n`));
      }
    },
  };
}
