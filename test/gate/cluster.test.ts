// Every process of the server under test (issue 12): a node:cluster of 2 workers sharing one
// port with @socket.io/cluster-adapter. A leak in one worker fails and names that worker,
// all clean passes, a worker killed mid-run (or replaced) is exit 3 naming it; after each,
// nothing of the cluster is left running.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, removeDir, runCli, tempReportDir } from "../support/cli.js";
import { descendantsOf, TreeWatcher } from "../support/processes.js";

const reportDir = tempReportDir();
afterAll(() => removeDir(reportDir));

const CLUSTER = path.join(FIXTURES, "cluster/cluster-server.mjs");
const args = ["run", "abrupt-close", "--server", `node ${CLUSTER}`, "--sessions", "120", "--warmup", "20", "--rounds", "2"];
const common = ["--no-snapshots", "--settle-timeout", "4s", "--report-dir", reportDir];

interface ProcessEntry {
  label: string;
  pid: number;
  workerId?: number;
  verdict: string;
  reasons: string[];
  gauges: { name: string; residual: number }[];
}

/** Runs leakcheck against the cluster, watching its process tree; checks nothing survives it. */
async function runCluster(env: Record<string, string>, extra: string[] = [], onSpawn?: Parameters<typeof runCli>[1]["onSpawn"]) {
  const watcher = new TreeWatcher(process.pid, 100);
  try {
    const result = await runCli([...args, ...common, ...extra], { env, onSpawn, timeoutMs: 90_000 });
    const workersSeen = watcher.seenMatching(/cluster-server\.mjs/).length;
    // The primary and its two workers (a shell may stand in front of the primary).
    expect(workersSeen).toBeGreaterThanOrEqual(3);
    expect(watcher.survivors()).toEqual([]);
    return result;
  } finally {
    watcher.stop();
  }
}

