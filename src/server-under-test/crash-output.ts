// What a dead server's output says about why it died, in a few words for an error line.
// The last lines of an uncaught error are Node's own (`at Function.executeUserEntryPoint …`,
// `Node.js v20…`, issue 13): the error line and the first frame in the server's code are what help.

import path from "node:path";
import { fileURLToPath } from "node:url";

/** The header leakcheck writes into server.log before each scenario's server starts. */
export const LOG_HEADER_PREFIX = "==> leakcheck: ";

const FRAME = /^\s+at /;
// `Error: …`, `TypeError: …`, `Error [ERR_X]: …`, `ConfigError: …`, `Uncaught …`.
const ERROR_LINE = /^\s*(?:Uncaught\b|[\w$.]*(?:Error|Exception)\b(?: \[[\w-]+\])?:?)/;
// Node's lines that say nothing about the server: its version, and its hint on non-Error throws.
const NODE_NOISE = /^(Node\.js v\d|\(Use `node --trace-)/;
const MAX_LENGTH = 300;

/**
 * One line for an error message: `Error: boom (thrown at loadConfig, server.js:3:9)` when the
 * output ends in an uncaught error, else `last output: a | b | c`, else `it printed nothing`.
 * Only the output after the last leakcheck header counts (the server of this scenario).
 */
export function crashSummary(output: string, cwd = process.cwd()): string {
  const all = output.split(/\r?\n/).map((line) => line.trimEnd());
  const own = all.slice(all.findLastIndex((line) => line.startsWith(LOG_HEADER_PREFIX)) + 1);
  const lastFrame = own.findLastIndex((line) => FRAME.test(line));
  if (lastFrame >= 0) {
    let firstFrame = lastFrame;
    while (firstFrame > 0 && FRAME.test(own[firstFrame - 1])) firstFrame--;
    const before = own.slice(0, firstFrame);
    // A message may run over lines (`Require stack:` and its list): its first line is the error's.
    const errorAt = before.findLastIndex((line) => ERROR_LINE.test(line));
    const errorLine = (errorAt >= 0 ? before[errorAt] : before.findLast((line) => line.trim() !== ""))?.trim();
    if (errorLine) {
      const frames = own.slice(firstFrame, lastFrame + 1).map((line) => line.trim().slice(3).replace(/\s*\{$/, ""));
      const where = userFrame(frames, cwd) ?? sourceLine(before.slice(0, Math.max(errorAt, 0)), cwd);
      return clip(where ? `${errorLine} (thrown at ${where})` : errorLine);
    }
  }
  const last = own.filter((line) => line.trim() !== "" && !NODE_NOISE.test(line)).slice(-3);
  return last.length ? clip(`last output: ${last.map((line) => line.trim()).join(" | ")}`) : "it printed nothing";
}

/** The first frame in the server's own code (not Node's, not a dependency's), as `fn, file:line:col`. */
function userFrame(frames: string[], cwd: string): string | undefined {
  for (const frame of frames) {
    // `fn (location)` or a bare `location`; `async fn (location)` too.
    const match = /^(?:(.*?) \()?([^()]+:\d+:\d+)\)?$/.exec(frame);
    if (!match) continue;
    const location = match[2];
    if (location.startsWith("node:") || location.includes("/node_modules/")) continue;
    const shown = shownPath(location, cwd);
    return match[1] ? `${match[1]}, ${shown}` : shown;
  }
  return undefined;
}

/** Node's `file:line` above a caret, printed for errors thrown while loading a file (a SyntaxError). */
function sourceLine(lines: string[], cwd: string): string | undefined {
  const found = lines.find((line) => /^(\/|file:\/\/|[A-Za-z]:\\).*:\d+$/.test(line) && !line.startsWith("node:"));
  return found ? shownPath(found, cwd) : undefined;
}

/** A location relative to the current folder when it is inside it; file: URLs as paths. */
function shownPath(location: string, cwd: string): string {
  let file = location;
  if (file.startsWith("file://")) {
    const [, url, position] = /^(file:\/\/.*?)((?::\d+)+)$/.exec(file) ?? [, file, ""];
    try {
      file = fileURLToPath(url!) + position;
    } catch {
      // not a URL Node could turn into a path: shown as it is
    }
  }
  const relative = path.relative(cwd, file);
  return path.isAbsolute(file) && !relative.startsWith("..") ? relative : file;
}

function clip(text: string): string {
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
