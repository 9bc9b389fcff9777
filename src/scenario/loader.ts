// Finding scenarios: a bundled name, a file in ./scenarios/, or a path to a user's file
// (.js/.mjs as is, .ts/.mts through tsx, so users write scenarios the way ours are written).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { ScenarioDefinition } from "./define.js";

export const BUNDLED_SCENARIOS = ["normal-completion", "abrupt-close", "network-drop", "random-churn"] as const;

// A scenario's own defaults are input too: zero sessions would pass having tested nothing.
const whole = (min: number) => z.number().int().min(min);
const defaultsSchema = z
  .object({
    sessions: whole(1).max(1_000_000),
    concurrency: whole(1).max(15_000),
    rounds: whole(1).max(100),
    warmup: whole(0).max(1_000_000),
    httpLoad: z.boolean(),
    resumeGraceMs: whole(0).max(3_600_000),
  })
  .partial()
  .strict();

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
  const files: { file: string; source: string }[] = [];
  for (const request of requests) {
    if (request === "all") {
      for (const found of listScenarioFiles(cwd)) files.push(found);
    } else {
      files.push(resolveScenario(request, cwd));
    }
  }
  const seen = new Set<string>();
  const loaded: LoadedScenario[] = [];
  for (const { file, source } of files) {
    if (seen.has(file)) continue;
    seen.add(file);
    const definition = await importScenario(file);
    if (loaded.some((other) => other.definition.name === definition.name)) {
      throw new UsageError(`two scenarios are named "${definition.name}" (${file}): give one another name`);
    }
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

function resolveScenario(request: string, cwd: string): { file: string; source: string } {
  if ((BUNDLED_SCENARIOS as readonly string[]).includes(request)) {
    return { file: path.join(BUNDLED_DIR, `${request}.js`), source: "bundled" };
  }
  const looksLikePath = request.includes("/") || request.includes(path.sep) || EXTENSIONS.some((ext) => request.endsWith(ext));
  const candidates = looksLikePath
    ? [path.resolve(cwd, request)]
    : EXTENSIONS.map((ext) => path.join(cwd, "scenarios", `${request}${ext}`));
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    const known = listScenarioFiles(cwd).map((entry) => path.basename(entry.file).replace(/\.(m?[jt]s)$/, ""));
    throw new UsageError(
      looksLikePath
        ? `scenario file ${request} does not exist: check the path`
        : `unknown scenario "${request}": use one of ${known.join(", ")}, all, or a path to a scenario file`,
    );
  }
  return { file, source: path.relative(cwd, file) || file };
}

async function importScenario(file: string): Promise<ScenarioDefinition> {
  let module: { default?: unknown };
  try {
    if (/\.m?ts$/.test(file)) {
      const { tsImport } = await import("tsx/esm/api");
      module = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
    } else {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError(`scenario file ${file} failed to load (${message}): fix the file, or run it with node to see the error`);
  }
  // tsx may wrap a CommonJS-looking default once more.
  let candidate = module.default;
  if (candidate && typeof candidate === "object" && "default" in candidate && !("session" in candidate)) {
    candidate = (candidate as { default: unknown }).default;
  }
  const definition = candidate as Partial<ScenarioDefinition> | undefined;
  if (!definition || typeof definition !== "object" || typeof definition.name !== "string" || typeof definition.session !== "function") {
    throw new UsageError(
      `scenario file ${file} does not export a scenario: \`export default defineScenario({ name, description, session })\``,
    );
  }
  const defaults = defaultsSchema.safeParse(definition.defaults ?? {});
  if (!defaults.success) {
    const issue = defaults.error.issues[0];
    throw new UsageError(`scenario file ${file}: defaults.${issue.path.join(".")}: ${issue.message}`);
  }
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(definition.name)) {
    throw new UsageError(`scenario file ${file}: name "${definition.name}" must be letters, digits, dots, dashes or underscores`);
  }
  return { description: "", ...definition } as ScenarioDefinition;
}
