// Durations at their edges: the one parser every command line uses (leakcheck's and the
// bundled server's), and the formatter every report and message uses.
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/duration.js";
import { parseServerArgs, ServerUsageError } from "../../src/server/args.js";

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["250", 250],
    ["500ms", 500],
    ["1.5s", 1500],
    ["15s", 15_000],
    ["10m", 600_000],
    ["1h", 3_600_000],
    ["0.5h", 1_800_000],
    [" 15 s ", 15_000],
    ["1.005s", 1005],
    ["0.4ms", 0],
    ["0.5ms", 1],
  ])("%j is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", " ", "ms", "soon", "-5", "+5", "1e3", ".5s", "1.s", "5 sec", "10M", "1d", "Infinity", "NaN", "1m30s", "1,000"])("%j is not a duration", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("gives a number too large to be a timer as it is, for the caller's range check", () => {
    expect(parseDuration("999999999h")).toBe(999_999_999 * 3_600_000);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [0.4, "0ms"],
    [850, "850ms"],
    [999.4, "999ms"],
    // The rounding carries into the next unit instead of printing 1000ms, 60.0s or 1m60s.
    [999.6, "1.0s"],
    [1000, "1.0s"],
    [12_345, "12.3s"],
    [59_940, "59.9s"],
    [59_960, "1m00s"],
    [60_000, "1m00s"],
    [125_000, "2m05s"],
    [119_400, "1m59s"],
    [119_700, "2m00s"],
    [600_000, "10m00s"],
    [3_599_400, "59m59s"],
    [3_599_700, "1h00m"],
    [3_600_000, "1h00m"],
    [5_430_000, "1h31m"],
    [-1500, "-1.5s"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("never shows a carry (1000ms, 60.0s, 60s, 60m) anywhere up to two hours", () => {
    const shape = /^(\d{1,3}ms|[1-5]?\d\.\ds|[1-5]?\dm[0-5]\ds|\d+h[0-5]\dm)$/;
    const wrong: string[] = [];
    // Every 0.1 ms around each unit's edge, every 7.3 ms elsewhere.
    const edges = [1000, 60_000, 120_000, 3_600_000, 7_140_000].flatMap((edge) => Array.from({ length: 20_000 }, (_, i) => edge - 1000 + i * 0.1));
    for (let ms = 0; ms < 7_200_000; ms += 7.3) edges.push(ms);
    for (const ms of edges) if (!shape.test(formatDuration(ms))) wrong.push(`${ms} ms: ${formatDuration(ms)}`);
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

describe("the bundled server's durations", () => {
  const grace = (text: string) => parseServerArgs(["--resume-grace-ms", text], {}).resumeGraceMs;

  it("are read by the same parser: units, hours and spaces as everywhere in leakcheck", () => {
    expect(grace("2s")).toBe(2000);
    expect(grace("1h")).toBe(3_600_000);
    expect(grace(" 15 s ")).toBe(15_000);
    expect(grace("250")).toBe(250);
  });

  it("are refused outside what a timer can hold, naming the flag and the value", () => {
    expect(() => grace("soon")).toThrow(ServerUsageError);
    expect(() => grace("25d")).toThrow(/--resume-grace-ms must be a duration .* got `25d`/);
    expect(() => grace("600h")).toThrow(/--resume-grace-ms must be a duration from 0ms to 2147483647ms/);
    expect(() => parseServerArgs(["--ping-interval", "0"], {})).toThrow(/--ping-interval must be a duration from 1ms/);
  });
});
