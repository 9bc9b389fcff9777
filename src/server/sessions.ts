// Interview state: the seed's four Maps and the one function that frees a session from all of them.
import { bytesLeakOf, type FreeReason, type LeakMode, type RecentResult } from "../protocol.js";
import { keepEndedNote } from "./ended-notes.js";
import type { SessionQuestion } from "./questions.js";
import { RecentResults } from "./results.js";

export interface RecordedAnswer {
  index: number;
  text: string;
  score: number;
  responseTimeMs: number;
  submittedAt: number;
  timedOut: boolean;
}

export interface Session {
  id: string;
  candidateId: string;
  role: string;
  /** The socket the session is attached to; after a disconnect, the one it was attached to. */
  socketId: string;
  /** "held": its socket disconnected and it waits out the resume grace period. */
  state: "active" | "held";
  questions: SessionQuestion[];
  currentIndex: number;
  answers: RecordedAnswer[];
  startedAt: number;
  questionTimeMs: number;
  questionAskedAt: number;
  heldAt?: number;
  client: { address: string; userAgent: string };
}

/** Per-session statistics, kept apart from the session as the seed's performanceCache was. */
export interface PerformanceStats {
  responseTimesMs: number[];
  scores: number[];
  totalScore: number;
  answered: number;
  timeouts: number;
  averageResponseMs: number;
  lastActivityAt: number;
}

/** The four Maps of the seed, the bounded recent results, and the cleanup that empties the Maps. */
export class SessionStore {
  readonly activeSessions = new Map<string, Session>();
  readonly questionTimers = new Map<string, NodeJS.Timeout>();
  readonly performanceCache = new Map<string, PerformanceStats>();
  readonly socketToSession = new Map<string, string>();
  readonly recent: RecentResults;
  /** `bytes:N[:max:M]` mode: what to keep of every ended session. */
  private readonly notes: { bytes: number; max?: number } | undefined;

  constructor(
    private readonly leak: LeakMode,
    recentResultsMax: number,
    private readonly log: (line: string) => void,
  ) {
    this.recent = new RecentResults(recentResultsMax);
    this.notes = bytesLeakOf(leak);
  }

  /** Stops and forgets the session's pending timer (question or grace), if any. */
  clearTimer(sessionId: string): void {
    const timer = this.questionTimers.get(sessionId);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.questionTimers.delete(sessionId);
  }

  /** Frees a session on every path (completion, early end, disconnect, grace expiry): the one cleanup. */
  free(sessionId: string, reason: FreeReason): RecentResult | undefined {
    const session = this.activeSessions.get(sessionId);
    if (!session) return undefined;
    // `timers` mode: the disconnect path forgets the question timer, which later fires for a session that is gone.
    const keepTimer = this.leak === "timers" && reason === "disconnect";
    if (!keepTimer) this.clearTimer(sessionId);
    const stats = this.performanceCache.get(sessionId);
    // `cache` mode: the normal-flow paths forget the stats entry; the disconnect path still removes it.
    const keepStats = this.leak === "cache" && (reason === "completed" || reason === "ended");
    if (!keepStats) this.performanceCache.delete(sessionId);
    this.activeSessions.delete(sessionId);
    // Only drop the socket's mapping if it still points here: a takeover may have moved the socket on.
    if (this.socketToSession.get(session.socketId) === sessionId) this.socketToSession.delete(session.socketId);
    const result = resultOf(session, stats, reason);
    this.recent.add(result);
    // `bytes:N` mode: a note per ended session, whatever ended it, kept forever (or the newest M).
    if (this.notes && reason !== "shutdown") keepEndedNote(reason, this.notes.bytes, this.notes.max);
    this.log(`Cleaned up session ${sessionId} (${reason})`);
    return result;
  }

  /** The stats entry of a session, created on first use. */
  statsOf(sessionId: string): PerformanceStats {
    let stats = this.performanceCache.get(sessionId);
    if (!stats) {
      stats = { responseTimesMs: [], scores: [], totalScore: 0, answered: 0, timeouts: 0, averageResponseMs: 0, lastActivityAt: Date.now() };
      this.performanceCache.set(sessionId, stats);
    }
    return stats;
  }
}

function resultOf(session: Session, stats: PerformanceStats | undefined, reason: FreeReason): RecentResult {
  return {
    sessionId: session.id,
    candidateId: session.candidateId,
    role: session.role,
    reason,
    questionCount: session.questions.length,
    answered: stats?.answered ?? 0,
    totalScore: stats?.totalScore ?? 0,
    startedAt: session.startedAt,
    endedAt: Date.now(),
  };
}
