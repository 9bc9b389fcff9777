// Finding scenarios: a bundled name, a file in ./scenarios/, or a path to a user's file
// (.js/.mjs as is, .ts/.mts through tsx, so users write scenarios the way ours are written).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { describeFsError, describeIssue, didYouMean, ExitCode, showValue, UsageError } from "../errors.js";
import type { ScenarioDefinition } from "./define.js";

export const BUNDLED_SCENARIOS = ["normal-completion", "abrupt-close", "network-drop", "random-churn"] as const;

// A scenario's own defaults are input too: zero sessions would pass having tested nothing.
// The messages go to the user as they are (see describeIssue).
const whole = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max.toLocaleString("en-US")}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
};
const defaultsShape = {
  sessions: whole(1, 1_000_000),
  concurrency: whole(1, 15_000),
  rounds: whole(1, 100),
  warmup: whole(0, 1_000_000),
  httpLoad: z.boolean({ error: "must be true or false" }),
  resumeGraceMs: whole(0, 3_600_000),
};
const defaultsSchema = z
  .object(defaultsShape, { error: "must be an object like { sessions: 500, concurrency: 50, rounds: 4, warmup: 100 }" })
  .partial()
  .strict();
const DEFAULTS_KEYS = Object.keys(defaultsShape);

const BUNDLED_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));
const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

export interface LoadedScenario {
  definition: ScenarioDefinition;
  /** Where it came from: "bundled" or the file's path. */
  source: string;
}

/** Resolves the names and paths given to `run` (with `all`) into loaded scenarios, in order, without repeats. */
export async function loadScenarios(requests: string[], cwd = process.cwd()): Promise<LoadedScenario[]> {
  if (requests.length === 0) throw new UsageError("no scenario given: name one (see `leakcheck list`) or use `all`");
  const files: { file: string; source: string; shown: string }[] = [];
  for (const request of requests) {
    if (request === "all") {
      for (const found of listScenarioFiles(cwd)) files.push({ ...found, shown: found.source === "bundled" ? path.basename(found.file, ".js") : found.source });
    } else {
      files.push(resolveScenario(request, cwd));
    }
  }
  const seen = new Set<string>();
  const loaded: LoadedScenario[] = [];
  const shownByName = new Map<string, string>();
  for (const { file, source, shown } of files) {
    if (seen.has(file)) continue;
    seen.add(file);
    const definition = await importScenario(file, shown);
    const first = shownByName.get(definition.name);
    if (first !== undefined) {
      throw new UsageError(`two scenarios are named "${definition.name}" (${first} and ${shown}): give one of them another name`);
    }
    shownByName.set(definition.name, source === "bundled" ? "the bundled one" : shown);
    loaded.push({ definition, source });
  }
  return loaded;
}

/** The bundled scenarios, then the user's files in ./scenarios/ whose names are not bundled ones. */
export function listScenarioFiles(cwd = process.cwd()): { file: string; source: string }[] {
  const found = BUNDLED_SCENARIOS.map((name) => ({ file: path.join(BUNDLED_DIR, `${name}.js`), source: "bundled" }));
  const local = path.join(cwd, "scenarios");
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(local).sort();
  } catch {
    return found;
  }
  for (const entry of entries) {
    const extension = EXTENSIONS.find((ext) => entry.endsWith(ext) && !entry.endsWith(".d.ts"));
    if (!extension) continue;
    const name = entry.slice(0, -extension.length);
    if ((BUNDLED_SCENARIOS as readonly string[]).includes(name)) continue;
    const file = path.join(local, entry);
    found.push({ file, source: path.relative(cwd, file) });
  }
  return found;
}

/** The scenario files in a project's scenarios folder, sorted; none when it does not exist. */
export function projectScenarioFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries
    .filter((entry) => EXTENSIONS.some((ext) => entry.endsWith(ext)) && !entry.endsWith(".d.ts"))
    .map((entry) => path.join(dir, entry))
    .filter((file) => fs.statSync(file).isFile());
}

export interface ProjectScenarios {
  /** The project's scenarios folder (a config's `scenarios`, or ./scenarios). */
  dir: string;
  /** `all` is the project's scenarios alone: the config names a server other than the bundled one. */
  allIsProject: boolean;
}

