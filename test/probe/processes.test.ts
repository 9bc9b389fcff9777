// The pieces of issue 12 that need no server: how a process is named, which socket files
// an attached probe's tree listens on, and how the processes' verdicts make the scenario's.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { attachedSockets, processLabel } from "../../src/probe/processes.js";
import { combineVerdicts, type ProcessVerdict } from "../../src/run/per-process.js";
import type { ScenarioVerdict } from "../../src/verdict/judge.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leakcheck-processes-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const hello = (identity: Record<string, unknown> | undefined, argv = ["/srv/app/server.js"]) => ({ pid: 4121, ports: [], node: "v20", gc: true, argv, identity }) as never;

describe("processLabel", () => {
  it("names a cluster worker by its worker id, a primary as such, any other by its command", () => {
    expect(processLabel(hello({ pid: 4121, ppid: 1, cluster: "worker", workerId: 2, command: "node app.js" }))).toBe("worker 2 (pid 4121)");
    expect(processLabel(hello({ pid: 4121, ppid: 1, cluster: "primary", workerPids: [1, 2], command: "node app.js" }))).toBe("primary (pid 4121)");
    expect(processLabel(hello({ pid: 4121, ppid: 1, cluster: "none", command: "/usr/bin/node --expose-gc --require /x/dist/src/probe/agent.cjs /srv/app/server.js --port 3000" }))).toBe(
      "pid 4121 (node server.js --port 3000)",
    );
    // An agent older than issue 12 says no identity: its argv still names it.
    expect(processLabel(hello(undefined, ["/srv/app/server.js"]))).toBe("pid 4121 (server.js)");
  });
});

describe("attachedSockets", () => {
  it("finds the path and <path>.<pid> beside it, nothing else", async () => {
    for (const name of ["app.sock", "app.sock.4122", "app.sock.4123", "app.sock.4122.http", "app.sock.x", "other.sock", "appXsock.1"]) {
      fs.writeFileSync(path.join(dir, name), "");
    }
    const found = (await attachedSockets(path.join(dir, "app.sock"))()).map((file) => path.basename(file)).sort();
    expect(found).toEqual(["app.sock", "app.sock.4122", "app.sock.4123"]);
  });
});

describe("combineVerdicts", () => {
  const check = (name: string, pass: boolean) => ({ name, baseline: 0, final: pass ? 0 : 5, residual: pass ? 0 : 5, budget: 0, pass });
  const whole = (pass: boolean): ScenarioVerdict => ({
    verdict: pass ? "pass" : "fail",
    gauges: [check("activeSessions", pass)],
    handles: null,
    heap: { baselineBytes: 0, finalBytes: 2e6, growthBytes: 2e6, perSessionBytes: 2048, budgetBytes: 1024, pass },
    reasons: pass ? [] : ["heap: grows 2.0 KB per session (2.0 MB in all) after 1,000 sessions, budget 1.0 KB per session"],
  });
  const process = (label: string, pass: boolean): ProcessVerdict => ({
    label,
    pid: 1,
    command: "node cluster.js",
    verdict: pass ? "pass" : "fail",
    gauges: [check("activeSessions", pass)],
    handles: null,
    heap: null,
    reasons: pass ? [] : [`${label}: activeSessions: 5 entries left after 1,000 sessions (budget 0)`],
  });

  it("fails on one process's leak, with that process's reasons and not the sum's", () => {
    const verdict = combineVerdicts(whole(false), [process("worker 1 (pid 1)", true), process("worker 2 (pid 2)", false)]);
    expect(verdict.verdict).toBe("fail");
    expect(verdict.reasons).toEqual(["worker 2 (pid 2): activeSessions: 5 entries left after 1,000 sessions (budget 0)"]);
    expect(verdict.gauges[0].pass).toBe(false);
  });

  it("passes when every process passes, even if the sum of their heaps' noise would not", () => {
    const verdict = combineVerdicts(whole(false), [process("worker 1 (pid 1)", true), process("worker 2 (pid 2)", true)]);
    expect(verdict.verdict).toBe("pass");
    expect(verdict.reasons).toEqual([]);
    expect(verdict.heap?.pass).toBe(true);
  });

  it("is the whole's own verdict for a server of one process", () => {
    expect(combineVerdicts(whole(false), [])).toEqual(whole(false));
  });
});
