// Whether to colour a stream: FORCE_COLOR wins, then NO_COLOR (no-color.org), then
// whether the stream is a terminal. chalk alone reads FORCE_COLOR but not NO_COLOR.

import { Chalk, supportsColor, supportsColorStderr, type ChalkInstance } from "chalk";

export type ColorLevel = 0 | 1 | 2 | 3;

/** The colour level (0 = none) for `stream` under `env`. */
export function colorLevel(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ColorLevel {
  const detected = stream === process.stderr ? supportsColorStderr : supportsColor;
  const terminalLevel: ColorLevel = detected ? detected.level : 1;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === "0" || force === "false") return 0;
    if (force === "" || force === "true") return terminalLevel;
    const level = Number.parseInt(force, 10);
    return Number.isNaN(level) ? terminalLevel : (Math.min(3, Math.max(0, level)) as ColorLevel);
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return 0;
  if (!stream.isTTY || env.TERM === "dumb") return 0;
  return terminalLevel;
}

/** A chalk that colours only where `stream` should be coloured. */
export function chalkFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  return new Chalk({ level: colorLevel(stream, env) });
}