/**
 * What `run` was asked for, as bundled names and file paths: no names is the project's
 * scenarios; `all` is the bundled ones and the project's, or the project's alone (see
 * allIsProject); a bare name is looked up in the project's folder.
 */
export function expandRequests(requests: string[], project: ProjectScenarios, cwd = process.cwd()): string[] {
  const shown = (file: string) => {
    const relative = path.relative(cwd, file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative.includes(path.sep) ? relative : `.${path.sep}${relative}`;
  };
  const projectFiles = () => {
    const files = projectScenarioFiles(project.dir);
    if (files.length === 0) {
      const folder = path.relative(cwd, project.dir) || ".";
      throw new UsageError(
        `${requests.length === 0 ? "no scenario given, and " : "`all` means the project's scenarios here (the config names its server), but "}the folder ${folder}${path.sep} has no scenario files (.ts, .mts, .js, .mjs): write one there (npx leakcheck init writes a first one), or name a scenario file`,
      );
    }
    return files.map(shown);
  };
  if (requests.length === 0) return projectFiles();
  const expanded: string[] = [];
  for (const request of requests) {
    if (request === "all") {
      if (project.allIsProject) expanded.push(...projectFiles());
      else {
        expanded.push(...BUNDLED_SCENARIOS);
        for (const file of projectScenarioFiles(project.dir)) {
          const name = path.basename(file).replace(/\.(m?[jt]s)$/, "");
          if (!(BUNDLED_SCENARIOS as readonly string[]).includes(name)) expanded.push(shown(file));
        }
      }
      continue;
    }
    const bare = !request.includes("/") && !request.includes(path.sep) && !/\.[cm]?[jt]s$/.test(request);
    const local = bare && !(BUNDLED_SCENARIOS as readonly string[]).includes(request)
      ? EXTENSIONS.map((ext) => path.join(project.dir, `${request}${ext}`)).find((file) => fs.existsSync(file))
      : undefined;
    expanded.push(local ? shown(local) : request);
  }
  return expanded;
}

function resolveScenario(request: string, cwd: string): { file: string; source: string; shown: string } {
  if ((BUNDLED_SCENARIOS as readonly string[]).includes(request)) {
    return { file: path.join(BUNDLED_DIR, `${request}.js`), source: "bundled", shown: request };
  }
  const looksLikePath = request.includes("/") || request.includes(path.sep) || /\.[cm]?[jt]s$/.test(request);
  const candidates = looksLikePath
    ? [path.resolve(cwd, request)]
    : EXTENSIONS.map((ext) => path.join(cwd, "scenarios", `${request}${ext}`));
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    const name = (entry: { file: string }) => path.basename(entry.file).replace(/\.(m?[jt]s)$/, "");
    const listed = listScenarioFiles(cwd);
    // A project with scenarios of its own is offered those: the bundled ones speak the interview protocol.
    const own = listed.filter((entry) => entry.source !== "bundled").map(name);
    const known = own.length > 0 ? own : listed.map(name);
    throw new UsageError(
      looksLikePath
        ? `scenario file ${request} does not exist: check the path`
        : `unknown scenario "${request}"${didYouMean(request, known)}: use one of ${known.join(", ")}${own.length > 0 ? " (in scenarios/)" : ""}, all, or a path to a scenario file`,
    );
  }
  if (!fs.statSync(file).isFile()) throw new UsageError(`scenario file ${request} is a folder: give the path of a .ts, .mts, .js or .mjs file`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (error) {
    throw new UsageError(`scenario file ${request} ${describeFsError(error)}: check its permissions`);
  }
  if (!EXTENSIONS.some((ext) => file.endsWith(ext))) {
    throw new UsageError(`scenario file ${request} is not a .ts, .mts, .js or .mjs file: rename it, or point at the scenario's source file`);
  }
  return { file, source: path.relative(cwd, file) || file, shown: request };
}

async function importScenario(file: string, shown: string): Promise<ScenarioDefinition> {
  let module: { default?: unknown };
  try {
    module = await importWatched(file, shown);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const runner = /\.m?ts$/.test(file) ? "npx tsx" : "node";
    throw new UsageError(`scenario file ${shown} failed to load (${loadProblem(error, file, shown)}): fix the file; \`${runner} ${shown}\` shows the error in full`);
  }
  // tsx may wrap a CommonJS-looking default once more.
  let candidate = module.default;
  if (candidate && typeof candidate === "object" && "default" in candidate && !("session" in candidate)) {
    candidate = (candidate as { default: unknown }).default;
  }
  const problem = shapeProblem(candidate);
  if (problem) {
    throw new UsageError(`scenario file ${shown} ${problem}: \`export default defineScenario({ name, description, session })\``);
  }
  const definition = candidate as ScenarioDefinition;
  const defaults = defaultsSchema.safeParse(definition.defaults ?? {});
  if (!defaults.success) {
    const issue = defaults.error.issues[0];
    const described = describeIssue({ ...issue, path: ["defaults", ...issue.path] }, { defaults: definition.defaults }, () => DEFAULTS_KEYS);
    throw new UsageError(`scenario file ${shown}: ${described}`);
  }
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(definition.name)) {
    throw new UsageError(
      `scenario file ${shown}: name ${JSON.stringify(definition.name)} must start with a letter or digit and hold only letters, digits, dots, dashes or underscores`,
    );
  }
  return { ...definition, description: definition.description ?? "" };
}

