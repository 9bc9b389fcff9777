// examples/chat gated both ways, run as its README says (`npx leakcheck run` in its folder,
// config and scenario found there): clean passes; LEAK=1 fails naming the users Map (a
// leakcheck/gauges gauge: the app has no metrics endpoint) and the interval (active timers).
import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { exampleProject } from "../support/example-project.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("examples/chat", () => {
  const gate = (env: Record<string, string>) => {
    const dir = exampleProject("chat");
    dirs.push(dir);
    return runCli(["run", "--sessions", "60", "--warmup", "0", "--rounds", "1", "--no-snapshots", "--quiet", "--json"], { cwd: dir, env, timeoutMs: 90_000 });
  };

  it("passes as it is", async () => {
    const result = await gate({});
    expect(result.code, result.stderr).toBe(0);
    const [scenario] = JSON.parse(result.stdout).scenarios;
    expect(scenario.name).toBe("chat-session");
    const names = scenario.gauges.map((gauge: { name: string }) => gauge.name);
    expect(names).toEqual(expect.arrayContaining(["users", "socket.io /chat sockets", "socket.io /chat rooms", "socket.io engine clients"]));
  }, 100_000);

  it("fails with LEAK=1, naming the users Map and the timers left behind", async () => {
    const result = await gate({ LEAK: "1" });
    expect(result.code, result.stderr).toBe(1);
    const [scenario] = JSON.parse(result.stdout).scenarios;
    expect(scenario.reasons).toEqual(
      expect.arrayContaining([
        "users: 60 entries left after 60 sessions (budget 0)",
        expect.stringMatching(/^active timers: 60 more than at the baseline after 60 sessions/),
      ]),
    );
    // Socket.IO itself cleaned up: only the app's own state leaks.
    expect(scenario.gauges.find((gauge: { name: string }) => gauge.name === "socket.io /chat rooms")).toMatchObject({ residual: 0 });
  }, 100_000);
});
