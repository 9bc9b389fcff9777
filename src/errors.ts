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
  return text.replace(/\s*\n\s*/g, " ").trim();
}
