// The interview flow: start, answer, end, resume, question timers and disconnects, over the SessionStore.
import { randomUUID } from "node:crypto";
import { ServerEvent } from "../protocol.js";
import type { AckError, AckErrorCode, EndAck, LeakMode, Question, ResumeAck, StartAck, SubmitAck } from "../protocol.js";
import type { SessionRefPayload, SubmitAnswerPayload } from "../protocol.js";
import { questionBank } from "./questions.js";
import { scoreAnswer } from "./scoring.js";
import type { Session, SessionStore } from "./sessions.js";
import type { StartRequest } from "./validate.js";

/** What the flow needs from Socket.IO, so it can be reasoned about without a server. */
export interface SocketPort {
  emit(socketId: string, event: string, payload: object): void;
  isConnected(socketId: string): boolean;
  disconnect(socketId: string): void;
}

export interface ClientInfo {
  socketId: string;
  address: string;
  userAgent: string;
}

export type Reply<T> = (ack: T) => void;

/** Builds an error ack. */
export function ackError(error: AckErrorCode, message: string): AckError {
  return { ok: false, error, message };
}

/** Runs interviews for one server: every state change goes through here and store.free. */
export class InterviewFlow {
  constructor(
    private readonly store: SessionStore,
    private readonly sockets: SocketPort,
    private readonly leak: LeakMode,
    private readonly resumeGraceMs: number,
  ) {}

  /** start-interview: a new session with its first question's timer running. */
  start(client: ClientInfo, req: StartRequest, reply: Reply<StartAck>): void {
    const current = this.store.socketToSession.get(client.socketId);
    if (current !== undefined) return reply(ackError("conflict", `this connection already has session ${current}; end it first`));
    const id = randomUUID();
    const now = Date.now();
    const session: Session = {
      id,
      candidateId: req.candidateId,
      role: req.role,
      socketId: client.socketId,
      state: "active",
      questions: questionBank.generate(id, req.role, req.questionCount, req.questionTimeMs),
      currentIndex: 0,
      answers: [],
      startedAt: now,
      questionTimeMs: req.questionTimeMs,
      questionAskedAt: now,
      client: { address: client.address, userAgent: client.userAgent },
    };
    this.store.activeSessions.set(id, session);
    this.store.statsOf(id);
    this.store.socketToSession.set(client.socketId, id);
    this.armQuestionTimer(session);
    reply({ ok: true, sessionId: id, question: questionOf(session) });
  }

  /** submit-answer: scores the current question and moves on, completing after the last. */
  submit(socketId: string, req: SubmitAnswerPayload, reply: Reply<SubmitAck>): void {
    const session = this.owned(socketId, req.sessionId, reply);
    if (!session) return;
    if (req.questionIndex !== session.currentIndex) {
      return reply(ackError("conflict", `question ${req.questionIndex} is not the current one; the current question is ${session.currentIndex}`));
    }
    this.store.clearTimer(session.id);
    const question = session.questions[session.currentIndex];
    const now = Date.now();
    const score = scoreAnswer(req.answer, question.keywords);
    const responseTimeMs = now - session.questionAskedAt;
    session.answers.push({ index: question.index, text: req.answer, score, responseTimeMs, submittedAt: now, timedOut: false });
    const stats = this.store.statsOf(session.id);
    stats.responseTimesMs.push(responseTimeMs);
    stats.scores.push(score);
    stats.totalScore += score;
    stats.answered += 1;
    stats.averageResponseMs = Math.round(stats.responseTimesMs.reduce((a, b) => a + b, 0) / stats.responseTimesMs.length);
    stats.lastActivityAt = now;
    session.currentIndex += 1;
    if (session.currentIndex >= session.questions.length) {
      // Ack first, then the event: a client awaiting the ack sees done:true before interview-complete.
      const finish = this.complete(session);
      reply({ ok: true, score, done: true });
      return finish();
    }
    this.armQuestionTimer(session);
    reply({ ok: true, score, next: questionOf(session), done: false });
  }

  /** end-interview: frees the session early, with the same cleanup as completion. */
  end(socketId: string, req: SessionRefPayload, reply: Reply<EndAck>): void {
    const session = this.owned(socketId, req.sessionId, reply);
    if (!session) return;
    this.store.free(session.id, "ended");
    reply({ ok: true });
  }

  /** resume-interview: reattaches a held session (or takes one over from a stale connection). */
  resume(socketId: string, req: SessionRefPayload, reply: Reply<ResumeAck>): void {
    const { activeSessions, socketToSession } = this.store;
    const session = activeSessions.get(req.sessionId);
    if (!session) return reply(ackError("unknown-session", `no session ${req.sessionId}: it ended or its resume grace period ran out`));
    const mine = socketToSession.get(socketId);
    if (mine !== undefined && mine !== session.id) {
      return reply(ackError("conflict", `this connection already has session ${mine}; end it before resuming another`));
    }
    if (session.socketId === socketId && session.state === "active") return reply({ ok: true, question: questionOf(session) });
    const previous = session.socketId;
    // Detach before disconnecting: the old socket's disconnect handler must not find (and free) the session.
    if (socketToSession.get(previous) === session.id) socketToSession.delete(previous);
    if (session.state === "active" && this.sockets.isConnected(previous)) this.sockets.disconnect(previous);
    this.store.clearTimer(session.id);
    session.socketId = socketId;
    session.state = "active";
    session.heldAt = undefined;
    socketToSession.set(socketId, session.id);
    this.armQuestionTimer(session);
    reply({ ok: true, question: questionOf(session) });
  }

