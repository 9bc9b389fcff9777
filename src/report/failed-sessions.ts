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
