// Real runs on the bundled server, fixed and leaking, and every file they leave: report.json
// as the contract says, junit.xml and report.md with the same verdicts, report.html drawn
// by headless Chromium with points in every phase, and `compare` between the runs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { runReportSchema } from "../../src/report-schema/run-report.js";
import { errorLines, removeDir, ROOT, runCli, tempReportDir, type CliResult } from "../support/cli.js";
import { runInProcess } from "../cli/error-runner.js";
import { launchChromium, type Browser } from "./support/chromium.js";

const SMALL = ["--sessions", "100", "--rounds", "2", "--warmup", "20", "--snapshots", "never", "--seed", "7", "--quiet"];
const PHASES = ["warm-up", "baseline", "rounds", "settle", "final"];
const SOCKET_IO_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/socket.io/package.json"), "utf8")) as { version: string }).version;
// Screenshots of the charts go here (LEAKCHECK_SCREENSHOTS keeps them for a person to look at).
const screenshots = process.env.LEAKCHECK_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-screenshots-"));

const reportDir = tempReportDir();
const summaryFile = path.join(reportDir, "step-summary.md");
afterAll(() => {
  removeDir(reportDir);
  if (!process.env.LEAKCHECK_SCREENSHOTS) removeDir(screenshots);
});

interface Run {
  result: CliResult;
  dir: string;
  report: Record<string, any>;
}
const runs: Record<"fixed" | "fixedAgain" | "leak", Run> = {} as never;

async function run(label: string, extra: string[], env: Record<string, string> = {}): Promise<Run> {
  const parent = path.join(reportDir, label);
  const result = await runCli(["run", "abrupt-close", ...SMALL, "--report-dir", parent, ...extra], { env });
  const dir = fs.realpathSync(path.join(parent, "latest"));
  return { result, dir, report: JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")) };
}

const check = z.object({ name: z.string(), baseline: z.number(), final: z.number(), residual: z.number(), budget: z.number(), pass: z.boolean() });
const phase = z.enum(["start", "warm-up", "baseline", "rounds", "settle", "final", "stop", "heap-diff"]);
// CONTRACT §5, and what the issue asks of a complete report.json.
const reportSchema = z.object({
  verdict: z.enum(["pass", "fail", "error"]),
  partial: z.literal(false),
  planned: z.array(z.string()),
  seed: z.literal(7),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationMs: z.number().positive(),
  versions: z.object({ leakcheck: z.string(), node: z.literal(process.version), v8: z.string(), socketIo: z.literal(SOCKET_IO_VERSION) }),
  options: z.object({ seed: z.literal(7), sessions: z.literal(100), rounds: z.literal(2), warmup: z.literal(20), scenarios: z.array(z.string()) }).loose(),
  timings: z.object({ scenariosMs: z.record(z.string(), z.number()), phasesMs: z.partialRecord(phase, z.number()) }),
  files: z.array(z.object({ name: z.string(), bytes: z.number() })),
  scenarios: z
    .array(
      z.object({
        name: z.string(),
        verdict: z.enum(["pass", "fail", "error"]),
        sessions: z.number().int(),
        gauges: z.array(check).min(1),
        heap: z.object({ baselineBytes: z.number(), finalBytes: z.number(), growthBytes: z.number(), perSessionBytes: z.number(), budgetBytes: z.number(), pass: z.boolean() }),
        reasons: z.array(z.string()),
        timings: z.partialRecord(phase, z.number()),
        samples: z.array(z.object({ t: z.number(), phase, heapUsed: z.number(), gauges: z.record(z.string(), z.number()), clients: z.number() }).loose()).min(5),
        phases: z.array(z.object({ phase, startMs: z.number(), endMs: z.number() })).min(5),
      }),
    )
    .length(1),
});

beforeAll(async () => {
  runs.fixed = await run("fixed", [], { GITHUB_STEP_SUMMARY: summaryFile });
  runs.fixedAgain = await run("fixed-again", []);
  runs.leak = await run("leak", ["--server-leak", "disconnect", "--settle-timeout", "1s"]);
}, 90_000);

describe("a run folder", () => {
  it("exits 0 for the fixed server and 1 for the leak", () => {
    expect(runs.fixed.result.code).toBe(0);
    expect(runs.fixedAgain.result.code).toBe(0);
    expect(runs.leak.result.code).toBe(1);
  });

  it("is named <UTC timestamp>-<scenarios> and holds every report and the server log", () => {
    expect(path.basename(runs.fixed.dir)).toMatch(/^\d{8}T\d{6}Z-abrupt-close$/);
    expect(fs.readdirSync(runs.leak.dir).sort()).toEqual(["junit.xml", "report.html", "report.json", "report.md", "server.log"]);
  });

  it("report.json is complete: the contract's fields, options, seed, versions, timings, and samples in every phase", () => {
    for (const { report } of Object.values(runs)) {
      const parsed = reportSchema.parse(report);
      // And exactly what leakcheck's own report schema describes: no field written that it does not name.
      expect(runReportSchema.parse(report)).toEqual(report);
      const phases = new Set(parsed.scenarios[0].samples.map((sample) => sample.phase));
      for (const name of PHASES) expect(phases).toContain(name);
      expect(parsed.files.map((file) => file.name)).toContain("server.log");
    }
    expect(runs.leak.report.verdict).toBe("fail");
    expect(runs.leak.report.scenarios[0].reasons.join("\n")).toMatch(/activeSessions: \d+ entries left/);
  });

  it("junit.xml and report.md say what report.json says", () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });
    for (const { dir, report } of Object.values(runs)) {
      const junit = xml.parse(fs.readFileSync(path.join(dir, "junit.xml"), "utf8"));
      const testcase = junit.testsuites.testsuite.testcase;
      expect(testcase.name).toBe("abrupt-close");
      if (report.verdict === "fail") expect(testcase.failure["#text"].split("\n")).toEqual(report.scenarios[0].reasons);
      else expect(testcase.failure).toBeUndefined();
      const markdown = fs.readFileSync(path.join(dir, "report.md"), "utf8");
      expect(markdown).toMatch(report.verdict === "fail" ? /^## ❌ leakcheck: FAIL/ : /^## ✅ leakcheck: PASS/);
      expect(markdown).toMatch(report.verdict === "fail" ? /\| abrupt-close \| ❌ LEAK \|/ : /\| abrupt-close \| ✅ PASS \|/);
    }
  });

  it("report.md was appended to GITHUB_STEP_SUMMARY", () => {
    expect(fs.readFileSync(summaryFile, "utf8")).toBe(`${fs.readFileSync(path.join(runs.fixed.dir, "report.md"), "utf8")}\n`);
  });
});

