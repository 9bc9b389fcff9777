// The question bank: turns a role and a session id into that session's questions.
// It is also the long-lived emitter the `listeners` leak mode hangs per-connection listeners on.
import { EventEmitter } from "node:events";

/** A question as the session keeps it: the client sees index, text and timeLimitMs only. */
export interface SessionQuestion {
  index: number;
  topic: string;
  text: string;
  /** Words a good answer tends to use; part of what makes a session cost realistic heap. */
  keywords: string[];
  timeLimitMs: number;
}

interface Template {
  topic: string;
  text: string;
  keywords: string[];
}

const TEMPLATES: readonly Template[] = [
  { topic: "experience", text: "Walk us through a recent project where you were the {role} responsible for a difficult delivery. What was at stake, what did you decide, and what would you do differently today?", keywords: ["scope", "deadline", "tradeoff", "stakeholder", "result"] },
  { topic: "debugging", text: "A production service you own as {role} slowly uses more memory until it is restarted every night. Describe, step by step, how you would find the cause and prove the fix.", keywords: ["heap", "snapshot", "baseline", "reproduce", "monitor"] },
  { topic: "design", text: "As {role}, design a system that lets thousands of candidates take timed interviews at once over websockets. Which state lives where, and what happens when a connection drops?", keywords: ["session", "timeout", "reconnect", "scale", "cleanup"] },
  { topic: "collaboration", text: "Tell us about a disagreement with a colleague about how to build something. How did you, as {role}, reach a decision and what happened to the relationship afterwards?", keywords: ["listen", "data", "compromise", "trust", "outcome"] },
  { topic: "testing", text: "How do you decide what to test in a change you make as {role}? Give an example where a test caught something a review would have missed.", keywords: ["unit", "integration", "edge", "regression", "coverage"] },
  { topic: "performance", text: "An endpoint you maintain as {role} takes two seconds at the 99th percentile. What do you measure first, and which fixes would you try in which order?", keywords: ["profile", "latency", "cache", "query", "percentile"] },
  { topic: "learning", text: "Which technical skill have you learned most recently for your work as {role}, how did you learn it, and how do you know you learned it well?", keywords: ["practice", "feedback", "project", "mentor", "measure"] },
  { topic: "incident", text: "Describe an outage you helped resolve as {role}. How was it detected, what did you do in the first hour, and what changed afterwards so it would not recur?", keywords: ["alert", "rollback", "postmortem", "runbook", "prevention"] },
];

/** Emits "updated" when the bank changes; sockets may subscribe to refresh what they show. */
class QuestionBank extends EventEmitter {
  version = 1;

  /** The questions of one session: a rotation of the templates picked by the session id. */
  generate(sessionId: string, role: string, count: number, timeLimitMs: number): SessionQuestion[] {
    const offset = hashOf(sessionId) % TEMPLATES.length;
    const questions: SessionQuestion[] = [];
    for (let index = 0; index < count; index++) {
      const template = TEMPLATES[(offset + index) % TEMPLATES.length];
      // A function, not the string: a role such as "$'$'$'" must not expand into the template's text.
      const text = `Question ${index + 1} of ${count} (${template.topic}): ${template.text.replaceAll("{role}", () => role)}`;
      questions.push({ index, topic: template.topic, text, keywords: [...template.keywords], timeLimitMs });
    }
    return questions;
  }
}

/** The one bank of the process: module-level on purpose, it outlives every connection. */
export const questionBank = new QuestionBank();
// The `listeners` mode adds one listener per connection; the default cap of 10 would only print a warning.
questionBank.setMaxListeners(0);

/** A small deterministic string hash (FNV-1a) so a session's questions do not depend on Math.random. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
