// Failed sessions as every report says them: the count beside `sessions` is the judged
// sessions' (after the warm-up), as in the judge's "N of M sessions failed"; the warm-up's
// failures are said apart, so the two figures never disagree (a new user saw "15 failed"
// above "10 of 80 sessions failed").

import type { LoadSummary } from "../report-schema/scenario.js";

/** `10 failed (+5 in warm-up)`, or `10 failed` when the warm-up lost none. */
export function failedSessionsText(load: Pick<LoadSummary, "failed" | "warmupFailed">): string {
  const warmup = load.warmupFailed ?? 0;
  return `${load.failed.toLocaleString("en-US")} failed${warmup > 0 ? ` (+${warmup.toLocaleString("en-US")} in warm-up)` : ""}`;
}

/**
 * Judged sessions that failed while the scenario still passed the failed-sessions limit: the
 * count alone gave no hint where they stuck (a new user saw `1` in report.md and nothing
 * more after a session that hung for 60 s). Undefined when none failed, or a reason says so.
 */
export function failedSessionsNote(scenario: { load: Pick<LoadSummary, "failed" | "failures">; reasons: string[]; sessions: number }): string | undefined {
  const { failed, failures } = scenario.load;
  if (failed === 0 || scenario.reasons.some((reason) => / sessions failed/.test(reason))) return undefined;
  const causes = failures.slice(0, 3).map((failure) => `${failure.message} (${failure.count.toLocaleString("en-US")})`);
  const of = `${failed.toLocaleString("en-US")} of ${scenario.sessions.toLocaleString("en-US")} sessions failed, too few to fail the scenario`;
  return causes.length > 0 ? `${of}: ${causes.join("; ")}` : of;
}