interface ChartGeometry {
  width: number;
  bands: Record<string, { left: number; right: number; top: number; bottom: number }>;
  heap: { phase: string; points: { x: number; y: number }[] }[];
  gc: { label: string; y: number }[];
}

// In the page: what the browser laid out for the first chart, in SVG user units.
const READ_CHART = `(() => {
  const svg = document.querySelector("svg.timeline");
  const bands = {};
  for (const group of svg.querySelectorAll("g.phase")) {
    const box = group.querySelector("rect").getBBox();
    bands[group.dataset.phase] = { left: box.x, right: box.x + box.width, top: box.y, bottom: box.y + box.height };
  }
  const heap = [...svg.querySelectorAll('polyline[data-series="heapUsed"]')].map((line) => ({
    phase: line.dataset.phase,
    points: Array.from({ length: line.points.numberOfItems }, (_, i) => ({ x: line.points.getItem(i).x, y: line.points.getItem(i).y })),
  }));
  const gc = [...svg.querySelectorAll("circle.gc-point")].map((dot) => ({ label: dot.dataset.label, y: dot.cy.baseVal.value }));
  return { width: svg.getBoundingClientRect().width, bands, heap, gc };
})()`;

describe("report.html in headless Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  for (const name of ["fixed", "leak"] as const) {
    it(`${name}: draws the memory timeline with points in every phase, fetching nothing`, async () => {
      const page = await browser.open(`file://${path.join(runs[name].dir, "report.html")}`, { width: 1400, height: 1600 });
      const chart = await page.evaluate<ChartGeometry>(READ_CHART);
      await page.screenshot(path.join(screenshots, `${name}.png`));
      expect(page.networkRequests).toEqual([]);
      expect(page.errors).toEqual([]);
      expect(chart.width).toBeGreaterThan(800);
      for (const phaseName of PHASES) {
        const band = chart.bands[phaseName];
        expect(band, phaseName).toBeDefined();
        const pieces = chart.heap.filter((piece) => piece.phase === phaseName);
        expect(pieces.length, `heap points in ${phaseName}`).toBeGreaterThan(0);
        // The piece's last point is this phase's own: inside the phase's band.
        for (const piece of pieces) {
          const last = piece.points.at(-1)!;
          expect(last.x).toBeGreaterThanOrEqual(band.left - 1);
          expect(last.x).toBeLessThanOrEqual(band.right + 1);
          expect(last.y).toBeGreaterThanOrEqual(band.top);
          expect(last.y).toBeLessThanOrEqual(band.bottom);
        }
      }
      // At these sizes the heap interval may straddle the budget and add rounds (issue 11).
      expect(chart.gc.map((dot) => dot.label)).toEqual(["baseline", ...Array.from({ length: chart.gc.length - 2 }, (_, i) => `round ${i + 1}`), "final"]);
      expect(chart.gc.length).toBeGreaterThanOrEqual(4);
      if (name === "leak") {
        // The staircase: heap after GC at the end is drawn well above the baseline's.
        expect(chart.gc[0].y - chart.gc.at(-1)!.y).toBeGreaterThan(10);
      }
      expect(fs.statSync(path.join(screenshots, `${name}.png`)).size).toBeGreaterThan(10_000);
    });
  }
});

