// Each leak mode shows its leak, and the same flow in mode none shows none (lifecycle.test.ts).
import { afterAll, afterEach, describe, expect, it } from "vitest";
import v8 from "node:v8";
import vm from "node:vm";
import { startInterviewServer } from "../../src/server/app.js";
import { clearEndedNotes, endedNotes, keepEndedNote } from "../../src/server/ended-notes.js";
import { DEFAULT_SERVER_OPTIONS } from "../../src/server/options.js";
import { questionBank } from "../../src/server/questions.js";
import { call, cleanup, connect, disconnect, ensureBuilt, maps, metrics, sleep, startServer, until } from "./helpers.js";

ensureBuilt();
afterEach(cleanup);

describe("leak modes", () => {
  it("disconnect: nothing is freed when a client disconnects, even after its timer fires", async () => {
    const server = await startServer(["--leak", "disconnect"]);
    const socket = await connect(server.url);
    await call(socket, "start-interview", { candidateId: "l-1", questionTimeMs: 100 });
    await disconnect(socket, server.url);
    await sleep(300);
    expect(maps(await metrics(server.url))).toEqual([1, 1, 1, 1]);
    // Completion still cleans up in this mode: only the disconnect path is broken.
    const other = await connect(server.url);
    const start = await call(other, "start-interview", { candidateId: "l-1b", questionCount: 1 });
    await call(other, "submit-answer", { sessionId: start.sessionId, questionIndex: 0, answer: "done" });
    expect(maps(await metrics(server.url))).toEqual([1, 1, 1, 1]);
  });

  it("timers: the question timer outlives the freed session for questionTimeMs", async () => {
    const server = await startServer(["--leak", "timers"]);
    const socket = await connect(server.url);
    await call(socket, "start-interview", { candidateId: "l-2", questionTimeMs: 600 });
    await disconnect(socket, server.url);
    expect(maps(await metrics(server.url))).toEqual([0, 1, 0, 0]);
    await until(async () => (await metrics(server.url)).questionTimers === 0, 2000);
    expect(maps(await metrics(server.url))).toEqual([0, 0, 0, 0]);
  });

  it("cache: completion and early end keep the performanceCache entry, disconnect does not", async () => {
    const server = await startServer(["--leak", "cache"]);
    const socket = await connect(server.url);
    const done = await call(socket, "start-interview", { candidateId: "l-3", questionCount: 1 });
    await call(socket, "submit-answer", { sessionId: done.sessionId, questionIndex: 0, answer: "finished" });
    expect(maps(await metrics(server.url))).toEqual([0, 0, 1, 0]);
    const ended = await call(socket, "start-interview", { candidateId: "l-3" });
    await call(socket, "end-interview", { sessionId: ended.sessionId });
    expect(maps(await metrics(server.url))).toEqual([0, 0, 2, 0]);
    await call(socket, "start-interview", { candidateId: "l-3" });
    await disconnect(socket, server.url);
    expect(maps(await metrics(server.url))).toEqual([0, 0, 2, 0]);
  });

  it("listeners: the Maps stay clean over a real process", async () => {
    const server = await startServer(["--leak", "listeners"]);
    for (let i = 0; i < 3; i++) {
      const socket = await connect(server.url);
      await call(socket, "start-interview", { candidateId: `l-4-${i}` });
      await disconnect(socket, server.url);
    }
    const m = await metrics(server.url);
    expect([...maps(m), m.connectedSockets]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("listeners mode in-process (the leak is only visible on the emitter)", () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  async function churn(leak: "none" | "listeners", count: number) {
    const server = await startInterviewServer({ ...DEFAULT_SERVER_OPTIONS, port: 0, log: "none", leak });
    servers.push(server);
    for (let i = 0; i < count; i++) {
      const socket = await connect(server.url);
      await disconnect(socket, server.url);
    }
    return server;
  }

  it("keeps one listener per past connection in mode listeners, none in mode none, and close() removes them", async () => {
    const before = questionBank.listenerCount("updated");
    const fixed = await churn("none", 5);
    expect(questionBank.listenerCount("updated")).toBe(before);
    const leaky = await churn("listeners", 5);
    expect(questionBank.listenerCount("updated")).toBe(before + 5);
    await leaky.close();
    await fixed.close();
    expect(questionBank.listenerCount("updated")).toBe(before);
  });
});

describe("bytes:N mode (issue 11: the smallest leak)", () => {
  it("keeps one note per ended session, whatever ended it; bytes:N:max:M keeps the newest M; close() forgets them", async () => {
    const leaky = await startInterviewServer({ ...DEFAULT_SERVER_OPTIONS, port: 0, log: "none", leak: "bytes:200" });
    try {
      const socket = await connect(leaky.url);
      const done = await call(socket, "start-interview", { candidateId: "b-1", questionCount: 1 });
      await call(socket, "submit-answer", { sessionId: done.sessionId, questionIndex: 0, answer: "finished" });
      const ended = await call(socket, "start-interview", { candidateId: "b-1" });
      await call(socket, "end-interview", { sessionId: ended.sessionId });
      await call(socket, "start-interview", { candidateId: "b-1" });
      await disconnect(socket, leaky.url);
      await until(() => endedNotes.size === 3);
      expect([...endedNotes.values()].map((note) => [note.reason, note.note.length])).toEqual([
        ["completed", 200],
        ["ended", 200],
        ["disconnect", 200],
      ]);
      // The Maps are clean: only the heap sees this leak.
      expect(maps(await metrics(leaky.url))).toEqual([0, 0, 0, 0]);
    } finally {
      await leaky.close();
    }
    expect(endedNotes.size).toBe(0);

    const bounded = await startInterviewServer({ ...DEFAULT_SERVER_OPTIONS, port: 0, log: "none", leak: "bytes:10:max:2" });
    try {
      const socket = await connect(bounded.url);
      for (let i = 0; i < 4; i++) {
        const started = await call(socket, "start-interview", { candidateId: `b-2-${i}` });
        await call(socket, "end-interview", { sessionId: started.sessionId });
      }
      expect(endedNotes.size).toBe(2);
      socket.disconnect();
    } finally {
      await bounded.close();
    }
  });

  it("costs about N + 100 bytes per note, each a string of its own", () => {
    const count = 20_000;
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    for (const bytes of [0, 200]) {
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < count; i++) keepEndedNote("ended", bytes, undefined);
      gc();
      const perNote = (process.memoryUsage().heapUsed - before) / count;
      clearEndedNotes();
      expect(perNote).toBeGreaterThan(bytes + 40);
      expect(perNote).toBeLessThan(bytes + 140);
    }
  });
});
