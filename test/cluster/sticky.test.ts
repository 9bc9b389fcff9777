// A Socket.IO cluster with sticky sessions, set up as @socket.io/sticky does: the primary
// listens and hands each connection to a worker, whose HTTP server listens on nothing. Each
// worker is found through its probe (a worker of the listening primary, with a Socket.IO
// server), judged on its own, and a leak in worker 2 is named as worker 2. Before, no process
// "served" the port and the run said "nothing to gauge … attached with --url" under --server.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, removeDir, runCli, tempReportDir } from "../support/cli.js";
import { TreeWatcher } from "../support/processes.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

const STICKY = path.join(FIXTURES, "cluster/sticky-server.mjs");
const SCENARIO = path.join(FIXTURES, "root-echo-scenario.mjs");
const args = ["run", SCENARIO, "--sessions", "40", "--warmup", "8", "--rounds", "2", "--no-snapshots", "--settle-timeout", "4s", "--json", "--quiet", "--report-dir", reportDir];

interface ProcessEntry {
  label: string;
  pid: number;
  verdict: string;
  gauges: { name: string; residual: number }[];
}

/** Runs leakcheck against `server`; checks the cluster ran (primary and two workers) and nothing of it survives. */
async function run(server: string, env: Record<string, string> = {}) {
  let watcher: TreeWatcher | undefined;
  try {
    const result = await runCli([...args, "--server", server], { env, timeoutMs: 90_000, onSpawn: (child) => (watcher = new TreeWatcher(child.pid!, 100)) });
    expect(watcher!.seenMatching(/sticky-server\.mjs/).length).toBeGreaterThanOrEqual(3);
    expect(watcher!.survivors()).toEqual([]);
    return result;
  } finally {
    watcher?.stop();
  }
}

const labels = (processes: ProcessEntry[]) => processes.map((each) => each.label.replace(/\d+\)$/, "P)"));

describe("a sticky-session cluster (the primary listens, workers are handed each connection)", () => {
  it("passes when every worker is clean, each worker found and judged", async () => {
    const result = await run(`node ${STICKY}`);
    expect(result.stderr).toBe("");
    const [scenario] = JSON.parse(result.stdout).scenarios as { verdict: string; processes: ProcessEntry[] }[];
    expect(labels(scenario.processes)).toEqual(["primary (pid P)", "worker 1 (pid P)", "worker 2 (pid P)"]);
    expect(scenario.processes.map((each) => each.verdict)).toEqual(["pass", "pass", "pass"]);
    expect(result.code).toBe(0);
  });

  it("fails a leak in worker 2 alone and names worker 2, its gauge read inside it (leakcheck/gauges)", async () => {
    const result = await run(`node ${STICKY}`, { LEAK_WORKER: "2" });
    expect(result.code).toBe(1);
    const [scenario] = JSON.parse(result.stdout).scenarios as { reasons: string[]; processes: ProcessEntry[] }[];
    const [, one, two] = scenario.processes;
    expect([one.label, one.verdict, two.label, two.verdict]).toEqual([`worker 1 (pid ${one.pid})`, "pass", `worker 2 (pid ${two.pid})`, "fail"]);
    const left = two.gauges.find((gauge) => gauge.name === "users")!.residual;
    expect(left).toBeGreaterThan(0);
    expect(scenario.reasons).toEqual([`worker 2 (pid ${two.pid}): users: ${left} entries left after 40 sessions (budget 0)`]);
  });

  it("reads each worker's own metrics endpoint through its probe, though its HTTP server listens on nothing", async () => {
    const result = await run(`node ${STICKY}`, { LEAK_WORKER: "2", METRICS: "1" });
    expect(result.code).toBe(1);
    const [scenario] = JSON.parse(result.stdout).scenarios as { reasons: string[]; processes: ProcessEntry[]; notes: string[] }[];
    expect(scenario.notes.join(" ")).not.toMatch(/no metrics endpoint/);
    const two = scenario.processes[2];
    expect(scenario.reasons).toEqual([expect.stringMatching(new RegExp(`^worker 2 \\(pid ${two.pid}\\): users: \\d+ entries left after 40 sessions \\(budget 0\\)$`))]);
  });

  it("a server command that drops the probe (NODE_OPTIONS replaced) is told as that, not as --url", async () => {
    const result = await runCli([...args, "--server", `NODE_OPTIONS= node ${path.join(FIXTURES, "websocket-only-server.cjs")}`], { timeoutMs: 60_000 });
    expect(result.code).toBe(3);
    expect(result.stderr.trim()).toMatch(
      /^leakcheck: nothing to gauge: GET \S+\/api\/metrics has no integer fields, or no endpoint, and no process of the server leakcheck started answered its probe as serving the port \(the probe rides in NODE_OPTIONS: .*\): keep NODE_OPTIONS in the server's command, or point --metrics-path at the server's metrics endpoint$/,
    );
  });
});
