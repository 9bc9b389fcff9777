// junit.xml in the shape CI servers read (Jenkins, GitLab, GitHub test-report actions):
// one <testsuite> per run, one <testcase> per scenario; a leak is a <failure> with its
// reasons, a scenario that could not be judged an <error>. In a partial run the
// scenario that was stopped is an <error> and the ones never started are <skipped>.
// xmlbuilder2 writes the XML, so names and reasons are escaped whatever they hold.

import { create } from "xmlbuilder2";
import { formatBytes, formatSigned } from "../format.js";
import type { ScenarioResult } from "../report-schema/scenario.js";
import { REPORT_FILES, type RunReport } from "../report-schema/run-report.js";
import { unfinishedScenarios } from "./json.js";
import { processMark, processRows } from "./process-rows.js";

const CLASS_NAME = "leakcheck";

/** junit.xml's text. */
export function renderJunit(report: RunReport): string {
  const unfinished = unfinishedScenarios(report);
  const counts = {
    tests: report.scenarios.length + unfinished.length,
    failures: report.scenarios.filter((scenario) => scenario.verdict === "fail").length,
    errors: report.scenarios.filter((scenario) => scenario.verdict === "error").length + unfinished.filter((u) => u.started).length,
    skipped: unfinished.filter((u) => !u.started).length,
  };
  const suiteAttributes = {
    tests: String(counts.tests),
    failures: String(counts.failures),
    errors: String(counts.errors),
    skipped: String(counts.skipped),
    time: seconds(report.durationMs),
    // The Ant schema's timestamp: local form, no zone, no fraction (the value is UTC).
    timestamp: report.startedAt.replace(/\.\d+Z$|Z$/, ""),
  };

  const document = create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "\uFFFD" });
  const suites = document.ele("testsuites", { name: "leakcheck", ...suiteAttributes });
  const suite = suites.ele("testsuite", {
    name: `leakcheck run ${report.planned.join(" ")}`,
    ...suiteAttributes,
    hostname: report.machine.hostname,
    id: "0",
    package: CLASS_NAME,
  });
  const properties = suite.ele("properties");
  const property = (name: string, value: string | number | boolean) => properties.ele("property", { name, value: String(value) });
  property("verdict", report.verdict);
  property("partial", report.partial);
  property("seed", report.seed);
  property("leakcheck", report.versions.leakcheck);
  property("node", report.versions.node);
  property("socket.io", report.versions.socketIo);
  if (report.reportDir) property("report", `${report.reportDir}/${REPORT_FILES.html}`);
  if (report.error) property("error", report.error);

  for (const scenario of report.scenarios) {
    const testcase = suite.ele("testcase", { name: scenario.name, classname: CLASS_NAME, time: seconds(scenario.durationMs) });
    if (scenario.verdict !== "pass") {
      testcase
        .ele(scenario.verdict === "fail" ? "failure" : "error", {
          message: scenario.reasons.join("; ") || `verdict ${scenario.verdict}`,
          type: scenario.verdict === "fail" ? "leak" : "unjudged",
        })
        .txt([...whichProcesses(scenario), ...scenario.reasons, ...(scenario.clues ?? []).map((clue) => `  (${clue})`)].join("\n"));
    }
    testcase.ele("system-out").txt(checkLines(scenario).join("\n"));
  }
  for (const { name, started } of unfinished) {
    const testcase = suite.ele("testcase", { name, classname: CLASS_NAME, time: "0" });
    const why = report.error ?? "the run stopped early";
    if (started) testcase.ele("error", { message: `stopped before its verdict: ${why}`, type: "interrupted" }).txt(why);
    else testcase.ele("skipped", { message: `not run: ${why}` });
  }
  return `${document.end({ prettyPrint: true })}\n`;
}

/** The scenario's checks as plain lines, for the CI server's "standard output" pane. */
function checkLines(scenario: ScenarioResult): string[] {
  const lines = [`${scenario.name}: ${scenario.verdict} · ${scenario.sessions} sessions · seed ${scenario.seed} · ${scenario.target}`];
  for (const check of [...scenario.gauges, ...(scenario.handles ?? [])]) {
    lines.push(`${check.pass ? "ok  " : "over"} ${check.name}: ${check.baseline} → ${check.final} (${formatSigned(check.residual)}, budget ${check.budget})`);
  }
  const processes = processRows(scenario);
  if (scenario.heap) {
    const heap = scenario.heap;
    lines.push(
      `${heap.pass ? "ok  " : "over"} heap${processes.length > 0 ? " (all processes)" : ""}: ${formatBytes(heap.baselineBytes)} → ${formatBytes(heap.finalBytes)}, ` +
        `${formatBytes(heap.perSessionBytes)} per session (budget ${formatBytes(heap.budgetBytes)}${heap.note ? `; ${heap.note}` : ""})`,
    );
  }
  for (const row of processes) {
    const heap = row.growth === null ? "heap not measured" : `heap ${row.growth} per session (budget ${row.budget})`;
    lines.push(`${row.verdict === "pass" ? "ok  " : row.verdict === "fail" ? "over" : "err "} ${row.label}: ${heap}${row.verdict === "pass" ? "" : `; ${processMark(row, Infinity)}`}`);
  }
  for (const note of scenario.notes) lines.push(`note: ${note}`);
  return lines;
}

/** A server of several processes: the failure body's first line names the ones that failed (the sum's checks may all pass). */
function whichProcesses(scenario: ScenarioResult): string[] {
  const processes = processRows(scenario);
  const failing = processes.filter((row) => row.verdict === "fail");
  if (failing.length === 0) return [];
  const each = failing.map((row) => `${row.label}${row.failed.length ? `: ${row.failed.join(", ")}` : ""}`);
  return [`failed in ${each.join("; ")} (${failing.length} of ${processes.length} processes)`];
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