/** `leakcheck ...args` in this process (the CLI is a library), or spawned where Node cannot load it so. */
async function cliInProcess(args: string[]): Promise<CliResult> {
  return (await runInProcess(args)) ?? runCli(args);
}

describe("leakcheck compare", () => {
  it("flags the leaking run against the fixed one: exit 1, the scenario and the gauges named", async () => {
    const result = await runCli(["compare", runs.fixed.dir, runs.leak.dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/REGRESSION: B leaks more than A in abrupt-close/);
    expect(result.stdout).toMatch(/✗ verdict: passes on A, leaks on B/);
    // A may have run extra rounds (a small clean run whose heap interval straddled the budget).
    expect(result.stdout).toMatch(/✗ activeSessions: \+\d+ left after 100 sessions on B, 0 after \d+ on A/);
    const json = JSON.parse((await cliInProcess(["compare", runs.fixed.dir, runs.leak.dir, "--json"])).stdout);
    expect(json.regression).toBe(true);
    expect(json.scenarios[0].checks.find((c: { name: string }) => c.name === "activeSessions").regression).toBe(true);
  });

  it("does not flag two runs of the fixed server, nor the leak against itself: exit 0", async () => {
    const fixed = await runCli(["compare", runs.fixed.dir, path.join(runs.fixedAgain.dir, "report.json")]);
    expect(fixed.stdout).toMatch(/NO REGRESSION/);
    expect(fixed.code).toBe(0);
    expect((await cliInProcess(["compare", runs.leak.dir, runs.leak.dir])).code).toBe(0);
  });

  it("writes Markdown for a pull request", async () => {
    const result = await cliInProcess(["compare", runs.fixed.dir, runs.leak.dir, "--markdown"]);
    expect(result.stdout).toMatch(/^## ❌ leakcheck compare: REGRESSION/);
    expect(result.stdout).toMatch(/\| abrupt-close \| PASS → LEAK \|/);
  });

  it("bad input: exit 2 with one line naming the cause and the fix", async () => {
    const empty = fs.mkdtempSync(path.join(reportDir, "empty-"));
    const malformed = path.join(reportDir, "malformed.json");
    fs.writeFileSync(malformed, '{"verdict": "pass", "scenarios": [');
    const notReport = path.join(reportDir, "not-a-report.json");
    fs.writeFileSync(notReport, JSON.stringify({ hello: "world" }));
    const cases: [string[], RegExp][] = [
      [["compare", path.join(reportDir, "missing"), runs.fixed.dir], /run A: `.*missing` does not exist: give a run folder/],
      [["compare", runs.fixed.dir, empty], /run B: `.*` has no report\.json: give a run folder/],
      [["compare", malformed, runs.fixed.dir], /run A: `.*malformed\.json` is not valid JSON \(.*\): run leakcheck again/],
      [["compare", notReport, runs.fixed.dir], /run A: `.*not-a-report\.json` is not a leakcheck report \(verdict: .*\)/],
      [["compare", runs.fixed.dir, runs.leak.dir, "--max-regression", "lots"], /--max-regression must be heap bytes per session like 1024, 512B, 2KB or 1\.5MB, got `lots`/],
      [["compare", runs.fixed.dir], /missing required argument 'runB'/],
    ];
    for (const [args, message] of cases) {
      const result = await cliInProcess(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(errorLines(result.stderr), args.join(" ")).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe("");
    }
  });
});
