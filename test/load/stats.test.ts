// Failure causes are grouped by kind and shown by a real example (issue 13: the user saw
// `no ack for "join" within N ms`); fail-fast names the dominant cause and what to check.
import { describe, expect, it } from "vitest";
import { RunError } from "../../src/errors.js";
import { FAIL_FAST_AFTER, failFastError } from "../../src/load/fail-fast.js";
import { AckTimeoutError, ConnectRefusedError, ProtocolError, SessionTimeoutError } from "../../src/load/failures.js";
import { LatencyHistogram, LoadStats } from "../../src/load/stats.js";

describe("failure grouping", () => {
  it("groups by kind and event, and shows a real message with its numbers", () => {
    const stats = new LoadStats();
    stats.sessionFailed(new AckTimeoutError("join", 10_000));
    stats.sessionFailed(new AckTimeoutError("join", 10_000));
    stats.sessionFailed(new AckTimeoutError("message", 10_000));
    stats.sessionFailed(new SessionTimeoutError(60_000));
    expect(stats.failureSummary()).toEqual([
      { message: 'no ack for "join" within 10000 ms', count: 2 },
      { message: 'no ack for "message" within 10000 ms', count: 1 },
      { message: "session timed out after 60000 ms", count: 1 },
    ]);
    expect(stats.sessionsFailed).toBe(4);
  });

  it("a scenario's own errors: one group per text without numbers and ids, shown as first seen", () => {
    const stats = new LoadStats();
    stats.sessionFailed(new Error("user 17 not found in 3f1e2d4c-0000-4000-8000-000000000001"));
    stats.sessionFailed(new Error("user 18 not found in 3f1e2d4c-0000-4000-8000-000000000002"));
    stats.sessionFailed("a string thrown");
    expect(stats.failureSummary()).toEqual([
      { message: "user 17 not found in 3f1e2d4c-0000-4000-8000-000000000001", count: 2 },
      { message: "a string thrown", count: 1 },
    ]);
  });

  it("stays bounded however many kinds a long run meets", () => {
    const stats = new LoadStats();
    for (let kind = 0; kind < 150; kind++) stats.sessionFailed(new ProtocolError(`event-${"x".repeat(kind)}`, "bad-request"));
    const summary = stats.failureSummary();
    expect(summary).toHaveLength(10);
    expect(summary.reduce((total, entry) => total + entry.count, 0)).toBeLessThanOrEqual(150);
    expect(stats.sessionsFailed).toBe(150);
  });
});

describe("fail-fast", () => {
  const failing = (count: number, error: () => unknown) => {
    const stats = new LoadStats();
    for (let index = 0; index < count; index++) stats.sessionFailed(error());
    return stats;
  };

  it(`stops after ${FAIL_FAST_AFTER} failures with none finished, naming the cause, its numbers and what to check`, () => {
    expect(failFastError(failing(FAIL_FAST_AFTER - 1, () => new AckTimeoutError("join", 10_000)), "chat")).toBeUndefined();
    const error = failFastError(failing(FAIL_FAST_AFTER, () => new AckTimeoutError("join", 10_000)), "chat");
    expect(error).toBeInstanceOf(RunError);
    expect(error!.message).toBe(
      'the first 20 sessions of chat all failed, all with: no ack for "join" within 10000 ms: check the event name and namespace, and that the server\'s handler calls its acknowledgement callback (raise --ack-timeout if it is only slow)',
    );
  });

  it("never once a session has finished", () => {
    const stats = failing(FAIL_FAST_AFTER * 2, () => new AckTimeoutError("join", 10_000));
    stats.sessionsFinished = 1;
    expect(failFastError(stats, "chat")).toBeUndefined();
  });

  it("names a wrong namespace and a refused token differently, and the share of the top cause", () => {
    const namespace = failFastError(failing(FAIL_FAST_AFTER, () => new ConnectRefusedError("http://127.0.0.1:3000/chta", "Invalid namespace")), "chat");
    expect(namespace!.message).toMatch(/all with: the server refused the connection to http:\/\/127\.0\.0\.1:3000\/chta: Invalid namespace: the server has no such namespace: check ctx\.connect\(\{ namespace \}\)/);
    const stats = failing(15, () => new ConnectRefusedError("http://127.0.0.1:3000/chat", "invalid token"));
    for (let index = 0; index < 5; index++) stats.sessionFailed(new Error("boom"));
    expect(failFastError(stats, "chat")!.message).toMatch(/15 of them with: .*: invalid token: the server's middleware refused the handshake: check the auth, query or headers/);
  });
});

describe("latency histogram", () => {
  it("percentiles within a bucket's resolution, capped at the max", () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
    expect(histogram.percentile(50)).toBeGreaterThanOrEqual(50);
    expect(histogram.percentile(50)).toBeLessThan(50 * 1.1);
    expect(histogram.percentile(100)).toBe(100);
    expect(new LatencyHistogram().percentile(99)).toBe(0);
  });
});
