// The renderers on crafted reports: every format says the same verdicts, escapes what it
// must, and marks a partial run; the timeline keeps its shape; the writer leaves no half file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Chalk } from "chalk";
import { XMLParser } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { renderHtml } from "../../src/report/html.js";
import { renderJson } from "../../src/report/json.js";
import { renderJunit } from "../../src/report/junit.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { writeReports } from "../../src/report/run-folder.js";
import { listRunFiles } from "../../src/run/run-folder.js";
import { renderRun } from "../../src/report/terminal.js";
import { buildTimeline, thin } from "../../src/report/timeline.js";
import { writeFileAtomic } from "../../src/report/writer.js";
import { heapDiff, runReport, scenarioResult } from "./support/reports.js";

const JUNIT_XSD = path.join(path.dirname(new URL(import.meta.url).pathname), "fixtures/junit.xsd");
const temporary = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-renderers-"));
afterAll(() => fs.rmSync(temporary, { recursive: true, force: true }));

const leak = scenarioResult("abrupt-close", 400, { heapDiff: heapDiff(400) });
const fixed = scenarioResult("normal-completion", 0);
const mixed = runReport([leak, fixed]);
const interrupted = runReport([fixed], {
  verdict: "error",
  partial: true,
  error: "interrupted by SIGINT: the run was stopped before it finished; reports are marked partial",
  planned: ["normal-completion", "abrupt-close", "network-drop"],
  stoppedDuring: "abrupt-close",
});

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["testcase", "property", "testsuite"].includes(name) });
type Testcase = { name: string; failure?: { message: string; "#text": string }; error?: { message: string }; skipped?: { message: string } };
const testcases = (text: string): Testcase[] => xml.parse(text).testsuites.testsuite[0].testcase as Testcase[];

/** Schema errors of a junit.xml against the JUnit XSD: libxml2's own validator, built to WebAssembly (xmllint-wasm), so npm install brings it. */
async function junitSchemaErrors(text: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: "junit.xml", contents: text }],
    schema: [{ fileName: "junit.xsd", contents: fs.readFileSync(JUNIT_XSD, "utf8") }],
  });
  return result.valid ? [] : result.errors.map((error) => error.rawMessage);
}

async function validateJunit(text: string): Promise<void> {
  expect(await junitSchemaErrors(text)).toEqual([]);
}

describe("junit.xml", () => {
  it("has one suite per run and one case per scenario, failures with every reason, valid against the JUnit schema", async () => {
    const text = renderJunit(mixed);
    await validateJunit(text);
    const parsed = xml.parse(text);
    expect(parsed.testsuites.testsuite).toHaveLength(1);
    const suite = parsed.testsuites.testsuite[0];
    expect(suite).toMatchObject({ tests: "2", failures: "1", errors: "0", skipped: "0" });
    const cases = testcases(text);
    expect(cases.map((c) => c.name)).toEqual(["abrupt-close", "normal-completion"]);
    expect(cases[0].failure?.["#text"].split("\n")).toEqual(leak.reasons);
    expect(cases[1].failure).toBeUndefined();
  });

  it("escapes names and reasons whatever they hold", async () => {
    const nasty = scenarioResult(`odd <name> & "quotes"`, 4, { reasons: ["a < b && c > d: \"x\" 'y' ]]>", "control \u0001 character"] });
    const text = renderJunit(runReport([nasty]));
    await validateJunit(text);
    const cases = testcases(text);
    expect(cases[0].name).toBe(`odd <name> & "quotes"`);
    expect(cases[0].failure?.["#text"]).toContain("a < b && c > d: \"x\" 'y' ]]>");
  });

  it("in a partial run: the stopped scenario is an error, the ones never started are skipped", async () => {
    const text = renderJunit(interrupted);
    await validateJunit(text);
    const cases = testcases(text);
    expect(cases.map((c) => c.name)).toEqual(["normal-completion", "abrupt-close", "network-drop"]);
    expect(cases[1].error?.message).toMatch(/stopped before its verdict: interrupted by SIGINT/);
    expect(cases[2].skipped?.message).toMatch(/not run/);
    expect(xml.parse(text).testsuites.testsuite[0]).toMatchObject({ tests: "3", errors: "1", skipped: "1" });
  });

  it("the schema check rejects what the JUnit schema does not allow", async () => {
    const text = renderJunit(mixed);
    expect(await junitSchemaErrors(text.replace(/<testcase /, "<testcase bogus=\"1\" "))).toEqual([expect.stringMatching(/attribute 'bogus' is not allowed/)]);
    expect(await junitSchemaErrors(text.replace(/ tests="\d+"/, ' tests="two"'))).toEqual([expect.stringMatching(/'two' is not a valid value/)]);
  });
});

