// What every report says about a server of several processes and about --load, from one
// real run: the 2-worker node:cluster fixture with a leak in worker 2 alone, its sessions
// driven by a user's load script. Each process has its own row (worker 2's reads over, never
// ok); the clients and latency the script measured are not printed as leakcheck's zeros.
import { readFileSync } from "node:fs";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReportSchema } from "../../src/report-schema/run-report.js";
import { MEASURED_BY_LOAD_COMMAND } from "../../src/report/load-command.js";
import { FIXTURES, removeDir, runCli, tempReportDir, type CliResult } from "../support/cli.js";
import { TreeWatcher } from "../support/processes.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

const CLUSTER = path.join(FIXTURES, "cluster/cluster-server.mjs");
const LOAD = path.join(FIXTURES, "load/interview-load.mjs");

let result: CliResult;
interface ProcessEntry {
  pid: number;
  label: string;
  verdict: string;
}
let processes: ProcessEntry[];
let worker2: ProcessEntry;
const file = (name: string) => readFileSync(path.join(reportDir, "latest", name), "utf8");

beforeAll(async () => {
  const watcher = new TreeWatcher(process.pid, 100);
  try {
    result = await runCli(
      ["run", "abrupt-close", "--server", `node ${CLUSTER}`, "--load", `node ${LOAD}`, "--sessions", "120", "--warmup", "20", "--rounds", "2",
        "--no-snapshots", "--settle-timeout", "4s", "--report-dir", reportDir],
      { env: { LEAK_WORKER: "2", LEAK: "disconnect" }, timeoutMs: 90_000 },
    );
    expect(watcher.survivors()).toEqual([]);
  } finally {
    watcher.stop();
  }
  const json = JSON.parse(file("report.json"));
  processes = json.scenarios[0].processes;
  worker2 = processes.find((each) => each.label.startsWith("worker 2"))!;
}, 100_000);

describe("a 2-worker cluster leaking in worker 2, driven by --load", () => {
  it("fails, and report.json stays valid with null for what the load command measured", () => {
    expect(result.code, result.stderr).toBe(1);
    const json = JSON.parse(file("report.json"));
    // The whole schema, strict: the nulls are what it allows, not dropped as a misfit.
    expect(runReportSchema.safeParse(json).error).toBeUndefined();
    const load = json.scenarios[0].load;
    expect(load).toMatchObject({ peakClients: null, acks: null, errorAcks: null, ackLatencyMs: null });
    expect(json.scenarios[0].externalLoad.rounds.length).toBeGreaterThanOrEqual(3);
  });

  it("terminal: the sum's heap rows say so, each process has its row, and worker 2's reads over", () => {
    const out = result.stdout;
    expect(out).toContain("heap growth per session (all processes)");
    const rows = out.split("\n").filter((line) => /^│ (primary|worker \d) \(pid \d+\)/.test(line));
    expect(rows).toHaveLength(3);
    const row2 = rows.find((line) => line.includes(worker2.label))!;
    expect(row2).toMatch(/│ over: activeSessions \+\d+, questionTimers \+\d+ and \d more\s+│$/);
    // Every row reads as its process was judged (a clean worker's heap is its own to pass or fail).
    for (const each of processes) {
      expect(rows.find((line) => line.includes(each.label))).toMatch(each.verdict === "pass" ? / ok\s+│$/ : / over: .*│$/);
    }
    // The figures leakcheck did not measure are not printed as zeros.
    expect(out).toContain(`120 sessions · `);
    expect(out).toContain(MEASURED_BY_LOAD_COMMAND);
    expect(out).not.toMatch(/peak 0 clients|ack p50 0 ms|protocol errors/);
  });

  it("report.md: a row per process under the scenario's, worker 2's a LEAK, and dashes explained", () => {
    const md = file("report.md");
    expect(md).toMatch(new RegExp(`^\\| ↳ worker 2 \\(pid ${worker2.pid}\\) \\| ❌ LEAK: activeSessions \\+\\d+, questionTimers \\+\\d+ and \\d more \\| \\| [−+][\\d,]+ ± [\\d,]+ B \\(95 %\\) \\(budget 1\\.0 KB\\) \\|`, "m"));
    for (const each of processes) {
      expect(md).toMatch(new RegExp(`^\\| ↳ ${each.label.replace(/[()]/g, "\\$&")} \\| ${each.verdict === "pass" ? "✅ PASS \\|" : "❌ LEAK: "}`, "m"));
    }
    expect(md).toMatch(/^\| abrupt-close \| ❌ LEAK \| 120 \| .* \| — \| — \| — \|$/m);
    expect(md).toContain(`- ${MEASURED_BY_LOAD_COMMAND} (\`node ${LOAD}\`)`);
    expect(md).not.toContain("0 / 0 ms");
  });

  it("junit.xml: the failure names the failing process first, and the output has a line per process", () => {
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(file("junit.xml"));
    const testcase = parsed.testsuites.testsuite.testcase;
    const failure: string = testcase.failure["#text"];
    expect(failure.split("\n")[0]).toMatch(new RegExp(`^failed in worker 2 \\(pid ${worker2.pid}\\): activeSessions \\+\\d+, .* \\(1 of 3 processes\\)$`));
    const out: string = testcase["system-out"];
    expect(out).toMatch(new RegExp(`^over worker 2 \\(pid ${worker2.pid}\\): heap .* per session \\(budget 1\\.0 KB\\); over: activeSessions`, "m"));
    expect(out.split("\n").filter((line) => /^(ok  |over) (primary|worker \d) \(pid \d+\): heap /.test(line))).toHaveLength(3);
  });

  it("report.html: says who measured the clients, draws no clients line of zeros, and names the sum's heap rows", () => {
    const html = file("report.html");
    expect(html).toContain(MEASURED_BY_LOAD_COMMAND);
    expect(html).toContain("<tr><td>heap growth per session (all processes)</td>");
    expect(html).not.toMatch(/peak 0 clients|ack latency p50 0 ms/);
    expect(html).not.toContain("clients connected");
  });
});
