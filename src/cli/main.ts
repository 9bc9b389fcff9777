// The command line: commander turns argv into a call; errors become one line and an exit code.

import { Command, CommanderError } from "commander";
import { ExitCode, exitCodeOf, oneLine } from "../errors.js";
import { LEAKCHECK_VERSION } from "../run/run.js";
import { registerCompare } from "./compare.js";
import { registerDiff } from "./diff.js";
import { registerList } from "./list.js";
import { registerRun } from "./run.js";
import { registerServe } from "./serve.js";

/** Parses argv and runs the command; sets process.exitCode, never exits by itself. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command("leakcheck")
    .description("memory-leak gate and load-test harness for Node.js Socket.IO servers")
    .version(LEAKCHECK_VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // One line: commander's message, with the hint to see --help.
      outputError: (text, write) => write(`leakcheck: ${oneLine(text.replace(/^error: /, ""))} (see leakcheck --help)\n`),
    });
  registerRun(program);
  registerList(program);
  registerServe(program);
  registerDiff(program);
  registerCompare(program);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with code 0; every other commander error is a usage error.
      process.exitCode = error.exitCode === 0 ? ExitCode.pass : ExitCode.usage;
      return;
    }
    process.stderr.write(`leakcheck: ${oneLine(error)}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
