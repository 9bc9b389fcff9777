// `leakcheck init`: a config file and a first scenario for an existing Socket.IO app.
// Everything comes from flags (for CI and scripts); on a terminal, what is missing is asked.
// It never overwrites: an existing config or scenario file is a usage error.

import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { Command, InvalidArgumentError } from "commander";
import { UsageError } from "../errors.js";
import { CONFIG_NAMES } from "./config.js";
import { collect, command, httpPath, serverUrl, shownArgument } from "./parsers.js";

interface InitOptions {
  server?: string;
  url?: string;
  namespace?: string;
  event?: string[];
  ack?: boolean;
  /** One payload for every event, or one per event in order; NO_PAYLOAD: emitted with none. */
  payload?: unknown[];
  auth?: Record<string, unknown>;
  metricsPath?: string;
  name: string;
  format?: "ts" | "mjs";
  prompt: boolean;
}

/** Registers `init` on the program. */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write leakcheck.config.json and a first scenario for your Socket.IO app (asks on a terminal what flags leave out)")
    .option("--server <command>", 'the command that starts your server on $PORT (default: "npm start" when package.json has a start script)', command)
    .option("--url <url>", "or the address of a server already running", serverUrl)
    .option("--namespace <name>", "the namespace the scenario connects to (default /)", namespace)
    .option("--event <name>", "an event the scenario emits once per session (repeatable)", collect)
    .option("--ack", "the events take an acknowledgement: the scenario waits for it (emitWithAck)")
    .option("--payload <json>", "the events' payload, as JSON (default {}); once for every event, or once per --event in the same order; none: emitted without one", payloadArgument, [] as unknown[])
    .option("--auth <json>", 'the handshake auth, as a JSON object, like {"token":"dev-token"}', jsonObject("--auth"))
    .option("--metrics-path <path>", "the server's metrics endpoint, if it has one", httpPath("--metrics-path"))
    .option("--name <name>", "the scenario's name and file name", scenarioName, "first-session")
    .option("--format <ts|mjs>", "the scenario file's language (default ts when the project has a tsconfig.json, else mjs)", format)
    .option("--no-prompt", "never ask, even on a terminal")
    .action(async (options: InitOptions) => {
      await init(options, process.cwd());
    });
}

function namespace(value: string): string {
  if (!/^\/[\w\-./]*$/.test(value)) throw new InvalidArgumentError(`--namespace must start with / like /chat, got ${shownArgument(value)}`);
  return value;
}

function json(option: string, example = '{"room":"lobby"}') {
  return (value: string): unknown => {
    try {
      return JSON.parse(value);
    } catch {
      throw new InvalidArgumentError(`${option} must be JSON, like ${example}, got ${shownArgument(value)}`);
    }
  };
}

/** What `--payload none` stands for: the event is emitted with no payload (its handler's first argument is the ack). */
const NO_PAYLOAD = Symbol("no payload");

function payloadArgument(value: string, previous: unknown[]): unknown[] {
  return [...previous, value === "none" ? NO_PAYLOAD : json("--payload")(value)];
}

function jsonObject(option: string) {
  return (value: string): Record<string, unknown> => {
    const parsed = json(option, '{"token":"dev-token"}')(value);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new InvalidArgumentError(`${option} must be a JSON object, like {"token":"dev-token"}, got ${shownArgument(value)}`);
    }
    return parsed as Record<string, unknown>;
  };
}

function scenarioName(value: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(value)) {
    throw new InvalidArgumentError(`--name must start with a letter or digit and hold only letters, digits, dots, dashes or underscores, got ${shownArgument(value)}`);
  }
  return value;
}

function format(value: string): "ts" | "mjs" {
  if (value !== "ts" && value !== "mjs") throw new InvalidArgumentError(`--format must be ts or mjs, got ${shownArgument(value)}`);
  return value;
}

