// Malformed input gets bad-request naming the field, and no client input can take the server down.
import { describe, expect, it } from "vitest";
import { call, connect, disconnect, getJson, maps, metrics, sleep, until, useServer } from "./helpers.js";

describe("payload validation", () => {
  const server = useServer();

  it("refuses payloads that are not plain objects, for every event", async () => {
    const socket = await connect(server.url);
    for (const event of ["start-interview", "submit-answer", "end-interview", "resume-interview"]) {
      for (const payload of [42, "text", null, [1, 2], true]) {
        const ack = await call(socket, event, payload);
        expect(ack, `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: "bad-request" });
        expect(ack.message).toContain("JSON object");
      }
      // An ack with no payload at all.
      expect(await call(socket, event)).toMatchObject({ ok: false, error: "bad-request" });
    }
    await disconnect(socket, server.url);
  });

  it("names the field that is wrong", async () => {
    const socket = await connect(server.url);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["start-interview", {}, "candidateId"],
      ["start-interview", { candidateId: 5 }, "candidateId"],
      ["start-interview", { candidateId: "" }, "candidateId"],
      ["start-interview", { candidateId: "x".repeat(201) }, "candidateId"],
      ["start-interview", { candidateId: "c", role: 7 }, "role"],
      ["start-interview", { candidateId: "c", role: "r".repeat(201) }, "role"],
      ["start-interview", { candidateId: "c", questionCount: 0 }, "questionCount"],
      ["start-interview", { candidateId: "c", questionCount: 51 }, "questionCount"],
      ["start-interview", { candidateId: "c", questionCount: 2.5 }, "questionCount"],
      ["start-interview", { candidateId: "c", questionCount: "5" }, "questionCount"],
      ["start-interview", { candidateId: "c", questionTimeMs: 99 }, "questionTimeMs"],
      ["start-interview", { candidateId: "c", questionTimeMs: 600_001 }, "questionTimeMs"],
      ["submit-answer", { questionIndex: 0, answer: "a" }, "sessionId"],
      ["submit-answer", { sessionId: "s", questionIndex: -1, answer: "a" }, "questionIndex"],
      ["submit-answer", { sessionId: "s", questionIndex: "0", answer: "a" }, "questionIndex"],
      ["submit-answer", { sessionId: "s", questionIndex: 0 }, "answer"],
      ["submit-answer", { sessionId: "s", questionIndex: 0, answer: 12 }, "answer"],
      ["submit-answer", { sessionId: "s", questionIndex: 0, answer: "a".repeat(10_001) }, "answer"],
      ["end-interview", { sessionId: 3 }, "sessionId"],
      ["resume-interview", { sessionId: "" }, "sessionId"],
    ];
    for (const [event, payload, field] of cases) {
      const ack = await call(socket, event, payload);
      expect(ack, `${event} ${JSON.stringify(payload).slice(0, 80)}`).toMatchObject({ ok: false, error: "bad-request" });
      expect(ack.message).toContain(field);
      expect(ack.message.length).toBeLessThan(300);
    }
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
    // The limits themselves are accepted.
    const start = await call(socket, "start-interview", { candidateId: "x".repeat(200), role: "", questionCount: 50, questionTimeMs: 600_000 });
    expect(start).toMatchObject({ ok: true, question: { index: 0, timeLimitMs: 600_000 } });
    expect(await call(socket, "submit-answer", { sessionId: start.sessionId, questionIndex: 0, answer: "a".repeat(10_000) })).toMatchObject({ ok: true });
    await disconnect(socket, server.url);
  });

  it("processes events sent without an ack and never crashes on junk", async () => {
    const socket = await connect(server.url);
    socket.emit("start-interview", { candidateId: "no-ack" });
    await until(async () => (await metrics(server.url)).activeSessions === 1);
    socket.emit("submit-answer", 42);
    socket.emit("end-interview");
    socket.emit("resume-interview", { sessionId: { $ne: 1 } }, "extra", 3);
    socket.emit("no-such-event", { a: 1 });
    socket.emit("start-interview", Buffer.from("binary"), () => {});
    await sleep(100);
    expect((await getJson(server.url, "/api/health")).status).toBe(200);
    expect(socket.connected).toBe(true);
    // Nothing reached the "internal" path.
    expect(server.stderr()).toBe("");
    await disconnect(socket, server.url);
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
  });

  it("drops a client that sends more than 64 KiB in one message, and keeps serving", async () => {
    const socket = await connect(server.url);
    const gone = new Promise<void>((done) => socket.once("disconnect", () => done()));
    socket.emit("submit-answer", { sessionId: "s", questionIndex: 0, answer: "a".repeat(70 * 1024) });
    await gone;
    expect((await getJson(server.url, "/api/health")).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  });
});
