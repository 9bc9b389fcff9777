// Beyond one process (issue 12), as report.json carries it: each process of a server of
// several with its own verdict, and what a --load command did in each round.

import { count, list, num, object, str } from "./fields.js";
import { scenarioVerdictShape } from "./verdict.js";

/** One process's verdict: `worker 2 (pid 4121)`, its checks and reasons (each reason starts with its label). */
export const processVerdictSchema = object({
  label: str,
  pid: count,
  /** node:cluster's worker id, the N of `worker N`. */
  workerId: count.optional(),
  /** The command line the process tells (at most 300 characters). */
  command: str.optional(),
  ...scenarioVerdictShape,
});

/** --load: the command, and per run (0 = the warm-up) its size, exit status, duration, output file and last lines. */
export const externalLoadSchema = object({
  command: str,
  rounds: list(
    object({
      round: count,
      sessions: count,
      exitCode: num,
      durationMs: num,
      /** Relative to the run folder. */
      output: str,
      tail: list(str),
    }),
  ),
});
