// Every bad-input case, in the order docs/errors.md shows them.
import { configCases, initCases } from "./config-init.js";
import { compareCases, diffCases, listCases, serveCases } from "./other-commands.js";
import { budgetCases, reportDirCases, scenarioCases } from "./run-files.js";
import { runOptionCases, topLevelCases } from "./run-options.js";
import { serverCases } from "./run-servers.js";

export const caseLists = [topLevelCases, runOptionCases, budgetCases, scenarioCases, reportDirCases, configCases, serverCases, listCases, serveCases, diffCases, compareCases, initCases];
