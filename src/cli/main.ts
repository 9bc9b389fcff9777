// The command line: commander turns argv into a call; errors become one line and an exit code.

import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { ExitCode, exitCodeOf, oneLine, UsageError } from "../errors.js";

// Each command's module is loaded only when that command runs (or for --help): a typo in a
// `diff` option is reported without loading the run machinery first.
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  run: async () => (await import("./run.js")).registerRun,
  list: async () => (await import("./list.js")).registerList,
  serve: async () => (await import("./serve.js")).registerServe,
  diff: async () => (await import("./diff.js")).registerDiff,
  compare: async () => (await import("./compare.js")).registerCompare,
  init: async () => (await import("./init.js")).registerInit,
};

const VERSION = (createRequire(import.meta.url)("../../../package.json") as { version: string }).version;

/** Parses argv and runs the command; sets process.exitCode, never exits by itself. */
export async function main(argv: string[]): Promise<void> {
  if (argv.length === 0) {
    process.stderr.write(`leakcheck: no command given: use ${Object.keys(COMMANDS).join(", ")} (see leakcheck --help)\n`);
    process.exitCode = ExitCode.usage;
    return;
  }
  const program = new Command("leakcheck")
    .description("memory-leak gate and load-test harness for Node.js Socket.IO servers")
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(commanderLine(text, "")) });
  const wanted = Object.hasOwn(COMMANDS, argv[0]) ? [argv[0]] : Object.keys(COMMANDS);
  for (const name of wanted) (await COMMANDS[name]())(program);
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ outputError: (text, write) => write(commanderLine(text, command.name())) });
    watchNegations(command);
  }
  program.hook("preAction", (_program, command) => checkGiven(command));

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

/** Commander's error as our one line: the parser's own message, the option by its name, and where help is. */
function commanderLine(text: string, command: string): string {
  let message = text.replace(/^error: /, "").trim();
  // "option '--sessions <n>' argument 'abc' is invalid. --sessions must be ...": the parser's message says it all.
  const invalid = /^option '(--?[\w-]+)[^']*' argument '/.exec(message);
  const reasonAt = invalid ? message.indexOf("' is invalid. ", invalid[0].length) : -1;
  if (invalid && reasonAt >= 0) {
    const reason = message.slice(reasonAt + "' is invalid. ".length);
    message = reason.startsWith(invalid[1]) ? reason : `${invalid[1]}: ${reason}`;
  }
  message = message
    .replace(/^option '((--?[\w-]+)[^']*)' argument missing$/, "$2 needs a value: $1")
    .replace(/^option '(?:-\w, )?(--?[\w-]+)[^']*' cannot be used with option '(?:-\w, )?(--?[\w-]+)[^']*'/, "$1 cannot be used with $2");
  return `leakcheck: ${oneLine(message)} (see leakcheck${command ? ` ${command}` : ""} --help)\n`;
}

const givenOnCommandLine = new WeakMap<Command, Set<string>>();

/** Notes which of an option and its --no- form were typed, for checkGiven. */
function watchNegations(command: Command): void {
  const given = new Set<string>();
  givenOnCommandLine.set(command, given);
  for (const option of command.options) {
    if (!option.negate) continue;
    const positive = command.options.find((other) => !other.negate && other.attributeName() === option.attributeName());
    if (!positive) continue;
    for (const each of [option, positive]) command.on(`option:${each.name()}`, () => given.add(each.long ?? each.name()));
  }
}

/**
 * What commander lets through: an empty value (`--budget ""` would quietly mean no budget,
 * `--report-dir ""` the current folder) and an option given with its own negation.
 */
function checkGiven(command: Command): void {
  const given = givenOnCommandLine.get(command) ?? new Set<string>();
  for (const option of command.options) {
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== "cli") continue;
    if (option.negate && option.long) {
      const positive = option.long.replace(/^--no-/, "--");
      if (given.has(option.long) && given.has(positive)) {
        throw new UsageError(`${positive} and ${option.long} cannot be used together: keep the one you mean`);
      }
    }
    if (!option.required && !option.optional) continue;
    const value: unknown = command.getOptionValue(key);
    const blank = (Array.isArray(value) ? value : [value]).find((each) => typeof each === "string" && each.trim() === "");
    if (blank !== undefined) {
      throw new UsageError(`${option.long ?? option.name()} needs a value, got ${JSON.stringify(blank)} (${option.flags}: ${option.description})`);
    }
  }
  command.registeredArguments.forEach((argument, index) => {
    const value: unknown = command.processedArgs[index];
    if ((Array.isArray(value) ? value : [value]).some((each) => typeof each === "string" && each.trim() === "")) {
      throw new UsageError(`the <${argument.name()}> argument is empty: give ${argument.description}`);
    }
  });
}
