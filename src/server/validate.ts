// Payload checks for the client events: every field's type and range, before any state is touched.
import { Limits } from "../protocol.js";
import type { SessionRefPayload, StartInterviewPayload, SubmitAnswerPayload } from "../protocol.js";

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** A start-interview payload with its defaults filled in. */
export type StartRequest = Required<StartInterviewPayload>;

const SESSION_ID_CHARS = 200;

/** Checks start-interview: candidateId, optional role, questionCount and questionTimeMs within their limits. */
export function checkStart(payload: unknown): Checked<StartRequest> {
  const body = plainObject(payload);
  if (!body) return notAnObject(payload);
  const { candidateId, role, questionCount, questionTimeMs } = body;
  if (!isText(candidateId, 1, Limits.candidateIdChars)) {
    return fail(`candidateId must be a non-empty string of at most ${Limits.candidateIdChars} characters, got ${describe(candidateId)}`);
  }
  if (role !== undefined && !isText(role, 0, Limits.roleChars)) {
    return fail(`role must be a string of at most ${Limits.roleChars} characters, got ${describe(role)}`);
  }
  const count = Limits.questionCount;
  if (questionCount !== undefined && !isIntIn(questionCount, count.min, count.max)) {
    return fail(`questionCount must be a whole number from ${count.min} to ${count.max}, got ${describe(questionCount)}`);
  }
  const time = Limits.questionTimeMs;
  if (questionTimeMs !== undefined && !isIntIn(questionTimeMs, time.min, time.max)) {
    return fail(`questionTimeMs must be a whole number from ${time.min} to ${time.max}, got ${describe(questionTimeMs)}`);
  }
  return {
    ok: true,
    value: {
      candidateId: candidateId as string,
      role: (role as string | undefined) || "engineer",
      questionCount: (questionCount as number | undefined) ?? count.default,
      questionTimeMs: (questionTimeMs as number | undefined) ?? time.default,
    },
  };
}

/** Checks submit-answer: sessionId, a non-negative integer questionIndex and an answer of at most 10,000 characters. */
export function checkSubmit(payload: unknown): Checked<SubmitAnswerPayload> {
  const body = plainObject(payload);
  if (!body) return notAnObject(payload);
  const { sessionId, questionIndex, answer } = body;
  if (!isText(sessionId, 1, SESSION_ID_CHARS)) return badSessionId(sessionId);
  if (!isIntIn(questionIndex, 0, Number.MAX_SAFE_INTEGER)) {
    return fail(`questionIndex must be a whole number ≥ 0, got ${describe(questionIndex)}`);
  }
  if (!isText(answer, 0, Limits.answerChars)) {
    return fail(`answer must be a string of at most ${Limits.answerChars} characters, got ${describe(answer)}`);
  }
  return { ok: true, value: { sessionId: sessionId as string, questionIndex: questionIndex as number, answer: answer as string } };
}

/** Checks the { sessionId } payload of end-interview and resume-interview. */
export function checkSessionRef(payload: unknown): Checked<SessionRefPayload> {
  const body = plainObject(payload);
  if (!body) return notAnObject(payload);
  if (!isText(body.sessionId, 1, SESSION_ID_CHARS)) return badSessionId(body.sessionId);
  return { ok: true, value: { sessionId: body.sessionId as string } };
}

// Only JSON-like objects: arrays, Buffers (binary attachments) and class instances are refused.
function plainObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null ? (value as Record<string, unknown>) : undefined;
}

function isText(value: unknown, min: number, max: number): boolean {
  return typeof value === "string" && value.length >= min && value.length <= max;
}

function isIntIn(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function fail<T>(message: string): Checked<T> {
  return { ok: false, message };
}

function notAnObject<T>(payload: unknown): Checked<T> {
  return fail(`the payload must be a JSON object, got ${describe(payload)}`);
}

function badSessionId<T>(value: unknown): Checked<T> {
  return fail(`sessionId must be a non-empty string of at most ${SESSION_ID_CHARS} characters, got ${describe(value)}`);
}

// Names what was received without echoing a possibly huge value back to the client.
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (Buffer.isBuffer(value)) return "binary data";
  return `a ${typeof value}`;
}
