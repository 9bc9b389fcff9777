// The project's config file: leakcheck.config.{json,js,mjs,ts}, found from the current
// folder up to the nearest folder with a package.json (the project's root). It gives `run`
// its defaults; flags on the command line win. Paths in it are relative to its folder.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { describeFsError, describeIssue, oneLine, UsageError } from "../errors.js";
import { checkBudget, type BudgetFile } from "../verdict/budget.js";
import type { SettingRule } from "./parsers.js";
import { RUN_SETTINGS, TIMEOUT_SETTINGS } from "./run-settings.js";

export const CONFIG_NAMES = ["leakcheck.config.json", "leakcheck.config.js", "leakcheck.config.mjs", "leakcheck.config.ts"] as const;

// Each field says what it must be: the messages go to the user as they are (see describeIssue).
const text = (what: string) => z.string({ error: `must be ${what}` }).trim().min(1, { error: `must be ${what}` });
const urlPath = (example: string) => {
  const message = `must be a URL path starting with / and without spaces, like ${example}`;
  return z.string({ error: message }).regex(/^\/\S*$/, { error: message });
};
// The numeric settings are read by the flags' own rules (run-settings.ts): one validation, said one way.
const setting = (rule: SettingRule) =>
  z.unknown().transform((value, context) => {
    const read = rule.read(value);
    if (read === undefined) {
      context.addIssue({ code: "custom", message: rule.text });
      return z.NEVER;
    }
    return read;
  });
const timeoutsShape = {
  ready: setting(TIMEOUT_SETTINGS.ready),
  settle: setting(TIMEOUT_SETTINGS.settle),
  session: setting(TIMEOUT_SETTINGS.session),
  round: setting(TIMEOUT_SETTINGS.round),
  probe: setting(TIMEOUT_SETTINGS.probe),
  ack: setting(TIMEOUT_SETTINGS.ack),
};
const configShape = {
  server: text('a command that starts the server, like "npm start"'),
  url: z
    .string({ error: "must be the address of a running server, like http://127.0.0.1:3000" })
    .regex(/^http:\/\/[^/\s]+\/?$/, { error: "must be the address of a running server, like http://127.0.0.1:3000" }),
  metricsPath: urlPath("/api/metrics"),
  readyPath: urlPath("/health"),
  socketioPath: urlPath("/socket.io/"),
  gauges: z.array(text("a gauge name"), { error: 'must be a list of gauge names, like ["users", "socket.io /chat rooms"]' }),
  scenarios: text('a folder of scenario files, like "scenarios"'),
  budget: z.union([text("the path of a budget JSON file"), z.record(z.string(), z.unknown())], {
    error: 'must be the path of a budget JSON file, or a budget object like {"gauges": {"*": 0}}',
  }),
  timeouts: z.object(timeoutsShape, { error: 'must be an object like {"ready": "15s", "settle": "30s"}' }).partial().strict(),
  sessions: setting(RUN_SETTINGS.sessions),
  concurrency: setting(RUN_SETTINGS.concurrency),
  rounds: setting(RUN_SETTINGS.rounds),
  warmup: setting(RUN_SETTINGS.warmup),
  maxSessions: setting(RUN_SETTINGS.maxSessions),
  maxDuration: setting(RUN_SETTINGS.maxDuration),
  allocationSites: z.boolean({ error: "must be true or false" }),
  reportDir: text("a folder for the run folders"),
};
const configSchema = z
  .object(configShape, { error: "must be an object of settings, like {\"server\": \"npm start\"}" })
  .partial()
  .strict();

const CONFIG_KEYS = Object.keys(configShape);
const TIMEOUT_KEYS = Object.keys(timeoutsShape);

export interface ProjectConfig {
  /** The config file. */
  file: string;
  /** Its folder: relative paths in it start here. */
  dir: string;
  server?: string;
  url?: string;
  metricsPath?: string;
  readyPath?: string;
  socketioPath?: string;
  gauges?: string[];
  /** The scenarios folder, absolute (default <dir>/scenarios). */
  scenariosDir: string;
  /** An absolute budget file path, or the budget itself. */
  budget?: string | BudgetFile;
  timeouts: Partial<Record<keyof typeof timeoutsShape, number>>;
  sessions?: number;
  concurrency?: number;
  rounds?: number;
  warmup?: number;
  maxSessions?: number;
  /** Milliseconds. */
  maxDuration?: number;
  allocationSites?: boolean;
  /** Absolute. */
  reportDir?: string;
}