  /** A socket went away: free its session, hold it for the grace period, or (leak mode) forget it. */
  disconnected(socketId: string): void {
    // `disconnect` mode is the seed's bug: no cleanup at all, every entry and the timer stay.
    if (this.leak === "disconnect") return;
    const sessionId = this.store.socketToSession.get(socketId);
    if (sessionId === undefined) return;
    const session = this.store.activeSessions.get(sessionId);
    if (!session) {
      this.store.socketToSession.delete(socketId);
      return;
    }
    if (this.resumeGraceMs <= 0) {
      this.store.free(sessionId, "disconnect");
      return;
    }
    this.hold(session);
  }

  /** Frees every session and clears every timer still in the Map: the server is closing. */
  shutdown(): void {
    for (const sessionId of [...this.store.activeSessions.keys()]) this.store.free(sessionId, "shutdown");
    for (const sessionId of [...this.store.questionTimers.keys()]) this.store.clearTimer(sessionId);
    this.store.performanceCache.clear();
    this.store.socketToSession.clear();
  }

  // Keeps a disconnected session for resume-interview; the grace timer lives in questionTimers so the gauge shows it.
  private hold(session: Session): void {
    // `timers` mode: the disconnect path forgets the question timer; the grace timer below supersedes its entry.
    if (this.leak !== "timers") this.store.clearTimer(session.id);
    this.store.socketToSession.delete(session.socketId);
    session.state = "held";
    session.heldAt = Date.now();
    const id = session.id;
    const timer: NodeJS.Timeout = setTimeout(() => {
      if (this.store.questionTimers.get(id) !== timer) return;
      this.store.free(id, "grace-expired");
    }, this.resumeGraceMs);
    this.store.questionTimers.set(id, timer);
  }

  private armQuestionTimer(session: Session): void {
    const id = session.id;
    const index = session.currentIndex;
    const timer: NodeJS.Timeout = setTimeout(() => this.onQuestionTimeout(id, index, timer), session.questionTimeMs);
    this.store.questionTimers.set(id, timer);
    session.questionAskedAt = Date.now();
  }

  private onQuestionTimeout(sessionId: string, index: number, timer: NodeJS.Timeout): void {
    const { activeSessions, questionTimers } = this.store;
    const session = activeSessions.get(sessionId);
    const isCurrent = questionTimers.get(sessionId) === timer;
    if (!session || !isCurrent || session.state !== "active" || session.currentIndex !== index) {
      // A stale timer (the `timers` leak, or one superseded by a grace timer): drop only its own entry.
      if (isCurrent) questionTimers.delete(sessionId);
      return;
    }
    // Only reachable in `disconnect` mode: the candidate is gone and nobody noticed, so the session stalls.
    if (!this.sockets.isConnected(session.socketId)) return;
    const now = Date.now();
    session.answers.push({ index, text: "", score: 0, responseTimeMs: now - session.questionAskedAt, submittedAt: now, timedOut: true });
    const stats = this.store.statsOf(sessionId);
    stats.timeouts += 1;
    stats.lastActivityAt = now;
    this.sockets.emit(session.socketId, ServerEvent.questionTimeout, { sessionId, index });
    session.currentIndex += 1;
    if (session.currentIndex >= session.questions.length) {
      this.complete(session)();
      return;
    }
    this.armQuestionTimer(session);
    this.sockets.emit(session.socketId, ServerEvent.question, { sessionId, ...questionOf(session) });
  }

  // Frees a finished session now and returns the announcement, so callers can ack before it goes out.
  private complete(session: Session): () => void {
    const socketId = session.socketId;
    const result = this.store.free(session.id, "completed");
    const event = { sessionId: session.id, totalScore: result?.totalScore ?? 0, answered: result?.answered ?? 0 };
    return () => this.sockets.emit(socketId, ServerEvent.interviewComplete, event);
  }

  // The session if this socket owns it; otherwise replies unknown-session or forbidden.
  private owned(socketId: string, sessionId: string, reply: Reply<AckError>): Session | undefined {
    const session = this.store.activeSessions.get(sessionId);
    if (!session) {
      reply(ackError("unknown-session", `no session ${sessionId}: it ended, timed out or never existed`));
      return undefined;
    }
    if (session.socketId !== socketId || session.state !== "active") {
      reply(ackError("forbidden", `session ${sessionId} belongs to another connection; resume it with resume-interview first`));
      return undefined;
    }
    return session;
  }
}

function questionOf(session: Session): Question {
  const { index, text, timeLimitMs } = session.questions[session.currentIndex];
  return { index, text, timeLimitMs };
}
