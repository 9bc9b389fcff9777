// The interview protocol on top of a Socket.IO client: typed calls that time the
// acks, count protocol errors, and know how to vanish or lose their network.

import {
  ClientEvent,
  type AckError,
  type Question,
  type ResumeAck,
  type StartAck,
  type StartInterviewPayload,
  type SubmitAck,
} from "../protocol.js";
import type { ProxyLink } from "./fault-proxy.js";
import type { SioClient, VanishKind } from "./sio-client.js";
import type { LoadStats } from "./stats.js";

/** An ack with ok:false (or no ack shape at all) where the scenario expected success. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  constructor(readonly event: string, readonly code: string, message: string) {
    super(`${event}: ${code}${message ? ` (${message})` : ""}`);
  }
}

/** How a network goes away under a live connection. */
export type NetworkFault = "silent" | "reset";

export class InterviewClient {
  constructor(
    readonly socket: SioClient,
    private readonly stats: LoadStats,
    private readonly link: (() => ProxyLink | undefined) | undefined,
    private readonly serverGiveUpMs: number,
  ) {}

  /** Starts an interview; resolves with the session id and the first question. */
  async start(payload: StartInterviewPayload): Promise<{ sessionId: string; question: Question }> {
    const ack = (await this.call(ClientEvent.startInterview, payload)) as StartAck;
    return expectOk(ClientEvent.startInterview, ack, this.stats);
  }

  /** Answers the current question. */
  async answer(sessionId: string, questionIndex: number, answer: string): Promise<{ score: number; next?: Question; done: boolean }> {
    const ack = (await this.call(ClientEvent.submitAnswer, { sessionId, questionIndex, answer })) as SubmitAck;
    return expectOk(ClientEvent.submitAnswer, ack, this.stats);
  }

  /** Ends the interview early. */
  async end(sessionId: string): Promise<void> {
    const ack = (await this.call(ClientEvent.endInterview, { sessionId })) as { ok: true } | AckError;
    expectOk(ClientEvent.endInterview, ack, this.stats);
  }

  /** Asks to resume a session; `unknown-session` is a normal answer (the grace ran out), not an error. */
  async resume(sessionId: string): Promise<ResumeAck> {
    const ack = (await this.call(ClientEvent.resumeInterview, { sessionId })) as ResumeAck;
    if (!isAck(ack) || (!ack.ok && ack.error !== "unknown-session")) expectOk(ClientEvent.resumeInterview, ack, this.stats);
    return ack;
  }

  /** Sends any event with any payload and returns the raw ack; never counted as an error. */
  send(event: string, payload: unknown): Promise<unknown> {
    return this.call(event, payload);
  }

  /** Waits for a server event. */
  waitFor(event: string, timeoutMs: number, filter?: (payload: unknown) => boolean): Promise<unknown> {
    return this.socket.waitFor(event, timeoutMs, filter);
  }

  /** A polite Socket.IO disconnect. */
  disconnect(): void {
    this.socket.disconnect();
  }

  /** Goes away without end-interview: a closed tab (`close`), a crash (`end`), or a reset (`reset`). */
  vanish(kind: VanishKind): void {
    this.socket.vanish(kind);
  }

  /** Cuts the network under this client (only for clients connected through the proxy). */
  dropNetwork(fault: NetworkFault): void {
    const link = this.link?.();
    if (!link) throw new Error("dropNetwork needs a client connected with { via: \"proxy\" }");
    if (fault === "reset") link.reset();
    else link.blackhole(this.serverGiveUpMs);
  }

  /** Resolves with the reason once the connection is gone (after a drop: the ping timeout). */
  closed(): Promise<string> {
    return this.socket.closed();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  private async call(event: string, payload: unknown): Promise<unknown> {
    const started = performance.now();
    const ack = await this.socket.request(event, payload);
    this.stats.latency.record(performance.now() - started);
    this.stats.acks++;
    return ack;
  }
}

function isAck(ack: unknown): ack is { ok: boolean } {
  return typeof ack === "object" && ack !== null && typeof (ack as { ok?: unknown }).ok === "boolean";
}

function expectOk<T extends object>(event: string, ack: ({ ok: true } & T) | AckError, stats: LoadStats): { ok: true } & T {
  if (!isAck(ack)) {
    stats.errorAcks++;
    throw new ProtocolError(event, "malformed-ack", JSON.stringify(ack)?.slice(0, 80) ?? "undefined");
  }
  if (!ack.ok) {
    stats.errorAcks++;
    throw new ProtocolError(event, ack.error, ack.message);
  }
  return ack;
}
