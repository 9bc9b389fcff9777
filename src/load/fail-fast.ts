// Fail fast: when the first sessions of a scenario all fail, the rest would too (a wrong
// namespace, a refused token, an event the server does not handle). Stop at once and say
// what to check, instead of timing out thousands of sessions one by one (issue 10: a wrong
// namespace took 7 minutes to exit 3).

import { RunError } from "../errors.js";
import type { FailureKind } from "./failures.js";
import type { LoadStats } from "./stats.js";

/** Failed sessions, with none finished, after which the scenario stops. */
export const FAIL_FAST_AFTER = 20;

/** The first sessions all failed; `serverAnswered` when the cause proves the server alive (no crash to wait for). */
export class FailFastError extends RunError {
  constructor(message: string, readonly serverAnswered: boolean) {
    super(message);
  }
}

/** Kinds of failure that only a live server produces. */
const ANSWERED: readonly (FailureKind | undefined)[] = ["connect-refused", "ack-timeout", "wait-timeout", "error-ack"];

/**
 * A FailFastError when no session has finished and `after` have failed, else undefined.
 * After a warm-up that failed whole, `after` is its size: a warm-up of 5 sessions that all
 * hung must not wait for 15 more to time out before saying so.
 */
export function failFastError(stats: LoadStats, scenario: string, after = FAIL_FAST_AFTER): FailFastError | undefined {
  if (stats.sessionsFinished > 0 || stats.sessionsFailed < Math.max(1, after)) return undefined;
  const top = stats.topFailure();
  if (!top) return undefined;
  const share = top.count === stats.sessionsFailed ? `all with` : `${top.count} of them with`;
  return new FailFastError(
    `the first ${stats.sessionsFailed} sessions of ${scenario} all failed, ${share}: ${top.message}: ${whatToCheck(top.kind, top.message)}`,
    ANSWERED.includes(top.kind),
  );
}

/** The likely cause of a kind of failure, as what to check. */
export function whatToCheck(kind: FailureKind | undefined, message: string): string {
  switch (kind) {
    case "connect-refused":
      return /invalid namespace/i.test(message)
        ? "the server has no such namespace: check ctx.connect({ namespace }) against the server's io.of(...)"
        : "the server's middleware refused the handshake: check the auth, query or headers given to ctx.connect()";
    case "connect-failed":
      return "check that the server listens there, its Socket.IO path (--socketio-path or ctx.connect({ path })), and for https --ca or --insecure";
    case "connect-timeout":
      return "the server accepted no connection in time: check --url and --socketio-path";
    case "ack-timeout":
      return "check the event name and namespace, and that the server's handler calls its acknowledgement callback (raise --ack-timeout if it is only slow)";
    case "wait-timeout":
      return "check the event name the scenario waits for and that the server emits it to this client";
    case "client-closed":
      return "the server closed the connection: check its log";
    case "error-ack":
      return "the server answered with an error: check the payloads the scenario sends";
    case "session-timeout":
      return "each session ran out of --session-timeout: raise it, or check what the session waits for";
    default:
      return "the scenario threw this itself: fix the scenario";
  }
}
