// The interview protocol of CONTRACT §1: event names, payloads and acks.
// A leaf module: the bundled server and the load driver both import it, nothing else.

/** Client → server events; every one takes an acknowledgement callback. */
export const ClientEvent = {
  startInterview: "start-interview",
  submitAnswer: "submit-answer",
  endInterview: "end-interview",
  resumeInterview: "resume-interview",
} as const;
export type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent];

/** Server → client events. */
export const ServerEvent = {
  questionTimeout: "question-timeout",
  question: "question",
  interviewComplete: "interview-complete",
} as const;
export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent];

export const Limits = {
  questionCount: { min: 1, max: 50, default: 5 },
  questionTimeMs: { min: 100, max: 600_000, default: 30_000 },
  answerChars: 10_000,
  candidateIdChars: 200,
  roleChars: 200,
} as const;

export interface Question {
  index: number;
  text: string;
  timeLimitMs: number;
}

export interface StartInterviewPayload {
  candidateId: string;
  role?: string;
  questionCount?: number;
  questionTimeMs?: number;
}
export interface SubmitAnswerPayload {
  sessionId: string;
  questionIndex: number;
  answer: string;
}
export interface SessionRefPayload {
  sessionId: string;
}

export type AckErrorCode = "bad-request" | "forbidden" | "unknown-session" | "conflict" | "rate-limited" | "internal";
export interface AckError {
  ok: false;
  error: AckErrorCode;
  message: string;
}
export type Ack<T extends object> = ({ ok: true } & T) | AckError;

export type StartAck = Ack<{ sessionId: string; question: Question }>;
export type SubmitAck = Ack<{ score: number; next?: Question; done: boolean }>;
export type EndAck = Ack<object>;
export type ResumeAck = Ack<{ question: Question }>;

export interface QuestionTimeoutEvent {
  sessionId: string;
  index: number;
}
export interface QuestionEvent extends Question {
  sessionId: string;
}
export interface InterviewCompleteEvent {
  sessionId: string;
  totalScore: number;
  answered: number;
}

/** The JSON of GET /api/metrics (CONTRACT §2). */
export interface MetricsBody {
  activeSessions: number;
  questionTimers: number;
  performanceCache: number;
  socketMappings: number;
  connectedSockets: number;
  memory: NodeJS.MemoryUsage;
}

/** Leak modes of the bundled server: each reproduces one way the seed's bug shows. */
export const LEAK_MODES = ["none", "disconnect", "timers", "cache", "listeners"] as const;
/**
 * `bytes:N` keeps one record of about N bytes per ended session forever (issue 11: how small a
 * leak is caught); `bytes:N:max:M` keeps only the newest M, a bounded cache that is no leak.
 */
export type BytesLeakMode = `bytes:${number}` | `bytes:${number}:max:${number}`;
export type LeakMode = (typeof LEAK_MODES)[number] | BytesLeakMode;
/** How leak modes are written, for usage text and errors. */
export const LEAK_MODES_TEXT = `${LEAK_MODES.join(", ")}, bytes:N or bytes:N:max:M`;
/** Largest N of bytes:N (10 MB per session is a leak no run needs to be told about more loudly). */
export const MAX_LEAK_BYTES = 10_000_000;

/** The mode `text` names, or undefined when it names none. */
export function parseLeakMode(text: string): LeakMode | undefined {
  if ((LEAK_MODES as readonly string[]).includes(text)) return text as LeakMode;
  const match = /^bytes:(\d{1,8})(?::max:(\d{1,8}))?$/.exec(text);
  if (!match || Number(match[1]) > MAX_LEAK_BYTES) return undefined;
  if (match[2] !== undefined && Number(match[2]) < 1) return undefined;
  return text as BytesLeakMode;
}

/** bytes:N[:max:M] as numbers; undefined for the other modes. */
export function bytesLeakOf(mode: LeakMode): { bytes: number; max?: number } | undefined {
  const match = /^bytes:(\d+)(?::max:(\d+))?$/.exec(mode);
  if (!match) return undefined;
  return match[2] === undefined ? { bytes: Number(match[1]) } : { bytes: Number(match[1]), max: Number(match[2]) };
}

/** HTTP routes of the bundled server (CONTRACT §2). */
export const HttpPath = {
  health: "/api/health",
  metrics: "/api/metrics",
  recentResults: "/api/results/recent",
} as const;

/** Why a session's state was freed: recorded in each result and in the cleanup log line. */
export type FreeReason = "completed" | "ended" | "disconnect" | "grace-expired" | "shutdown";

/** One finished session as kept in the bundled server's bounded recent-results list. */
export interface RecentResult {
  sessionId: string;
  candidateId: string;
  role: string;
  reason: FreeReason;
  questionCount: number;
  answered: number;
  totalScore: number;
  startedAt: number;
  endedAt: number;
}

/** The JSON of GET /api/results/recent: newest last, at most `max` entries. */
export interface RecentResultsBody {
  max: number;
  results: RecentResult[];
}
