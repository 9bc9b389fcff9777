// The ways a session fails on its client, as error classes with a `kind`: the load
// statistics group failures by kind (one line per cause, shown with a real example),
// and fail-fast names what to check for the kind that dominates.

/** A closed set of failure causes the driver itself can tell apart. */
export type FailureKind =
  | "connect-refused"
  | "connect-failed"
  | "connect-timeout"
  | "ack-timeout"
  | "wait-timeout"
  | "client-closed"
  | "error-ack"
  | "session-timeout";

/** An error that knows its cause's kind and the key it is grouped under. */
export class LoadError extends Error {
  override name = "LoadError";
  constructor(
    readonly kind: FailureKind,
    /** Failures with the same key are one cause: the message without its numbers and ids. */
    readonly groupKey: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server answered the namespace CONNECT with an error (bad namespace, auth middleware refusing). */
export class ConnectRefusedError extends LoadError {
  override name = "ConnectRefusedError";
  constructor(readonly target: string, readonly serverMessage: string) {
    super("connect-refused", `connect-refused ${target} ${serverMessage}`, `the server refused the connection to ${target}: ${serverMessage}`);
  }
}

/** No connection at all: nothing listening, TLS refused, handshake rejected. */
export class ConnectFailedError extends LoadError {
  override name = "ConnectFailedError";
  constructor(readonly target: string, cause: string) {
    super("connect-failed", `connect-failed ${target} ${cause.replace(/\d+/g, "N")}`, `could not connect to ${target}: ${cause}`);
  }
}

/** The connection was not accepted in time. */
export class ConnectTimeoutError extends LoadError {
  override name = "ConnectTimeoutError";
  constructor(readonly target: string, readonly timeoutMs: number) {
    super("connect-timeout", `connect-timeout ${target}`, `could not connect to ${target} within ${timeoutMs} ms`);
  }
}

/** emitWithAck got no acknowledgement within the ack timeout. */
export class AckTimeoutError extends LoadError {
  override name = "AckTimeoutError";
  constructor(readonly event: string, readonly timeoutMs: number) {
    super("ack-timeout", `ack-timeout ${event}`, `no ack for "${event}" within ${timeoutMs} ms`);
  }
}

/** waitFor saw no matching event in time. */
export class WaitTimeoutError extends LoadError {
  override name = "WaitTimeoutError";
  constructor(readonly event: string, readonly timeoutMs: number) {
    super("wait-timeout", `wait-timeout ${event}`, `no "${event}" event within ${timeoutMs} ms`);
  }
}

/** The connection went away while something waited on it. */
export class ClientClosedError extends LoadError {
  override name = "ClientClosedError";
  constructor(readonly reason: string, waitingFor?: string) {
    super("client-closed", `client-closed ${reason} ${waitingFor ?? ""}`, `client closed (${reason})${waitingFor ? ` while waiting for ${waitingFor}` : ""}`);
  }
}

/**
 * The server acknowledged with an error where the scenario expected success: throw it from
 * a scenario (or a helper) to have it counted among the error acks, grouped by event and code.
 */
export class ProtocolError extends LoadError {
  override name = "ProtocolError";
  constructor(readonly event: string, readonly code: string, detail = "") {
    super("error-ack", `error-ack ${event} ${code}`, `${event}: ${code}${detail ? ` (${detail})` : ""}`);
  }
}

/** The whole session ran out of --session-timeout. */
export class SessionTimeoutError extends LoadError {
  override name = "SessionTimeoutError";
  constructor(readonly timeoutMs: number) {
    super("session-timeout", "session-timeout", `session timed out after ${timeoutMs} ms`);
  }
}

/** The grouping key of any error a session ended with. */
export function failureKey(error: unknown): string {
  if (error instanceof LoadError) return error.groupKey;
  const message = error instanceof Error ? error.message : String(error);
  // Someone else's error: its text without ids and numbers, so one cause is one line.
  return message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>").replace(/\d+/g, "N");
}
