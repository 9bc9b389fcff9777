// Every client answers every question and completes the interview: the happy path.
// A server that frees its state only here passes; one that keeps a cache after
// completion (`--server-leak cache`) fails.
import { defineScenario, ServerEvent } from "../src/index.js";
import { answerText, candidateId, InterviewClient } from "./support/interview.js";

export default defineScenario({
  name: "normal-completion",
  description: "every client answers every question and completes the interview",
  sessionLabel: "completed interviews",
  // Nobody resumes here: the server frees a dropped session at once, the path without a grace.
  defaults: { sessions: 800, concurrency: 50, rounds: 4, warmup: 200, resumeGraceMs: 0 },
  async session(ctx) {
    const client = await InterviewClient.connect(ctx);
    const started = await client.start({ candidateId: candidateId(ctx), questionCount: 5 });
    const completed = client.waitFor(ServerEvent.interviewComplete, 15_000);
    let question = started.question;
    for (;;) {
      const result = await client.answer(started.sessionId, question.index, answerText(ctx));
      if (result.done || !result.next) break;
      question = result.next;
    }
    await completed;
    client.disconnect();
  },
});
