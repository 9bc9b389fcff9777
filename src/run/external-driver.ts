// --load (issue 12): the LoadDriver whose rounds are a user's command (artillery, k6, a
// script) instead of leakcheck's own sessions; the phases around it are the same.

import { formatDuration } from "../duration.js";
import { runExternalLoad, type ExternalLoadResult } from "../load/external-load.js";
import type { Target } from "../server-under-test/target.js";
import type { LoadDriver } from "./load-driver.js";

export interface ExternalDriver extends LoadDriver {
  /** What the command did, run by run (0: the warm-up). */
  readonly results: ExternalLoadResult[];
}

export function externalDriver(
  command: string,
  target: Target,
  options: { runDir: string; scenario: string; roundTimeoutMs: number; signal: AbortSignal },
): ExternalDriver {
  const results: ExternalLoadResult[] = [];
  return {
    results,
    run: async (round, _firstIndex, count) => {
      results.push(
        await runExternalLoad({
          command,
          url: target.baseUrl,
          sessions: count,
          round,
          runDir: options.runDir,
          scenario: options.scenario,
          timeoutMs: options.roundTimeoutMs,
          signal: options.signal,
        }),
      );
    },
    // The command's connections are its own to close: nothing of leakcheck's to wait for.
    proxyDrained: async () => undefined,
  };
}

/** What --load did, for every report: how often the command ran, how it exited, how long it took. */
export function externalLoadNote(command: string, rounds: ExternalLoadResult[]): string {
  const warmup = rounds.some((each) => each.round === 0);
  const counted = rounds.filter((each) => each.round > 0).length;
  const runs = `${rounds.length} run${rounds.length === 1 ? "" : "s"}`;
  const which = `${warmup ? "warm-up and " : ""}${counted} round${counted === 1 ? "" : "s"}`;
  const took = rounds.map((each) => formatDuration(each.durationMs)).join(", ");
  return `--load: ${runs} of \`${command}\` (${which}), each exit 0, taking ${took}; output in load/`;
}
