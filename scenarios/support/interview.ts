// The interview protocol (CONTRACT §1) as a helper for scenarios, built on the generic
// client: typed calls whose ok:false acks fail the session as error acks. The bundled
// scenarios use it; users testing a server that speaks this protocol import it from
// "leakcheck/interview".

import {
  ClientEvent,
  ProtocolError,
  type Ack,
  type ConnectOptions,
  type NetworkFault,
  type Question,
  type ResumeAck,
  type SessionClient,
  type SessionContext,
  type StartInterviewPayload,
  type VanishKind,
} from "../../src/index.js";

const WORDS = ["closure", "event", "loop", "heap", "map", "timer", "socket", "stream", "buffer", "promise", "cache", "graph"];

/** A candidate id unique in the run (and across runs with other seeds). */
export function candidateId(ctx: SessionContext<unknown>): string {
  return `candidate-${ctx.seed}-${ctx.index}`;
}

/** A plausible answer of a few words, from the session's rng (so --seed replays it). */
export function answerText(ctx: SessionContext<unknown>): string {
  return Array.from({ length: ctx.rng.int(3, 12) }, () => ctx.rng.pick(WORDS)).join(" ");
}

/** One candidate's connection speaking the interview protocol. */
export class InterviewClient {
  constructor(
    /** The client underneath: emitWithAck, waitFor, vanish and the rest, as ctx.connect's. */
    readonly client: SessionClient,
  ) {}

  /**
   * Connects (counted in the load figures, closed when the session ends) and wraps the
   * client. Under leakcheck, plain-HTTP main-namespace connections take its lean WebSocket
   * client, which the conformance tests hold to socket.io-client's behaviour and which costs
   * the driver less than half the CPU; any other options, or a context without it, take ctx.connect.
   */
  static async connect(ctx: SessionContext<unknown>, options?: ConnectOptions): Promise<InterviewClient> {
    const lean = (ctx as unknown as Record<symbol, ((options?: ConnectOptions) => Promise<SessionClient>) | undefined>)[Symbol.for("leakcheck.leanConnect")];
    return new InterviewClient(lean ? await lean(options) : await ctx.connect(options));
  }

  /** Starts an interview; resolves with the session id and the first question. */
  async start(payload: StartInterviewPayload): Promise<{ sessionId: string; question: Question }> {
    return expectOk(ClientEvent.startInterview, await this.client.emitWithAck(ClientEvent.startInterview, payload));
  }

  /** Answers the current question. */
  async answer(sessionId: string, questionIndex: number, answer: string): Promise<{ score: number; next?: Question; done: boolean }> {
    return expectOk(ClientEvent.submitAnswer, await this.client.emitWithAck(ClientEvent.submitAnswer, { sessionId, questionIndex, answer }));
  }

  /** Ends the interview early. */
  async end(sessionId: string): Promise<void> {
    expectOk<object>(ClientEvent.endInterview, await this.client.emitWithAck(ClientEvent.endInterview, { sessionId }));
  }

  /** Asks to resume a session; `unknown-session` is a normal answer (the grace ran out), not an error. */
  async resume(sessionId: string): Promise<ResumeAck> {
    const ack = (await this.client.emitWithAck(ClientEvent.resumeInterview, { sessionId })) as ResumeAck;
    if (!isAck(ack) || (!ack.ok && ack.error !== "unknown-session")) expectOk(ClientEvent.resumeInterview, ack);
    return ack;
  }

  /** Sends any event with any payload and returns the raw ack; never an error by itself. */
  send(event: string, payload: unknown): Promise<unknown> {
    return this.client.emitWithAck(event, payload);
  }

  waitFor(event: string, timeoutMs: number, filter?: (payload: any) => boolean): Promise<any> {
    return this.client.waitFor(event, timeoutMs, filter);
  }

  disconnect(): void {
    this.client.disconnect();
  }

  /** Goes away without end-interview: a closed tab (`close`), a crash (`end`), or a reset (`reset`). */
  vanish(kind: VanishKind): void {
    this.client.vanish(kind);
  }

  dropNetwork(fault: NetworkFault): void {
    this.client.dropNetwork(fault);
  }

  closed(): Promise<string> {
    return this.client.closed();
  }

  get connected(): boolean {
    return this.client.connected;
  }
}

function isAck(ack: unknown): ack is { ok: boolean } {
  return typeof ack === "object" && ack !== null && typeof (ack as { ok?: unknown }).ok === "boolean";
}

/** The ack's success fields, or a ProtocolError (counted as an error ack) naming the event and code. */
function expectOk<T extends object>(event: string, ack: unknown): { ok: true } & T {
  if (!isAck(ack)) throw new ProtocolError(event, "malformed-ack", JSON.stringify(ack)?.slice(0, 80) ?? "undefined");
  const answer = ack as Ack<T>;
  if (!answer.ok) throw new ProtocolError(event, answer.error, answer.message);
  return answer;
}