describe("clues: what explains a failure without being one", () => {
  it("stay apart from the reasons in every report: not in junit's failure message, not a ✗ in the terminal", async () => {
    const clue = "growing: 800 Object objects survive (+1,000 per 1,000 sessions), held by store (Map) → value";
    const failing = scenarioResult("abrupt-close", 400, { reasons: ["questionTimers: 800 entries left after 800 abrupt closes (budget 0)"], clues: [clue] });
    const report = runReport([failing]);
    const junit = renderJunit(report);
    await validateJunit(junit);
    const [testcase] = testcases(junit);
    expect(testcase.failure?.message).toBe("questionTimers: 800 entries left after 800 abrupt closes (budget 0)");
    expect(testcase.failure?.["#text"].split("\n")).toEqual(["questionTimers: 800 entries left after 800 abrupt closes (budget 0)", `  (${clue})`]);
    expect(renderMarkdown(report)).toContain(`  - ${clue}`);
    const terminal = renderRun(report, new Chalk({ level: 0 }));
    expect(terminal).toContain(`    ↳ ${clue}`);
    expect(terminal).not.toContain(`✗ ${clue}`);
    expect(renderHtml(report)).toContain(`<ul class="clues"><li>${clue.replace(/>/g, "&gt;")}</li></ul>`);
  });
});

describe("failed sessions of a passing scenario", () => {
  it("say where they stuck in report.md and the terminal, not only how many", () => {
    const clean = scenarioResult("normal-completion", 0);
    const passing = { ...clean, load: { ...clean.load, failed: 1, failures: [{ message: "session timed out after 60000 ms", count: 1 }] } };
    const report = runReport([passing]);
    const sentence = "1 of 400 sessions failed, too few to fail the scenario: session timed out after 60000 ms (1)";
    expect(renderMarkdown(report)).toContain(`- ${sentence}`);
    expect(renderRun(report, new Chalk({ level: 0 }))).toContain(`  · ${sentence}`);
    // None failed: nothing said.
    expect(renderMarkdown(runReport([clean]))).not.toMatch(/sessions failed/);
  });
});

