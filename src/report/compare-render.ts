// A comparison for a person: a table per scenario in the terminal, or Markdown for a
// pull-request comment. (`compare --json` prints the Comparison itself.)

import type { ChalkInstance } from "chalk";
import Table from "cli-table3";
import { formatBytes, formatSigned } from "../format.js";
import type { Verdict } from "../report-schema/verdict.js";
import { comparisonHeadline, type Comparison, type RunSummary, type ScenarioComparison } from "./compare.js";

const VERDICT_WORD: Record<Verdict, string> = { pass: "PASS", fail: "LEAK", error: "ERROR" };

/** The comparison as terminal text. */
export function renderComparisonText(comparison: Comparison, chalk: ChalkInstance): string {
  const parts = [
    [runLine("A", comparison.a, chalk), runLine("B", comparison.b, chalk)].join("\n"),
    ...comparison.scenarios.map((scenario) => scenarioText(scenario, chalk)),
  ];
  const footer = comparison.notes.map((note) => chalk.dim(`· ${note}`));
  const headline = comparisonHeadline(comparison);
  footer.push(comparison.regression ? chalk.red.bold(headline) : chalk.green.bold(headline));
  parts.push(footer.join("\n"));
  return `${parts.join("\n\n")}\n`;
}

function runLine(label: string, run: RunSummary, chalk: ChalkInstance): string {
  const facts = [VERDICT_WORD[run.verdict] + (run.partial ? " (partial)" : ""), run.startedAt, run.leakcheck ? `leakcheck ${run.leakcheck}` : undefined];
  return `${chalk.bold(label)}  ${run.given}  ${chalk.dim(facts.filter(Boolean).join(" · "))}`;
}

function scenarioText(scenario: ScenarioComparison, chalk: ChalkInstance): string {
  const verdicts = `${scenario.verdictA ? VERDICT_WORD[scenario.verdictA] : "—"} → ${scenario.verdictB ? VERDICT_WORD[scenario.verdictB] : "—"}`;
  const lines = [`${chalk.bold(scenario.name)}  ${scenario.regressions.length ? chalk.red(verdicts) : verdicts}`];
  if (scenario.verdictA && scenario.verdictB) {
    const table = new Table({
      head: ["", "A", "B", ""],
      colAligns: ["left", "right", "right", "left"],
      style: { head: chalk.level > 0 ? ["bold"] : [], border: [] },
      chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    });
    table.push(["sessions", count(scenario.sessionsA), count(scenario.sessionsB), ""]);
    table.push(["heap growth per session", bytes(scenario.heapPerSessionA), bytes(scenario.heapPerSessionB), heapChange(scenario)]);
    for (const check of scenario.checks) {
      table.push([`${check.name} left over`, signed(check.residualA), signed(check.residualB), check.regression ? chalk.red("worse") : ""]);
    }
    lines.push(table.toString());
  }
  if (scenario.constructors.length) {
    lines.push(
      chalk.dim(
        `  grew most on B, per session: ${scenario.constructors
          .map((row) => `${row.name} ${bytes(row.perSessionB)} (A ${bytes(row.perSessionA)})`)
          .join(", ")}`,
      ),
    );
  }
  for (const regression of scenario.regressions) lines.push(`  ${chalk.red("✗")} ${regression}`);
  for (const note of scenario.notes) lines.push(chalk.dim(`  · ${note}`));
  return lines.join("\n");
}

/** The comparison as GitHub-flavoured Markdown. */
export function renderComparisonMarkdown(comparison: Comparison): string {
  const lines = [
    `## ${comparison.regression ? "❌" : "✅"} leakcheck compare: ${comparisonHeadline(comparison)}`,
    "",
    `A: \`${comparison.a.given}\` (${VERDICT_WORD[comparison.a.verdict]}${comparison.a.partial ? ", partial" : ""}) · ` +
      `B: \`${comparison.b.given}\` (${VERDICT_WORD[comparison.b.verdict]}${comparison.b.partial ? ", partial" : ""})`,
    "",
    "| scenario | verdict A → B | heap per session A | heap per session B | left over A → B | regression |",
    "|---|---|--:|--:|---|---|",
  ];
  for (const scenario of comparison.scenarios) {
    const leftOver = scenario.checks
      .filter((check) => (check.residualA ?? 0) !== 0 || (check.residualB ?? 0) !== 0)
      .map((check) => `${check.name} ${signed(check.residualA)} → ${signed(check.residualB)}`)
      .join(", ");
    lines.push(
      `| ${scenario.name} | ${scenario.verdictA ? VERDICT_WORD[scenario.verdictA] : "—"} → ${scenario.verdictB ? VERDICT_WORD[scenario.verdictB] : "—"} | ` +
        `${bytes(scenario.heapPerSessionA)} | ${bytes(scenario.heapPerSessionB)} | ${leftOver || "none"} | ${scenario.regressions.length ? "❌ yes" : "no"} |`,
    );
  }
  lines.push("");
  for (const scenario of comparison.scenarios) {
    if (scenario.regressions.length === 0) continue;
    lines.push(`**${scenario.name}**`, "", ...scenario.regressions.map((regression) => `- ${regression.replace(/\|/g, "\\|")}`), "");
  }
  for (const note of comparison.notes) lines.push(`> ${note}`, "");
  return `${lines.join("\n")}`;
}

function heapChange(scenario: ScenarioComparison): string {
  if (scenario.heapPerSessionA === undefined || scenario.heapPerSessionB === undefined) return "";
  const change = scenario.heapPerSessionB - scenario.heapPerSessionA;
  return change >= 0 ? `+${formatBytes(change)}` : formatBytes(change);
}

function bytes(value: number | undefined): string {
  return value === undefined ? "—" : formatBytes(value);
}

function signed(value: number | undefined): string {
  return value === undefined ? "—" : formatSigned(value);
}

function count(value: number | undefined): string {
  return value === undefined ? "—" : value.toLocaleString("en-US");
}
