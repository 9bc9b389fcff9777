// `leakcheck list`: the scenarios found, one line each.

import type { Command } from "commander";
import path from "node:path";
import { expandRequests, loadScenarios } from "../scenario/loader.js";
import { loadProjectConfig } from "./config.js";

/** Registers `list` on the program. */
export function registerList(program: Command): void {
  program
    .command("list")
    .description("list the scenarios \`run all\` runs: the bundled ones and the project's (./scenarios/ or the config's folder); the project's alone when its config names its server")
    .action(async () => {
      // What `run all` runs: with a config naming the project's server, its scenarios alone.
      const config = await loadProjectConfig();
      const allIsProject = config?.server !== undefined || config?.url !== undefined;
      const loaded = await loadScenarios(expandRequests(["all"], { dir: config?.scenariosDir ?? path.resolve("scenarios"), allIsProject }));
      const width = Math.max(...loaded.map((scenario) => scenario.definition.name.length));
      for (const { definition, source } of loaded) {
        const origin = source === "bundled" ? "" : `  (${source})`;
        process.stdout.write(`${definition.name.padEnd(width)}  ${definition.description}${origin}\n`);
      }
    });
}
