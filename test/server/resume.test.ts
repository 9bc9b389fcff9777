// The reconnection grace period: held sessions, resume, takeover, and expiry.
import { describe, expect, it } from "vitest";
import { call, connect, disconnect, maps, metrics, sleep, until, useServer } from "./helpers.js";

const GRACE_MS = 400;

describe("resume-interview", () => {
  const server = useServer(["--resume-grace-ms", String(GRACE_MS), "--log", "info"]);

  it("holds a disconnected session and resumes it within the grace period", async () => {
    const first = await connect(server.url);
    const start = await call(first, "start-interview", { candidateId: "r-1", questionCount: 2 });
    await call(first, "submit-answer", { sessionId: start.sessionId, questionIndex: 0, answer: "one" });
    await disconnect(first, server.url);
    // Held: the session and the grace timer remain, the dead socket's mapping is gone.
    expect(maps(await metrics(server.url))).toEqual([1, 1, 1, 0]);

    const second = await connect(server.url);
    const resumed = await call(second, "resume-interview", { sessionId: start.sessionId });
    expect(resumed).toMatchObject({ ok: true, question: { index: 1 } });
    expect(maps(await metrics(server.url))).toEqual([1, 1, 1, 1]);
    await sleep(GRACE_MS + 100);
    // The grace timer was cleared on resume: the session is still there and usable.
    expect(await call(second, "resume-interview", { sessionId: start.sessionId })).toMatchObject({ ok: true, question: { index: 1 } });
    expect(await call(second, "submit-answer", { sessionId: start.sessionId, questionIndex: 1, answer: "two" })).toMatchObject({ ok: true, done: true });
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
    await disconnect(second, server.url);
  });

  it("frees a held session when the grace period runs out", async () => {
    const first = await connect(server.url);
    const start = await call(first, "start-interview", { candidateId: "r-2" });
    await disconnect(first, server.url);
    await until(async () => maps(await metrics(server.url)).every((n) => n === 0), GRACE_MS + 2000);
    expect(server.stdout()).toContain(`Cleaned up session ${start.sessionId} (grace-expired)`);
    const second = await connect(server.url);
    expect(await call(second, "resume-interview", { sessionId: start.sessionId })).toMatchObject({ ok: false, error: "unknown-session" });
    await disconnect(second, server.url);
  });

  it("lets a new connection take a session over from a still-connected one", async () => {
    const stale = await connect(server.url);
    const start = await call(stale, "start-interview", { candidateId: "r-3" });
    const fresh = await connect(server.url);
    const kicked = new Promise<string>((done) => stale.once("disconnect", done));
    expect(await call(fresh, "resume-interview", { sessionId: start.sessionId })).toMatchObject({ ok: true, question: { index: 0 } });
    expect(await kicked).toBe("io server disconnect");
    await until(async () => (await metrics(server.url)).connectedSockets === 1);
    // The old socket's disconnect did not free (or hold) the session that moved on.
    expect(maps(await metrics(server.url))).toEqual([1, 1, 1, 1]);
    expect(await call(fresh, "end-interview", { sessionId: start.sessionId })).toEqual({ ok: true });
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
    await disconnect(fresh, server.url);
  });

  it("answers its own session, and conflict for a second one", async () => {
    const a = await connect(server.url);
    const b = await connect(server.url);
    const sa = await call(a, "start-interview", { candidateId: "r-4a" });
    const sb = await call(b, "start-interview", { candidateId: "r-4b" });
    expect(await call(a, "resume-interview", { sessionId: sa.sessionId })).toMatchObject({ ok: true, question: { index: 0 } });
    expect(await call(a, "resume-interview", { sessionId: sb.sessionId })).toMatchObject({ ok: false, error: "conflict" });
    expect(await call(a, "resume-interview", { sessionId: "nope" })).toMatchObject({ ok: false, error: "unknown-session" });
    await call(a, "end-interview", { sessionId: sa.sessionId });
    await call(b, "end-interview", { sessionId: sb.sessionId });
    await disconnect(a, server.url);
    await disconnect(b, server.url);
  });
});

describe("resume-interview without a grace period", () => {
  const server = useServer();

  it("has nothing to resume after a disconnect", async () => {
    const first = await connect(server.url);
    const start = await call(first, "start-interview", { candidateId: "r-5" });
    await disconnect(first, server.url);
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
    const second = await connect(server.url);
    expect(await call(second, "resume-interview", { sessionId: start.sessionId })).toMatchObject({ ok: false, error: "unknown-session" });
    await disconnect(second, server.url);
  });
});
