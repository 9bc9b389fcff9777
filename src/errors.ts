// Typed errors and the exit codes of CONTRACT §4. Library code throws these;
// only the CLI turns them into an exit code, so cleanup always runs first.

export const ExitCode = {
  pass: 0,
  leak: 1,
  usage: 2,
  runFailed: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad input from the user: an option, a scenario name, a budget or scenario file (exit 2). */
export class UsageError extends Error {
  readonly exitCode = ExitCode.usage;
  override name = "UsageError";
}

/** The run could not be carried out: the server would not start, crashed, hung or spoke garbage (exit 3). */
export class RunError extends Error {
  readonly exitCode = ExitCode.runFailed;
  override name = "RunError";
}

/** The user asked to stop (SIGINT/SIGTERM); the run is reported as partial. */
export class InterruptedError extends RunError {
  override name = "InterruptedError";
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}: the run was stopped before it finished; reports are marked partial`);
  }
}

/** The exit code for any thrown value: our errors carry one, anything else is a run failure. */
export function exitCodeOf(error: unknown): ExitCodeValue {
  if (error instanceof UsageError || error instanceof RunError) return error.exitCode;
  return ExitCode.runFailed;
}

/** One line for stderr: the message only, never a stack trace. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Control characters (a garbage file quoted in a message, a carriage return) would break
  // the line or drive the terminal: shown as U+FFFD instead.
  return text.replace(/\s*[\r\n]+\s*/g, " ").replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "\ufffd").trim();
}

/** What a failed fs call says about a path the user gave, in words: "does not exist", "is a folder"... */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "does not exist";
    case "EISDIR":
      return "is a folder, not a file";
    case "ENOTDIR":
      return "is not reachable: a part of its path is a file, not a folder (ENOTDIR)";
    case "EACCES":
    case "EPERM":
      return `is not readable: permission denied (${code})`;
    case "EEXIST":
      return "exists and is not a folder (EEXIST)";
    default:
      return `cannot be read (${code ?? oneLine(error)})`;
  }
}

/** A usage error for an output folder (`--out`, `--report-dir`) that cannot be made or written. */
export function unwritableFolder(option: string, folder: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === "EEXIST"
      ? "is a file, not a folder"
      : code === "ENOTDIR"
        ? "is under a file, not a folder"
        : code === "EACCES" || code === "EPERM" || code === "EROFS"
          ? "is not writable"
          : "cannot be created";
  return new UsageError(`${option} ${folder} ${why} (${code ?? oneLine(error)}): choose a folder leakcheck can write to`);
}

/** ` (did you mean "x"?)` when one of `candidates` is a likely typo of `word`, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the word may be wrong: "gauge" → "gauges", "perSessionByte" → "perSessionBytes".
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : "";
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A value from a user's file as a message shows it: JSON, cut at 40 characters. */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** The part of a zod issue this module needs (zod's own type is a union per code). */
export interface InputIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/**
 * One problem found in a user's JSON or object as a phrase: `handles.timers: must be a whole
 * number ≥ 0, got 1.5`, `unknown key "gauge" at the top level (did you mean "gauges"?)`.
 * Schemas give their own "must be ..." messages; `knownKeys` lists the keys allowed at a path.
 */
export function describeIssue(issue: InputIssue, input: unknown, knownKeys?: (path: PropertyKey[]) => readonly string[]): string {
  const where = issue.path.length === 0 ? "the top level" : showPath(issue.path);
  if (issue.code === "unrecognized_keys" && issue.keys) {
    const known = knownKeys?.(issue.path) ?? [];
    const keys = issue.keys.map((key) => `"${key}"${didYouMean(key, known)}`).join(", ");
    const allowed = known.length ? `; allowed there: ${known.join(", ")}` : "";
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys} ${issue.path.length === 0 ? "at" : "in"} ${where}${allowed}`;
  }
  const value = valueAt(input, issue.path);
  return `${where}: ${issue.message}, got ${showValue(value)}`;
}

function showPath(path: PropertyKey[]): string {
  return path.map((key, index) => (typeof key === "number" ? `[${key}]` : `${index === 0 ? "" : "."}${String(key)}`)).join("");
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
