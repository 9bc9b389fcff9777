// The terminal side: colour only where wanted (NO_COLOR, FORCE_COLOR, pipes), progress
// redrawn in place on a terminal and as plain lines in CI, nothing with --quiet.
import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { colorLevel } from "../../src/report/color.js";
import { createProgress } from "../../src/report/progress.js";
import { renderRun } from "../../src/report/terminal.js";
import type { RunEvent } from "../../src/run/options.js";
import { runReport, scenarioResult } from "./support/reports.js";

const ESC = "\u001b[";

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const stream = { isTTY, columns: 120, rows: 40, text: "", write: (chunk: string) => ((stream.text += chunk), true) };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

const EVENTS: RunEvent[] = [
  { type: "scenario-start", scenario: "abrupt-close", index: 0, total: 2, seed: 7, target: "bundled server (leak mode none)" },
  { type: "phase", scenario: "abrupt-close", phase: "rounds", detail: "400 sessions in 4 rounds" },
  { type: "progress", scenario: "abrupt-close", round: 2, rounds: 4, done: 150, total: 400, clients: 48, failed: 3 },
  { type: "scenario-end", scenario: "abrupt-close", verdict: "pass", ms: 1500 },
];

describe("colour", () => {
  it("follows FORCE_COLOR, then NO_COLOR, then whether the stream is a terminal", () => {
    expect(colorLevel(fakeStream(true), { NO_COLOR: "1" })).toBe(0);
    expect(colorLevel(fakeStream(true), { NO_COLOR: "" })).toBeGreaterThan(0);
    expect(colorLevel(fakeStream(false), {})).toBe(0);
    expect(colorLevel(fakeStream(false), { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(1);
    expect(colorLevel(fakeStream(false), { FORCE_COLOR: "3" })).toBe(3);
    expect(colorLevel(fakeStream(true), { FORCE_COLOR: "0" })).toBe(0);
    expect(colorLevel(fakeStream(true), { TERM: "dumb" })).toBe(0);
  });

  it("the terminal report has no escape codes without colour, the table head included", () => {
    const report = runReport([scenarioResult("abrupt-close", 40)]);
    expect(renderRun(report, new Chalk({ level: 0 }))).not.toContain(ESC);
    expect(renderRun(report, new Chalk({ level: 1 }))).toContain(ESC);
  });
});

describe("progress", () => {
  it("on a terminal: one block redrawn in place with phase, sessions done of total, clients and failures", () => {
    const stream = fakeStream(true);
    const progress = createProgress(stream, false, { NO_COLOR: "1" });
    for (const event of EVENTS.slice(0, 3)) progress.onEvent(event);
    expect(stream.text).toContain("[1/2] abrupt-close round 2/4");
    expect(stream.text).toMatch(/150\/400 sessions · 48 clients · 3 failed/);
    expect(stream.text).toContain(ESC); // cursor movement and erasing: the block is redrawn
    progress.onEvent(EVENTS[3]);
    expect(stream.text).toContain("done: pass in 1.5s\n");
  });

  it("names the rounds run because the verdict was unsure as extra rounds, not a soak", () => {
    const stream = fakeStream(true);
    const progress = createProgress(stream, false, { NO_COLOR: "1" });
    progress.onEvent(EVENTS[0]);
    progress.onEvent(EVENTS[1]);
    progress.onEvent({ type: "progress", scenario: "abrupt-close", round: 6, rounds: 0, extra: true, done: 40, total: 500, clients: 20, failed: 0 });
    expect(stream.text).toContain("[1/2] abrupt-close extra round 6");
    expect(stream.text).not.toContain("soak");
  });

  it("in CI or a pipe: plain lines, no escape codes", () => {
    for (const [stream, env] of [
      [fakeStream(false), {}],
      [fakeStream(true), { CI: "true", NO_COLOR: "1" }],
    ] as const) {
      const progress = createProgress(stream, false, env);
      for (const event of EVENTS) progress.onEvent(event);
      expect(stream.text).not.toContain(ESC);
      expect(stream.text.split("\n")).toEqual([
        "[1/2] abrupt-close on bundled server (leak mode none) · seed 7",
        "  rounds: 400 sessions in 4 rounds",
        "  done: pass in 1.5s",
        "",
      ]);
    }
  });

  it("--quiet: nothing at all", () => {
    const stream = fakeStream(true);
    const progress = createProgress(stream, true, {});
    for (const event of EVENTS) progress.onEvent(event);
    expect(stream.text).toBe("");
  });
});