/** What is wrong with a default export that should be a scenario, or undefined when nothing is. */
function shapeProblem(candidate: unknown): string | undefined {
  if (candidate === undefined) return "has no default export";
  if (candidate === null || typeof candidate !== "object") return `exports ${candidate === null ? "null" : `a ${typeof candidate}`} by default, not a scenario`;
  const definition = candidate as Record<string, unknown>;
  const got = (value: unknown) => (value === undefined ? "" : ` (got ${showValue(value)})`);
  if (typeof definition.name !== "string") return `exports a scenario without a name${got(definition.name)}`;
  if (typeof definition.session !== "function") return `exports a scenario without a session function${got(definition.session)}`;
  for (const key of ["description", "sessionLabel"]) {
    if (definition[key] !== undefined && typeof definition[key] !== "string") return `exports a scenario whose ${key} is not a string (got ${showValue(definition[key])})`;
  }
  for (const key of ["setup", "teardown"]) {
    if (definition[key] !== undefined && typeof definition[key] !== "function") return `exports a scenario whose ${key} is not a function (got ${showValue(definition[key])})`;
  }
  return undefined;
}

/**
 * Imports a scenario file, guarding against what a file can do to the run while it loads:
 * a top-level await that never settles (the event loop drains and node would exit 13 with
 * no word) and a call to process.exit (leakcheck would end with the file's exit code, 0
 * for a gate that tested nothing).
 */
async function importWatched(file: string, shown: string): Promise<{ default?: unknown }> {
  let onDrained: () => void = () => undefined;
  const drained = new Promise<never>((_, reject) => {
    onDrained = () =>
      reject(new UsageError(`scenario file ${shown} never finished loading (a top-level await that never settles): fix the file`));
  });
  const onExit = (code: number) => {
    // No way back from process.exit: say what happened and make it a usage error.
    process.stderr.write(`leakcheck: scenario file ${shown} called process.exit(${code}) while loading: a scenario file must only export a scenario\n`);
    process.exitCode = ExitCode.usage;
  };
  process.once("beforeExit", onDrained);
  process.once("exit", onExit);
  try {
    const loading = /\.m?ts$/.test(file)
      ? import("tsx/esm/api").then(({ tsImport }) => tsImport(pathToFileURL(file).href, import.meta.url))
      : import(pathToFileURL(file).href);
    return (await Promise.race([loading, drained])) as { default?: unknown };
  } finally {
    process.off("beforeExit", onDrained);
    process.off("exit", onExit);
  }
}

/** The first useful line of a load error, the file named as the user gave it. */
function loadProblem(error: unknown, file: string, shown: string): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  // esbuild (through tsx): "Transform failed with 1 error:" then "<file>:2:14: ERROR: Unexpected ...".
  let problem = lines[0]?.endsWith(":") && lines[1] ? lines[1].replace(" ERROR: ", " ") : (lines[0] ?? "no message");
  problem = problem.split(file).join(shown);
  const name = error instanceof Error && error.name !== "Error" && !problem.startsWith(error.name) ? `${error.name}: ` : "";
  return `${name}${problem}`;
}
