// Clients vanish mid-interview at a random question, without end-interview: a closed
// browser tab (close frame), a crashed client (FIN, no close frame) or a reset (RST).
// The seed's bug: a server that frees state only on completion keeps every one of them.
import { defineScenario } from "../src/index.js";
import { answerText, candidateId, InterviewClient } from "./support/interview.js";

export default defineScenario({
  name: "abrupt-close",
  description: "clients vanish mid-interview (tab closed, crash, reset) without ending it",
  sessionLabel: "abrupt closes",
  // Nobody resumes here: the server frees a dropped session at once, the path without a grace.
  defaults: { sessions: 800, concurrency: 50, rounds: 4, warmup: 200, resumeGraceMs: 0 },
  async session(ctx) {
    const questionCount = 5;
    const client = await InterviewClient.connect(ctx);
    const { sessionId, question } = await client.start({ candidateId: candidateId(ctx), questionCount });
    const answerBeforeLeaving = ctx.rng.int(0, questionCount - 1);
    let index = question.index;
    for (let answered = 0; answered < answerBeforeLeaving; answered++) {
      const result = await client.answer(sessionId, index, answerText(ctx));
      index = result.next?.index ?? index + 1;
    }
    client.vanish(ctx.rng.pick(["close", "end", "reset"] as const));
  },
});
