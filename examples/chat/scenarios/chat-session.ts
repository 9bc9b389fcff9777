// One visitor: signs in to /chat with a token, joins a room, types, sends two messages
// (each acknowledged by the server), and leaves. leakcheck runs this hundreds of times and
// checks that the server's users Map, its timers and Socket.IO's rooms come back to where they were.
import { defineScenario } from "leakcheck";

export default defineScenario({
  name: "chat-session",
  description: "sign in to /chat, join a room, type, send two messages, leave",
  defaults: { sessions: 300, concurrency: 30, rounds: 3, warmup: 30 },
  async session(ctx) {
    const room = `room-${ctx.index % 10}`;
    const client = await ctx.connect({ namespace: "/chat", auth: { token: "dev-token", name: `visitor-${ctx.index}` } });
    const joined = await client.emitWithAck("join", room);
    if (!joined?.ok) throw new Error(`join ${room}: ${joined?.error ?? "no ok in the ack"}`);
    client.emit("typing", room);
    for (const text of ["hello", "bye"]) {
      const sent = await client.emitWithAck("message", { room, text });
      if (!sent?.ok) throw new Error(`message: ${sent?.error ?? "no ok in the ack"}`);
    }
    client.disconnect();
  },
});