describe("report.md", () => {
  it("gives the verdict, a row per scenario with the same verdicts as report.json, and the reasons", () => {
    const text = renderMarkdown(mixed);
    expect(text.split("\n")[0]).toMatch(/^## ❌ leakcheck: FAIL/);
    const rows = text.split("\n").filter((line) => /^\| (abrupt-close|normal-completion) \|/.test(line));
    expect(rows.map((row) => row.split("|")[2].trim())).toEqual(["❌ LEAK", "✅ PASS"]);
    for (const reason of leak.reasons) expect(text).toContain(`- ${reason}`);
    expect(text).toContain("`reports/20261125T120000Z-test/report.html`");
    expect(text.length).toBeLessThan(4000);
  });

  it("says PARTIAL and lists what did not finish", () => {
    const text = renderMarkdown(interrupted);
    expect(text).toMatch(/\*\*PARTIAL run\*\*: interrupted by SIGINT/);
    expect(text).toContain("`abrupt-close` (stopped)");
    expect(text).toMatch(/\| network-drop \| ⏹ not run \|/);
  });

  it("keeps a pipe in a scenario name inside its cell", () => {
    const text = renderMarkdown(runReport([scenarioResult("a|b", 0)]));
    expect(text).toContain("| a\\|b |");
  });
});

describe("report.html", () => {
  it("is self-contained: no script, nothing fetched, a CSP that forbids both", () => {
    const html = renderHtml(mixed);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
  });

  it("puts the verdict first, then a table, a timeline per scenario with every phase, the heap diff and the files", () => {
    const html = renderHtml(mixed);
    expect(html.indexOf("FAIL: memory leaks over budget")).toBeLessThan(html.indexOf('<table class="summary"'));
    expect(html.match(/<svg class="timeline"/g)).toHaveLength(2);
    for (const phase of ["warm-up", "baseline", "rounds", "settle", "final"]) {
      expect(html).toContain(`data-series="heapUsed" data-phase="${phase}"`);
      expect(html).toContain(`<g class="phase" data-phase="${phase}"`);
    }
    expect(html).toContain('class="gc-point" data-label="round 4"');
    expect(html).toContain("<h3>Heap diff</h3>");
    expect(html).toContain("activeSessions (Map) → value → Session &lt;&amp;&gt;");
    expect(html).toContain('<a href="snapshots/a.final.heapsnapshot">');
    expect(html).toContain('<a href="junit.xml">');
  });

  it("says PARTIAL and names what did not finish", () => {
    const html = renderHtml(interrupted);
    expect(html).toContain("(PARTIAL)");
    expect(html).toContain("<strong>PARTIAL run.</strong>");
    expect(html).toContain("abrupt-close (stopped), network-drop (not started)");
  });

  it("draws the heap after GC per round when a report has no samples", () => {
    const html = renderHtml(runReport([scenarioResult("abrupt-close", 400, { samples: [], phases: [] })]));
    expect(html).toContain('data-source="rounds"');
    expect(html).toContain('data-series="heapAfterGc"');
  });
});

describe("the timeline", () => {
  it("splits each series by phase and joins gauges that move together", () => {
    const timeline = buildTimeline(leak);
    expect(timeline?.source).toBe("samples");
    expect(timeline?.heap[0].pieces.map((piece) => piece.phase)).toEqual(["warm-up", "baseline", "rounds", "settle", "final"]);
    expect(timeline?.counts[0].label).toBe("activeSessions = questionTimers = performanceCache = socketMappings = active timers");
    expect(timeline?.gc.map((point) => point.label)).toEqual(["baseline", "round 1", "round 2", "round 3", "round 4", "final"]);
  });

  it("thins long series and keeps the peaks", () => {
    const points = Array.from({ length: 10_000 }, (_, x) => ({ x, y: x === 5000 ? 99 : x % 7 }));
    const thinned = thin(points, 500);
    expect(thinned.length).toBeLessThanOrEqual(500);
    expect(thinned[0]).toEqual(points[0]);
    expect(thinned.at(-1)).toEqual(points.at(-1));
    expect(thinned.some((point) => point.y === 99)).toBe(true);
  });
});

describe("the run folder", () => {
  it("writes every report, links latest, and appends report.md to GITHUB_STEP_SUMMARY only at the end", async () => {
    const parent = fs.mkdtempSync(path.join(temporary, "reports-"));
    const runDir = path.join(parent, "20261125T120000Z-test");
    fs.mkdirSync(path.join(runDir, "snapshots"), { recursive: true });
    fs.writeFileSync(path.join(runDir, "server.log"), "log\n");
    fs.writeFileSync(path.join(runDir, "snapshots", "x.heapsnapshot"), "{}");
    const summary = path.join(temporary, "step-summary.md");
    fs.writeFileSync(summary, "earlier step\n");
    const env = { GITHUB_STEP_SUMMARY: summary };

    await writeReports(runDir, interrupted, { final: false, env });
    expect(fs.readFileSync(summary, "utf8")).toBe("earlier step\n");
    await writeReports(runDir, mixed, { final: true, env });
    expect(fs.readFileSync(summary, "utf8")).toBe(`earlier step\n${renderMarkdown(mixed)}\n`);

    expect(fs.readdirSync(runDir).sort()).toEqual(["junit.xml", "report.html", "report.json", "report.md", "server.log", "snapshots"]);
    expect(fs.readFileSync(path.join(parent, "latest", "report.json"), "utf8")).toBe(renderJson(mixed));
    expect(fs.readlinkSync(path.join(parent, "latest"))).toBe("20261125T120000Z-test");
    expect(await listRunFiles(runDir)).toEqual([
      { name: "server.log", bytes: 4 },
      { name: "snapshots/x.heapsnapshot", bytes: 2 },
    ]);
  });

  it("an atomic write leaves the old file or the new one, and no temporary file", async () => {
    const file = path.join(temporary, "atomic.txt");
    await writeFileAtomic(file, "old");
    await expect(writeFileAtomic(path.join(temporary, "no-such-folder", "x.txt"), "new")).rejects.toThrow();
    await writeFileAtomic(file, "new");
    expect(fs.readFileSync(file, "utf8")).toBe("new");
    expect(fs.readdirSync(temporary).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("a heap row over its per-session budget that passes (issue 13)", () => {
  const quiet = scenarioResult("random-churn", 0);
  quiet.heap = { ...quiet.heap!, perSessionBytes: 2867, growthBytes: 230_000, pass: true, note: "under the 1.0 MB noise floor", noiseFloorBytes: 1_048_576 };
  const report = runReport([quiet]);

  it("says why in every format: terminal, Markdown, HTML, JUnit and JSON", () => {
    const terminal = renderRun(report, new Chalk({ level: 0 }));
    expect(terminal).toMatch(/heap growth per session .*2\.8 KB .*1\.0 KB .*ok \(under the 1\.0 MB noise floor\)/);
    expect(renderMarkdown(report)).toContain("| 2.8 KB (budget 1.0 KB; ok, under the 1.0 MB noise floor) |");
    const html = renderHtml(report);
    expect(html).toContain('<td class="ok">ok <span class="muted">(under the 1.0 MB noise floor)</span></td>');
    expect(html).toContain("2.8 KB / 1.0 KB (ok: under the 1.0 MB noise floor)");
    expect(renderJunit(report)).toContain("2.8 KB per session (budget 1.0 KB; under the 1.0 MB noise floor)");
    expect(JSON.parse(renderJson(report)).scenarios[0].heap.note).toBe("under the 1.0 MB noise floor");
  });

  it("says nothing more where the figures speak for themselves", () => {
    const plain = runReport([scenarioResult("normal-completion", 0), scenarioResult("abrupt-close", 400)]);
    for (const text of [renderRun(plain, new Chalk({ level: 0 })), renderMarkdown(plain), renderHtml(plain), renderJunit(plain)]) {
      expect(text).not.toContain("noise floor");
    }
  });
});

describe("a server of several processes whose sum reads ok while one worker leaks (issue 12)", () => {
  // Worker 2's objects survive every round: its heap growth is under the noise floor, the
  // sum's checks all pass, and only the survivor check (its own) fails it.
  const sum = scenarioResult("abrupt-close", 0);
  const reason = "worker 2 (pid 4121): 202 (closure) objects survive (kept by every round, +505 per 1,000 sessions net), held by questionBank";
  const process = (label: string, pid: number, survivorsPass: boolean) => ({
    label,
    pid,
    verdict: survivorsPass ? ("pass" as const) : ("fail" as const),
    gauges: sum.gauges,
    handles: sum.handles,
    heap: { ...sum.heap!, perSessionBytes: 300, survivors: { leakingGroups: survivorsPass ? 0 : 1, budgetPerThousandSessions: 100, pass: survivorsPass } },
    reasons: survivorsPass ? [] : [reason],
  });
  const several = scenarioResult("abrupt-close", 0, {
    verdict: "fail",
    reasons: [reason],
    processes: [process("primary (pid 4100)", 4100, true), process("worker 1 (pid 4120)", 4120, true), process("worker 2 (pid 4121)", 4121, false)],
  });
  const report = runReport([several]);

  it("the terminal gives each process its row, and worker 2's reads over where the sum's rows all read ok", () => {
    const lines = renderRun(report, new Chalk({ level: 0 })).split("\n");
    const checks = lines.filter((line) => /^│ (activeSessions|questionTimers|active timers|heap growth per session)/.test(line));
    expect(checks.length).toBeGreaterThan(3);
    for (const line of checks) expect(line).toMatch(/ ok\s+│$/);
    expect(lines.find((line) => line.startsWith("│ heap growth per session"))).toContain("heap growth per session (all processes)");
    expect(lines.find((line) => line.startsWith("│ worker 2 (pid 4121)"))).toMatch(/│\s+300 B │ 1\.0 KB │ over: surviving objects\s+│$/);
    expect(lines.find((line) => line.startsWith("│ worker 1 (pid 4120)"))).toMatch(/│ ok\s+│$/);
  });

  it("report.md has a row per process, and junit.xml's failure starts with the process that failed", async () => {
    const md = renderMarkdown(report);
    expect(md).toContain("| ↳ worker 2 (pid 4121) | ❌ LEAK: surviving objects | | 300 B (budget 1.0 KB) | | | | |");
    expect(md).toContain("| ↳ worker 1 (pid 4120) | ✅ PASS | | 300 B (budget 1.0 KB) | | | | |");
    const junit = renderJunit(report);
    expect(await junitSchemaErrors(junit)).toEqual([]);
    expect(testcases(junit)[0].failure?.["#text"].split("\n")).toEqual(["failed in worker 2 (pid 4121): surviving objects (1 of 3 processes)", reason]);
  });

  it("a server of one process reads as before: no per-process rows, no '(all processes)'", () => {
    const one = runReport([scenarioResult("abrupt-close", 400)]);
    for (const text of [renderRun(one, new Chalk({ level: 0 })), renderMarkdown(one), renderJunit(one)]) {
      expect(text).not.toMatch(/all processes|↳|failed in|│ process /);
    }
  });
});