/** Writes the two files into `dir`; refuses before writing anything when either exists. */
export async function init(options: InitOptions, dir: string): Promise<void> {
  if (options.server !== undefined && options.url !== undefined) {
    throw new UsageError("--server and --url: give one (the command that starts your server, or the address of one running)");
  }
  const existing = CONFIG_NAMES.find((name) => fs.existsSync(path.join(dir, name)));
  if (existing) throw new UsageError(`${existing} already exists: leakcheck init does not overwrite; edit it, or remove it and run init again`);
  const ask = options.prompt && Boolean(process.stdin.isTTY && process.stdout.isTTY) ? await asker() : undefined;
  try {
    const startScript = hasStartScript(dir);
    let server = options.server;
    let url = options.url;
    if (server === undefined && url === undefined) {
      const answer = ask ? await ask("Command that starts your server on $PORT", startScript ? "npm start" : undefined) : startScript ? "npm start" : undefined;
      if (!answer) {
        throw new UsageError("no server to test: give --server \"<command that starts it>\" (it gets PORT and HOST), or --url of one running, or add a start script to package.json");
      }
      if (/^https?:\/\//.test(answer)) url = checked(serverUrl, answer);
      else server = answer;
    }
    const nsp = options.namespace ?? (ask ? checked(namespace, await ask("Namespace the clients connect to", "/")) : "/");
    let events = options.event ?? [];
    if (options.event === undefined && ask) {
      const answer = await ask("Events a client emits in a session, comma-separated (none: connect and leave)", "");
      events = answer.split(",").map((event) => event.trim()).filter(Boolean);
    }
    let ack = options.ack;
    if (ack === undefined && ask && events.length > 0) {
      ack = /^y/i.test(await ask("Do these events take an acknowledgement (the client waits for it)? y/n", "n"));
    }
    let auth = options.auth;
    if (auth === undefined && ask) {
      const answer = await ask('Handshake auth as JSON, like {"token":"dev-token"} (none: leave empty)', "");
      if (answer) auth = checked(jsonObject("auth"), answer);
    }
    const language = options.format ?? (fs.existsSync(path.join(dir, "tsconfig.json")) ? "ts" : "mjs");
    const scenarioFile = path.join(dir, "scenarios", `${options.name}.${language}`);
    if (fs.existsSync(scenarioFile)) {
      throw new UsageError(`${path.relative(dir, scenarioFile)} already exists: leakcheck init does not overwrite; choose another --name`);
    }
    const config = {
      ...(server !== undefined ? { server } : { url }),
      ...(options.metricsPath !== undefined ? { metricsPath: options.metricsPath } : {}),
      scenarios: "scenarios",
    };
    const scenario = scenarioSource({ ...options, namespace: nsp, event: events, ack, auth });
    fs.mkdirSync(path.dirname(scenarioFile), { recursive: true });
    // wx: created here or not at all, even if another process wrote one meanwhile.
    fs.writeFileSync(scenarioFile, scenario, { flag: "wx" });
    fs.writeFileSync(path.join(dir, "leakcheck.config.json"), `${JSON.stringify(config, null, 2)}\n`, { flag: "wx" });
    const shownScenario = path.relative(process.cwd(), scenarioFile);
    const ignored = ignoreReports(dir);
    process.stdout.write(
      `wrote leakcheck.config.json and ${shownScenario}\n` +
        (ignored ? `${ignored}\n` : "") +
        `next: npx leakcheck run    (runs the project's scenarios against ${server !== undefined ? `\`${server}\`` : url})\n`,
    );
  } finally {
    ask?.close();
  }
}

/**
 * Keeps the report folder out of git: a single-scenario run keeps its heap snapshots there
 * (tens of MB). Creates .gitignore or appends the line; says what it did, or undefined when
 * the folder was already ignored.
 */
export function ignoreReports(dir: string, folder = "reports"): string | undefined {
  const file = path.join(dir, ".gitignore");
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    text = undefined;
  }
  const patterns = new Set([folder, `${folder}/`, `/${folder}`, `/${folder}/`]);
  if (text !== undefined && text.split(/\r?\n/).some((line) => patterns.has(line.trim()))) return undefined;
  const why = "(heap snapshots of single-scenario runs, tens of MB)";
  try {
    if (text === undefined) {
      fs.writeFileSync(file, `${folder}/\n`);
      return `wrote .gitignore with ${folder}/ ${why}`;
    }
    fs.appendFileSync(file, `${text === "" || text.endsWith("\n") ? "" : "\n"}${folder}/\n`);
    return `added ${folder}/ to .gitignore ${why}`;
  } catch (error) {
    // The config and scenario are written: a read-only .gitignore is worth a line, not a failure.
    return `could not add ${folder}/ to .gitignore (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): add it yourself ${why}`;
  }
}

/** An answer typed at a prompt, checked by the flag's own parser: a bad one is a usage error. */
function checked<T>(parse: (value: string) => T, value: string): T {
  try {
    return parse(value);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function hasStartScript(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { scripts?: Record<string, unknown> };
    return typeof pkg.scripts?.start === "string";
  } catch {
    return false;
  }
}

type Ask = ((question: string, fallback: string | undefined) => Promise<string>) & { close(): void };

/**
 * Questions on the terminal. Lines are queued as they come, so answers typed (or pasted)
 * ahead of their question are not lost; end of input takes the defaults; Ctrl-C stops
 * with nothing written.
 */
async function asker(): Promise<Ask> {
  const readline = createInterface({ input: process.stdin, output: process.stdout });
  const lines: string[] = [];
  let waiting: { resolve: (line: string | undefined) => void; reject: (error: Error) => void } | undefined;
  let ended = false;
  readline.on("line", (line) => (waiting ? (waiting.resolve(line), (waiting = undefined)) : lines.push(line)));
  readline.on("close", () => ((ended = true), waiting?.resolve(undefined), (waiting = undefined)));
  readline.on("SIGINT", () => {
    process.stdout.write("\n");
    waiting?.reject(new UsageError("init stopped (Ctrl-C): nothing was written"));
    waiting = undefined;
    readline.close();
  });
  const next = () =>
    lines.length > 0 || ended
      ? Promise.resolve(lines.shift())
      : new Promise<string | undefined>((resolve, reject) => (waiting = { resolve, reject }));
  const ask = (async (question: string, fallback: string | undefined) => {
    process.stdout.write(`${question}${fallback ? ` [${fallback}]` : ""}: `);
    const answer = ((await next()) ?? "").trim();
    return answer || fallback || "";
  }) as Ask;
  ask.close = () => readline.close();
  return ask;
}

/** The first scenario: connect (namespace, auth), emit each event once, leave. Written to CONTRACT §6. */
export function scenarioSource(options: Pick<InitOptions, "name" | "namespace" | "event" | "ack" | "payload" | "auth">): string {
  const nsp = options.namespace ?? "/";
  const events = options.event ?? [];
  const connectOptions = [
    ...(nsp !== "/" ? [`namespace: ${JSON.stringify(nsp)}`] : []),
    ...(options.auth !== undefined ? [`auth: ${JSON.stringify(options.auth)}`] : []),
  ];
  const payloads = options.payload?.length ? options.payload : [{}];
  if (payloads.length !== 1 && payloads.length !== events.length) {
    throw new UsageError(`${payloads.length} --payload for ${events.length} --event: give one for every event, or one per --event in the same order (none: no payload)`);
  }
  const steps = events.map((event, index) => {
    const payload = payloads.length === 1 ? payloads[0] : payloads[index];
    const args = [JSON.stringify(event), ...(payload === NO_PAYLOAD ? [] : [JSON.stringify(payload)])].join(", ");
    return options.ack ? `    await client.emitWithAck(${args});` : `    client.emit(${args});`;
  });
  const described = [`connect to ${nsp}`, ...events.map((event) => `emit ${event}`), "disconnect"].join(", ");
  return `// A first scenario, written by \`leakcheck init\`: make it do what a real client of your app does.
// One session is one client's visit; leakcheck runs it many times, then checks that the
// server's memory, timers, sockets and Socket.IO rooms are back where they started.
import { defineScenario } from "leakcheck";

export default defineScenario({
  name: ${JSON.stringify(options.name)},
  description: ${JSON.stringify(described)},
  // 500 sessions or more: below that, objects that grow with sessions are not called a leak by their count (a short run cannot tell a cache still filling from a leak).
  defaults: { sessions: 500, concurrency: 20, rounds: 4, warmup: 50 },
  async session(ctx) {
    const client = await ctx.connect(${connectOptions.length ? `{ ${connectOptions.join(", ")} }` : ""});
${steps.length ? `${steps.join("\n")}\n` : ""}    // Give the server a moment with the client before it leaves.
    await ctx.sleep(20);
    client.disconnect();
  },
});
`;
}
