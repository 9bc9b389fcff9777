// Clients reach the server through leakcheck's fault proxy; mid-interview the network
// dies: silently (no FIN, no RST: noticed only by ping timeouts) or with a reset.
// Each client then reconnects and tries to resume, and finishes or abandons.
import { defineScenario, ServerEvent } from "../src/index.js";
import { answerText, candidateId, InterviewClient } from "./support/interview.js";

export default defineScenario({
  name: "network-drop",
  description: "the network dies mid-interview (silently or by reset); clients reconnect, resume, finish or abandon",
  sessionLabel: "dropped connections",
  // Each drop waits out a ping timeout (2 s on leakcheck's settings): many at once keep it quick.
  defaults: { sessions: 600, concurrency: 300, rounds: 3, warmup: 300 },
  async session(ctx) {
    const questionCount = 5;
    const client = await InterviewClient.connect(ctx, { via: "proxy" });
    const { sessionId, question } = await client.start({ candidateId: candidateId(ctx), questionCount });
    let index = question.index;
    const answerBeforeDrop = ctx.rng.int(0, questionCount - 2);
    for (let answered = 0; answered < answerBeforeDrop; answered++) {
      const result = await client.answer(sessionId, index, answerText(ctx));
      index = result.next?.index ?? index + 1;
    }

    client.dropNetwork(ctx.rng.chance(0.6) ? "silent" : "reset");
    await client.closed(); // after a silent drop: the client's ping timeout

    const again = await InterviewClient.connect(ctx, { via: "proxy" });
    const resumed = await again.resume(sessionId);
    if (!resumed.ok || ctx.rng.chance(0.3)) {
      again.vanish("close"); // gave up: the server must free the held session when its grace ends
      return;
    }
    const completed = again.waitFor(ServerEvent.interviewComplete, 15_000);
    let current = resumed.question;
    for (;;) {
      const result = await again.answer(sessionId, current.index, answerText(ctx));
      if (result.done || !result.next) break;
      current = result.next;
    }
    await completed;
    again.disconnect();
  },
});
