// The fixed server (leak mode none): every way a session ends frees all four Maps.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call, cleanup, connect, disconnect, ensureBuilt, getJson, maps, metrics, next, startServer, until } from "./helpers.js";
import type { ServerProcess } from "./helpers.js";

const ANSWER = "I would take a heap snapshot, compare it with a baseline, reproduce the growth and monitor the fix in production";

describe("server lifecycle (leak none)", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    ensureBuilt();
    server = await startServer(["--log", "info"]);
  });
  afterEach(async () => {
    // Let the previous test's disconnects settle so the next one starts from empty Maps.
    await until(async () => maps(await metrics(server.url)).every((n) => n === 0) && (await metrics(server.url)).connectedSockets === 0).catch(() => {});
  });
  afterAll(cleanup);

  it("frees all four Maps when an interview is completed", async () => {
    const socket = await connect(server.url);
    const start = await call(socket, "start-interview", { candidateId: "c-1", role: "backend engineer", questionCount: 2 });
    expect(start).toMatchObject({ ok: true, question: { index: 0, timeLimitMs: 30_000 } });
    expect(start.question.text).toContain("backend engineer");
    expect(maps(await metrics(server.url))).toEqual([1, 1, 1, 1]);

    const first = await call(socket, "submit-answer", { sessionId: start.sessionId, questionIndex: 0, answer: ANSWER });
    expect(first).toMatchObject({ ok: true, done: false, next: { index: 1 } });
    expect(first.score).toBeGreaterThanOrEqual(0);
    expect(first.score).toBeLessThanOrEqual(10);

    const complete = next(socket, "interview-complete");
    const last = await call(socket, "submit-answer", { sessionId: start.sessionId, questionIndex: 1, answer: "" });
    expect(last).toEqual({ ok: true, score: 0, done: true });
    expect(await complete).toEqual({ sessionId: start.sessionId, totalScore: first.score, answered: 2 });
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
    expect(server.stdout()).toContain(`Cleaned up session ${start.sessionId} (completed)`);

    const recent = await getJson(server.url, "/api/results/recent");
    expect(recent.body.results.at(-1)).toMatchObject({ sessionId: start.sessionId, reason: "completed", answered: 2, candidateId: "c-1" });
    await disconnect(socket, server.url);
  });

  it("scores deterministically", async () => {
    const socket = await connect(server.url);
    // Questions are drawn at random and keywords depend on the question: score the same
    // answer to the same question text twice.
    const scoresByQuestion = new Map<string, number[]>();
    for (let i = 0; i < 40 && ![...scoresByQuestion.values()].some((s) => s.length >= 2); i++) {
      const start = await call(socket, "start-interview", { candidateId: "c-det", questionCount: 1 });
      const score = (await call(socket, "submit-answer", { sessionId: start.sessionId, questionIndex: 0, answer: ANSWER })).score;
      scoresByQuestion.set(start.question.text, [...(scoresByQuestion.get(start.question.text) ?? []), score]);
    }
    const pair = [...scoresByQuestion.values()].find((s) => s.length >= 2)!;
    expect(pair[0]).toBe(pair[1]);
    await disconnect(socket, server.url);
  });

  it("frees the session on end-interview and allows a new one", async () => {
    const socket = await connect(server.url);
    const start = await call(socket, "start-interview", { candidateId: "c-2" });
    expect(await call(socket, "start-interview", { candidateId: "c-2" })).toMatchObject({ ok: false, error: "conflict" });
    expect(await call(socket, "end-interview", { sessionId: start.sessionId })).toEqual({ ok: true });
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
    expect(await call(socket, "end-interview", { sessionId: start.sessionId })).toMatchObject({ ok: false, error: "unknown-session" });
    expect(await call(socket, "start-interview", { candidateId: "c-2" })).toMatchObject({ ok: true });
    await disconnect(socket, server.url);
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
  });

  it("frees the session at once when its socket disconnects", async () => {
    const socket = await connect(server.url);
    const start = await call(socket, "start-interview", { candidateId: "c-3" });
    expect(maps(await metrics(server.url))).toEqual([1, 1, 1, 1]);
    await disconnect(socket, server.url);
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
    expect(server.stdout()).toContain(`Cleaned up session ${start.sessionId} (disconnect)`);
  });

  it("forbids acting on another socket's session, and answers conflict for a stale question", async () => {
    const owner = await connect(server.url);
    const other = await connect(server.url);
    const start = await call(owner, "start-interview", { candidateId: "c-4" });
    const submit = { sessionId: start.sessionId, questionIndex: 0, answer: "mine" };
    expect(await call(other, "submit-answer", submit)).toMatchObject({ ok: false, error: "forbidden" });
    expect(await call(other, "end-interview", { sessionId: start.sessionId })).toMatchObject({ ok: false, error: "forbidden" });
    expect(await call(owner, "submit-answer", { ...submit, questionIndex: 3 })).toMatchObject({ ok: false, error: "conflict" });
    expect(await call(owner, "submit-answer", { ...submit, sessionId: "no-such-session" })).toMatchObject({ ok: false, error: "unknown-session" });
    expect((await metrics(server.url)).activeSessions).toBe(1);
    await disconnect(other, server.url);
    await disconnect(owner, server.url);
  });

  it("times questions out, sends the next one, and completes after the last", async () => {
    const socket = await connect(server.url);
    const events: string[] = [];
    socket.onAny((event: string, payload: { index?: number }) => events.push(`${event}:${payload.index ?? "-"}`));
    const complete = next(socket, "interview-complete");
    const start = await call(socket, "start-interview", { candidateId: "c-5", questionCount: 2, questionTimeMs: 100 });
    expect(await complete).toEqual({ sessionId: start.sessionId, totalScore: 0, answered: 0 });
    expect(events).toEqual(["question-timeout:0", "question:1", "question-timeout:1", "interview-complete:-"]);
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
    await disconnect(socket, server.url);
  });

  it("caps the recent results at 500", async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => connect(server.url)));
    await Promise.all(
      clients.map(async (socket, c) => {
        for (let i = 0; i < 65; i++) {
          const start = await call(socket, "start-interview", { candidateId: `cap-${c}-${i}`, questionCount: 1 });
          await call(socket, "end-interview", { sessionId: start.sessionId });
        }
      }),
    );
    const recent = await getJson(server.url, "/api/results/recent");
    expect(recent.body.max).toBe(500);
    expect(recent.body.results).toHaveLength(500);
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
    for (const socket of clients) await disconnect(socket, server.url);
  });
});