/** The config file that applies in `cwd`: the first folder from cwd up to the project's root that has one; undefined when none. */
export function findConfigFile(cwd = process.cwd()): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const found = CONFIG_NAMES.filter((name) => fs.existsSync(path.join(dir, name)));
    if (found.length > 1) {
      throw new UsageError(`${dir} has ${found.length} config files (${found.join(", ")}): keep one of them`);
    }
    if (found.length === 1) return path.join(dir, found[0]);
    // The project's root ends the search: a config above it belongs to another project.
    if (fs.existsSync(path.join(dir, "package.json"))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Finds, loads and validates the project's config; undefined when there is none. */
export async function loadProjectConfig(cwd = process.cwd()): Promise<ProjectConfig | undefined> {
  const file = findConfigFile(cwd);
  return file ? readConfigFile(file, cwd) : undefined;
}

/** Reads one config file; any problem is a UsageError naming the file, the key and the value. */
export async function readConfigFile(file: string, cwd = process.cwd()): Promise<ProjectConfig> {
  const shown = path.relative(cwd, file) || file;
  const raw = await readRaw(file, shown);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const knownKeys = (at: PropertyKey[]) => (at.length === 0 ? CONFIG_KEYS : at[0] === "timeouts" ? TIMEOUT_KEYS : []);
    throw new UsageError(`config file ${shown}: ${describeIssue(issue, raw, knownKeys)}; see README "Test your own app"`);
  }
  const config = parsed.data;
  if (config.server !== undefined && config.url !== undefined) {
    throw new UsageError(`config file ${shown} has both server and url: keep server (a command leakcheck starts) or url (a server already running)`);
  }
  const dir = path.dirname(file);
  const budget =
    config.budget === undefined
      ? undefined
      : typeof config.budget === "string"
        ? path.resolve(dir, config.budget)
        : checkBudget(config.budget, `config file ${shown}, budget`);
  return {
    file,
    dir,
    server: config.server,
    url: config.url?.replace(/\/$/, ""),
    metricsPath: config.metricsPath,
    readyPath: config.readyPath,
    socketioPath: config.socketioPath,
    gauges: config.gauges,
    scenariosDir: path.resolve(dir, config.scenarios ?? "scenarios"),
    budget,
    timeouts: config.timeouts ?? {},
    sessions: config.sessions,
    concurrency: config.concurrency,
    rounds: config.rounds,
    warmup: config.warmup,
    maxSessions: config.maxSessions,
    maxDuration: config.maxDuration,
    allocationSites: config.allocationSites,
    reportDir: config.reportDir === undefined ? undefined : path.resolve(dir, config.reportDir),
  };
}

async function readRaw(file: string, shown: string): Promise<unknown> {
  if (file.endsWith(".json")) {
    let body: string;
    try {
      body = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`config file ${shown} ${describeFsError(error)}: check its permissions`);
    }
    try {
      return JSON.parse(body.replace(/^\uFEFF/, ""));
    } catch (error) {
      throw new UsageError(`config file ${shown} is not valid JSON (${(error as Error).message}): fix the file`);
    }
  }
  let module: { default?: unknown };
  try {
    module = file.endsWith(".ts")
      ? ((await import("tsx/esm/api").then(({ tsImport }) => tsImport(pathToFileURL(file).href, import.meta.url))) as { default?: unknown })
      : ((await import(pathToFileURL(file).href)) as { default?: unknown });
  } catch (error) {
    throw new UsageError(`config file ${shown} failed to load (${oneLine(error).split(file).join(shown).slice(0, 200)}): fix the file`);
  }
  let value = module.default;
  // tsx may wrap a CommonJS-looking default once more.
  if (value && typeof value === "object" && "default" in value && Object.keys(value).length === 1) value = (value as { default: unknown }).default;
  if (value === undefined) throw new UsageError(`config file ${shown} has no default export: \`export default { server: "npm start" }\``);
  return value;
}
