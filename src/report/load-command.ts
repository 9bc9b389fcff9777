// --load (issue 12): the command ran the clients, so leakcheck counted none of them. Its
// reports say so instead of printing `peak 0 clients · ack p50 0 ms` as if measured.

import type { ScenarioResult } from "../report-schema/scenario.js";

export const MEASURED_BY_LOAD_COMMAND = "clients, failures and latency: measured by the load command, not leakcheck";

/** True when a --load command drove the sessions (report.json then has null for what it did not count). */
export function drivenByLoadCommand(scenario: Pick<ScenarioResult, "externalLoad" | "load">): boolean {
  return scenario.externalLoad !== undefined || scenario.load.ackLatencyMs === null;
}
