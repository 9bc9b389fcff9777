// `leakcheck list`: the scenarios found, one line each.

import type { Command } from "commander";
import { loadScenarios } from "../scenario/loader.js";

/** Registers `list` on the program. */
export function registerList(program: Command): void {
  program
    .command("list")
    .description("list the scenarios found: bundled ones and files in ./scenarios/")
    .action(async () => {
      const loaded = await loadScenarios(["all"]);
      const width = Math.max(...loaded.map((scenario) => scenario.definition.name.length));
      for (const { definition, source } of loaded) {
        const origin = source === "bundled" ? "" : `  (${source})`;
        process.stdout.write(`${definition.name.padEnd(width)}  ${definition.description}${origin}\n`);
      }
    });
}