describe("a node:cluster server of two workers", () => {
  it("passes when every worker is clean, judging each on its own", async () => {
    const result = await runCluster({}, ["--json", "--quiet"]);
    expect(result.stderr).toBe("");
    const scenario = JSON.parse(result.stdout).scenarios[0] as { verdict: string; processes: ProcessEntry[]; notes: string[] };
    expect(scenario.processes.map((each) => each.label.replace(/\d+\)$/, "P)"))).toEqual(["primary (pid P)", "worker 1 (pid P)", "worker 2 (pid P)"]);
    expect(scenario.processes.every((each) => each.verdict === "pass")).toBe(true);
    // Each worker's gauges came from its own metrics endpoint: both served sessions.
    expect(scenario.verdict).toBe("pass");
    expect(result.code).toBe(0);
  });

  it("fails a leak in worker 2 alone, and names worker 2 and only it", async () => {
    const result = await runCluster({ LEAK_WORKER: "2", LEAK: "disconnect" }, ["--json", "--quiet"]);
    expect(result.code).toBe(1);
    const scenario = JSON.parse(result.stdout).scenarios[0] as { reasons: string[]; processes: ProcessEntry[] };
    const [, one, two] = scenario.processes;
    expect(one.verdict).toBe("pass");
    expect(two.verdict).toBe("fail");
    // About half of the 120 sessions reached worker 2; all of them were left behind.
    const left = two.gauges.find((gauge) => gauge.name === "activeSessions")!.residual;
    expect(left).toBeGreaterThan(10);
    expect(scenario.reasons[0]).toBe(`worker 2 (pid ${two.pid}): activeSessions: ${left} entries left after 120 abrupt closes (budget 0)`);
    expect(scenario.reasons.some((reason) => reason.startsWith("worker 1"))).toBe(false);
    expect(readFileSync(path.join(reportDir, "latest/report.md"), "utf8")).toContain(`worker 2 (pid ${two.pid}): activeSessions`);
    // report.html: a row per process, worker 2's marked LEAK, and a heap line per process in the timeline.
    const html = readFileSync(path.join(reportDir, "latest/report.html"), "utf8");
    expect(html).toMatch(new RegExp(`<tr data-pid="${two.pid}"><td class="text" title="[^"]*cluster-server\\.mjs">worker 2 \\(pid ${two.pid}\\)</td><td class="over">LEAK</td>`));
    expect(html).toMatch(new RegExp(`<tr data-pid="${one.pid}"><td class="text" title="[^"]*">worker 1 \\(pid ${one.pid}\\)</td><td class="ok">PASS</td>`));
    expect(html).toContain(`heap used: worker 2 (pid ${two.pid})`);
  });

  it("reads every worker's snapshots: a record kept per session in worker 2 alone fails by count, naming worker 2", async () => {
    // 3 KB per ended session in worker 2 (about half the sessions reach it: over the 1 KB budget per
    // session of the whole run even at a 40 % share; 2 KB was not, once, under CI's load): under every gauge, and under the heap's 1 MB floor in
    // all at these sizes, caught only by counting survivors. Read before: one process's series,
    // and with on-fail only once a process had failed otherwise, so this leak passed (a new
    // user's worker-2 leak passed the same way). Under 500 sessions, worker 1's recent results
    // (small, still filling) are not called on their count: only a group over the bytes budget is.
    const small = ["run", "normal-completion", "--server", `node ${CLUSTER}`, "--sessions", "200", "--warmup", "20", "--rounds", "4", "--concurrency", "40"];
    const watcher = new TreeWatcher(process.pid, 100);
    try {
      const result = await runCli([...small, "--snapshots", "on-fail", "--settle-timeout", "4s", "--report-dir", reportDir, "--json", "--quiet"], {
        env: { LEAK_WORKER: "2", LEAK: "bytes:3000" },
        timeoutMs: 150_000,
      });
      expect(result.code, result.stderr).toBe(1);
      const scenario = JSON.parse(result.stdout).scenarios[0] as { reasons: string[]; notes: string[]; processes: ProcessEntry[] };
      const [, one, two] = scenario.processes;
      expect([one.verdict, two.verdict]).toEqual(["pass", "fail"]);
      expect(scenario.reasons.join("\n")).toMatch(new RegExp(`^worker 2 \\(pid ${two.pid}\\): [\\d,]+ Object objects survive \\(kept by every round.*held by endedNotes \\(Map`, "m"));
      expect(scenario.notes.join("\n")).toMatch(/heap snapshots read: worker 1 \(pid \d+\)'s, worker 2 \(pid \d+\)'s \(each judged on its own; the heap-diff report shows worker 2/);
      expect(watcher.survivors()).toEqual([]);
    } finally {
      watcher.stop();
    }
  }, 160_000);

  it("a run too short to call a small record by count says so for the worker that kept it, not nothing", async () => {
    // 200 B per session in worker 2, 200 sessions: under the bytes budget and under 500 sessions,
    // so not a leak yet; a new user's 300-session cluster run passed such a leak in silence.
    const short = ["run", "normal-completion", "--server", `node ${CLUSTER}`, "--sessions", "200", "--warmup", "20", "--rounds", "4", "--concurrency", "40"];
    const result = await runCli([...short, "--snapshots", "on-fail", "--settle-timeout", "4s", "--report-dir", reportDir, "--json", "--quiet"], {
      env: { LEAK_WORKER: "2", LEAK: "bytes:200" },
      timeoutMs: 150_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const scenario = JSON.parse(result.stdout).scenarios[0] as { notes: string[]; processes: ProcessEntry[] };
    const two = scenario.processes[2];
    expect(scenario.notes.join("\n")).toMatch(
      new RegExp(`^worker 2 \\(pid ${two.pid}\\): [\\d,]+ \\S+ objects were kept by every round .*too few to call that a leak by count`, "m"),
    );
  }, 160_000);

  it("leaves no primary or worker behind when interrupted mid-round (Ctrl-C)", async () => {
    let sent = false;
    const result = await runCluster({}, ["--sessions", "4000", "--rounds", "4"], (child) => {
      let seen = "";
      child.stderr!.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (sent || !/rounds/.test(seen)) return;
        sent = true;
        child.kill("SIGINT");
      });
    });
    expect(sent).toBe(true);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/leakcheck: interrupted by SIGINT/);
  });

  it("stops with exit 3 naming the worker that was killed mid-run, and what replaced it", async () => {
    let killed = 0;
    const result = await runCluster({ RESPAWN: "1" }, ["--sessions", "4000", "--rounds", "4"], (child) => {
      let seen = "";
      child.stderr!.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (killed || !/rounds/.test(seen)) return;
        // Worker 2: the newest child of the primary that runs the cluster script.
        const worker = descendantsOf(child.pid!)
          .filter((row) => /cluster-server\.mjs/.test(row.args))
          .sort((a, b) => b.pid - a.pid)[0];
        killed = worker.pid;
        process.kill(killed, "SIGKILL");
      });
    });
    expect(killed).toBeGreaterThan(0);
    expect(result.code).toBe(3);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("leakcheck:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`worker \\d \\(pid ${killed}\\) exited during the run and was replaced by pid \\d+ while the server's other processes kept going: a process that dies or is replaced mid-run cannot be judged`));
  });
});
