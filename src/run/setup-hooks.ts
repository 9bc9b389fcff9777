// A scenario's per-run hooks: setup(run) after the server is ready and before the warm-up,
// its value handed to every session as ctx.setup; teardown(run, value) before the server stops.

import { oneLine, RunError } from "../errors.js";
import type { ScenarioDefinition } from "../scenario/define.js";
import type { CleanupStack } from "./cleanup.js";

/** Runs the scenario's setup hook, and registers its teardown to run before the server stops. */
export async function runSetup(
  scenario: ScenarioDefinition,
  url: string,
  settings: { sessions: number; warmup: number; concurrency: number },
  seed: number,
  signal: AbortSignal,
  cleanup: CleanupStack,
): Promise<unknown> {
  if (!scenario.setup && !scenario.teardown) return undefined;
  const run = { url, scenario: scenario.name, seed, sessions: settings.sessions, warmup: settings.warmup, concurrency: settings.concurrency, signal };
  let value: unknown;
  try {
    value = await scenario.setup?.(run);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new RunError(`the setup of ${scenario.name} failed: ${oneLine(error)}: fix the scenario's setup(run)`);
  }
  if (scenario.teardown) {
    const teardown = scenario.teardown;
    cleanup.push(`the teardown of ${scenario.name}`, async () => {
      try {
        await teardown(run, value);
      } catch (error) {
        throw new Error(`${oneLine(error)}: fix the scenario's teardown(run, setup)`);
      }
    });
  }
  return value;
}
