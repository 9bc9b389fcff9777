// The cleanup stack on its own: newest first, every step run whatever the others do, each
// bounded by its timeout, drained once, and anything started after that stopped at once.
import { describe, expect, it } from "vitest";
import { CleanupStack } from "../../src/run/cleanup.js";

describe("CleanupStack", () => {
  it("runs the steps newest first, each waited for before the next", async () => {
    const stack = new CleanupStack();
    const order: string[] = [];
    stack.push("server", () => void order.push("server"));
    stack.push("proxy", async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push("proxy");
    });
    stack.push("sampler", () => void order.push("sampler"));
    expect(await stack.drain()).toEqual([]);
    expect(order).toEqual(["sampler", "proxy", "server"]);
  });

  it("a failing step does not stop the others, and its failure names it", async () => {
    const stack = new CleanupStack();
    const ran: string[] = [];
    stack.push("first", () => void ran.push("first"));
    stack.push("throws", () => {
      throw new Error("kill failed");
    });
    stack.push("rejects", () => Promise.reject(new Error("EPERM")));
    stack.push("last", () => void ran.push("last"));
    expect(await stack.drain()).toEqual(["rejects: EPERM", "throws: kill failed"]);
    expect(ran).toEqual(["last", "first"]);
  });

  it("gives up on a step that hangs after its timeout and goes on", async () => {
    const stack = new CleanupStack();
    const ran: string[] = [];
    stack.push("after", () => void ran.push("after"));
    stack.push("hangs", () => new Promise<void>(() => undefined));
    const started = Date.now();
    expect(await stack.drain(50)).toEqual(["hangs: timed out after 50 ms"]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(ran).toEqual(["after"]);
  });

  it("drains once: a second drain runs nothing again and reports nothing new", async () => {
    const stack = new CleanupStack();
    let runs = 0;
    stack.push("counted", () => void runs++);
    stack.push("fails", () => {
      throw new Error("once");
    });
    expect(stack.drained).toBe(false);
    const [first, second] = await Promise.all([stack.drain(), stack.drain()]);
    expect(first).toEqual(["fails: once"]);
    expect(second).toBe(first);
    expect(stack.drained).toBe(true);
    expect(runs).toBe(1);
    expect(stack.size).toBe(0);
  });

  it("stops at once what is pushed after it drained (a late start racing an abort)", async () => {
    const stack = new CleanupStack();
    await stack.drain();
    let stopped = false;
    stack.push("late", () => void (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(true);
    expect(stack.size).toBe(0);
  });

  it("runs a step early through the function push returns, and not again on drain", async () => {
    const stack = new CleanupStack();
    let runs = 0;
    const stopEarly = stack.push("http load", () => void runs++);
    await stopEarly();
    await stopEarly();
    expect(await stack.drain()).toEqual([]);
    expect(runs).toBe(1);
  });
});
