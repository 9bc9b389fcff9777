// The bounds of `run`'s numeric settings: one table read by the flags (run.ts) and by the
// config file (config.ts), so the config refuses what the flag refuses, in the same words.

import { durationRule, wholeRule } from "./parsers.js";

/** Settings that are both a flag (`--max-sessions`) and a config key (`maxSessions`). */
export const RUN_SETTINGS = {
  sessions: wholeRule(1, 1_000_000),
  concurrency: wholeRule(1, 15_000),
  rounds: wholeRule(1, 100),
  warmup: wholeRule(0, 1_000_000),
  maxSessions: wholeRule(1, 10_000_000),
  maxDuration: durationRule(0, 86_400_000),
} as const;

/** The timeouts: `--ready-timeout` on the command line, `timeouts.ready` in the config. */
export const TIMEOUT_SETTINGS = {
  ready: durationRule(100, 600_000),
  settle: durationRule(0, 3_600_000),
  session: durationRule(100, 3_600_000),
  round: durationRule(1000, 86_400_000),
  probe: durationRule(100, 600_000),
  ack: durationRule(10, 600_000),
} as const;
