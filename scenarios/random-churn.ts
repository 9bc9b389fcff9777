// Many concurrent clients doing a seeded random mix of everything: completing,
// vanishing, losing the network, ending early, letting questions time out and sending
// malformed payloads, while autocannon loads the HTTP endpoints. --seed replays the mix.
import { defineScenario, ServerEvent, type SessionContext } from "../src/index.js";
import { answerText, candidateId, InterviewClient } from "./support/interview.js";

type Action = "complete" | "abrupt" | "drop" | "end-early" | "timeout" | "malformed";

const MIX: Record<Action, number> = {
  complete: 30,
  abrupt: 20,
  drop: 10,
  "end-early": 15,
  timeout: 10,
  malformed: 15,
};

export default defineScenario({
  name: "random-churn",
  description: "a seeded random mix of every behaviour by many concurrent clients, with HTTP load alongside",
  sessionLabel: "churned sessions",
  // A thousand clients held at once: each thinks long enough between answers that the
  // whole round is connected together, while the server, not the think time, sets the pace.
  defaults: { sessions: 2000, concurrency: 1000, rounds: 2, warmup: 600, httpLoad: true },
  async session(ctx) {
    const action = ctx.rng.weighted(MIX);
    const client = await InterviewClient.connect(ctx, { via: action === "drop" ? "proxy" : "direct" });
    // A candidate reads the instructions first: connected, idle, costing the server only pings.
    // With more clients than the server can connect in a second, read longer, so that all
    // of them are connected at once at the peak.
    await ctx.sleep(ctx.rng.int(500, 1500) * Math.max(1, ctx.concurrency / 700));
    if (action === "malformed") await sendMalformed(ctx, client);

    const questionCount = ctx.rng.int(2, 4);
    // A short time limit lets questions expire while the client thinks.
    const questionTimeMs = action === "timeout" ? 150 : 30_000;
    // Listen before starting: on a busy machine the ack and both events can arrive in one read.
    const expired =
      action === "timeout"
        ? Promise.all([client.waitFor(ServerEvent.questionTimeout, 10_000), client.waitFor(ServerEvent.question, 10_000)])
        : undefined;
    expired?.catch(() => undefined);
    const { sessionId, question } = await client.start({ candidateId: candidateId(ctx), questionCount, questionTimeMs });
    const leaveAt = ctx.rng.int(0, questionCount - 1);
    let index = question.index;

    if (expired) {
      // The first question expires and the server moves on by itself.
      await expired;
      if (ctx.rng.chance(0.5)) return client.vanish("close");
      return client.disconnect();
    }

    for (let answered = 0; ; answered++) {
      if (answered === leaveAt && action !== "complete") break;
      await ctx.sleep(ctx.rng.int(100, 400)); // think time: keeps many clients connected at once
      const result = await client.answer(sessionId, index, answerText(ctx));
      if (result.done || !result.next) return client.disconnect();
      index = result.next.index;
    }

    if (action === "abrupt") return client.vanish(ctx.rng.pick(["close", "end", "reset"] as const));
    if (action === "end-early") {
      await client.end(sessionId);
      return client.disconnect();
    }
    if (action === "drop") {
      client.dropNetwork(ctx.rng.chance(0.5) ? "silent" : "reset");
      await client.closed();
      const again = await InterviewClient.connect(ctx, { via: "direct" });
      const resumed = await again.resume(sessionId);
      if (resumed.ok && ctx.rng.chance(0.5)) await again.end(sessionId);
      return again.disconnect();
    }
    return client.disconnect();
  },
});

/** Payloads no correct client sends: the server must answer bad-request and keep nothing. */
async function sendMalformed(ctx: SessionContext, client: InterviewClient): Promise<void> {
  const payloads: [string, unknown][] = [
    ["start-interview", "not an object"],
    ["start-interview", { candidateId: 42 }],
    ["start-interview", { candidateId: "x", questionCount: 1000 }],
    ["submit-answer", { sessionId: "no-such-session", questionIndex: 0, answer: "a" }],
    ["submit-answer", { sessionId: null, questionIndex: "zero" }],
    ["end-interview", [1, 2, 3]],
    ["resume-interview", {}],
  ];
  const count = ctx.rng.int(1, 3);
  for (let sent = 0; sent < count; sent++) {
    const [event, payload] = ctx.rng.pick(payloads);
    const ack = (await client.send(event, payload)) as { ok?: boolean } | undefined;
    if (ack?.ok !== false) throw new Error(`${event} with a malformed payload was accepted: ${JSON.stringify(ack)}`);
  }
}
