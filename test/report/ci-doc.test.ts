// docs/ci.md's jobs, run here: the YAML parses, the gate command (sized down, on one
// scenario) exits 1 against a leaking `npm start`, and the paths that the JUnit and
// artifact steps name find the run folder's files, each exactly once.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BIN, removeDir, ROOT, SERVER_MAIN, tempReportDir } from "../support/cli.js";

// The doc's commands are run as written, with these appended: a CI job runs the full scenarios.
const SIZED_DOWN = "--sessions 100 --rounds 1 --warmup 20 --snapshots never --settle-timeout 1s --quiet";

interface GithubStep {
  name?: string;
  if?: string;
  run?: string;
  with?: Record<string, string>;
}

const doc = fs.readFileSync(path.join(ROOT, "docs/ci.md"), "utf8");
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => parse(match[1]) as Record<string, any>);
const github = yamlBlocks.find((block) => block.jobs?.leakcheck);
const gitlab = yamlBlocks.find((block) => block["leak-gate"]);
const steps: GithubStep[] = github?.jobs.leakcheck.steps ?? [];
const step = (name: string) => steps.find((candidate) => candidate.name === name);

const app = tempReportDir();
afterAll(() => removeDir(app));

/** Files or folders under `root` matching a CI glob (`*` within one path segment; a trailing / means folders). */
function glob(root: string, pattern: string): string[] {
  const segments = pattern.replace(/\/$/, "").split("/");
  const wantDirectory = pattern.endsWith("/");
  let found = [""];
  for (const [index, segment] of segments.entries()) {
    const matcher = new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
    const last = index === segments.length - 1;
    found = found.flatMap((dir) => {
      const full = path.join(root, dir);
      if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) return [];
      return fs
        .readdirSync(full)
        .filter((name) => matcher.test(name))
        .map((name) => path.join(dir, name))
        .filter((name) => !last || fs.statSync(path.join(root, name)).isDirectory() === wantDirectory);
    });
  }
  return found;
}

function runShell(command: string, cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", command], { cwd, env: { ...process.env, GITHUB_STEP_SUMMARY: "" }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("docs/ci.md", () => {
  it("has a GitHub Actions job and a GitLab CI job that run the same gate command", () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(3);
    const gitlabCommands = (gitlab?.["leak-gate"].script as string[]).filter((line) => line.startsWith("npx leakcheck"));
    expect(gitlabCommands).toEqual([step("Leak gate")?.run]);
    expect(gitlab?.["leak-gate"].artifacts.when).toBe("always");
    for (const name of ["Publish the JUnit report", "Upload the run folder"]) expect(step(name)?.if).toBe("${{ !cancelled() }}");
  });

  describe("the gate command against a server that leaks", () => {
    let result: { code: number | null; stderr: string };
    beforeAll(async () => {
      // A project whose `npm start` is the bundled server with the seed's bug, leakcheck as its
      // dev dependency, and the config the doc describes, its one scenario being abrupt-close.
      fs.writeFileSync(
        path.join(app, "package.json"),
        JSON.stringify({ name: "leaky-app", private: true, scripts: { start: `node ${SERVER_MAIN} --log none --leak disconnect` } }),
      );
      fs.mkdirSync(path.join(app, "node_modules/.bin"), { recursive: true });
      fs.symlinkSync(BIN, path.join(app, "node_modules/.bin/leakcheck"));
      const config = /```json\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
      fs.writeFileSync(path.join(app, "leakcheck.config.json"), config);
      fs.mkdirSync(path.join(app, "scenarios"));
      fs.writeFileSync(path.join(app, "scenarios/abrupt-close.mjs"), `export { default } from ${JSON.stringify(path.join(ROOT, "dist/scenarios/abrupt-close.js"))};\n`);
      const command = step("Leak gate")?.run;
      expect(command).toMatch(/^npx leakcheck run --report-dir /);
      result = await runShell(`${command} ${SIZED_DOWN}`, app);
    }, 60_000);

    it("fails the job: exit 1", () => {
      expect(result.stderr).not.toMatch(/leakcheck: /);
      expect(result.code).toBe(1);
    });

    it("leaves the JUnit file where both jobs look for it, once, with the leak as a failure", () => {
      const githubJunit = glob(app, step("Publish the JUnit report")?.with?.report_paths ?? "");
      const gitlabJunit = glob(app, gitlab?.["leak-gate"].artifacts.reports.junit);
      expect(githubJunit).toHaveLength(1);
      expect(gitlabJunit).toEqual(githubJunit);
      const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(fs.readFileSync(path.join(app, githubJunit[0]), "utf8"));
      expect(junit.testsuites.testsuite.testcase.name).toBe("abrupt-close");
      expect(junit.testsuites.testsuite.testcase.failure.message).toMatch(/activeSessions: \d+ entries left/);
    });

    it("leaves one run folder for the artifact steps, with the reports and the server log", () => {
      const githubPaths = (step("Upload the run folder")?.with?.path ?? "").split("\n").filter(Boolean);
      const gitlabPaths = gitlab?.["leak-gate"].artifacts.paths as string[];
      for (const patterns of [githubPaths, gitlabPaths]) {
        const folders = patterns.flatMap((pattern) => glob(app, pattern.trim()));
        expect(folders).toHaveLength(1);
        expect(fs.readdirSync(path.join(app, folders[0])).sort()).toEqual(
          expect.arrayContaining(["junit.xml", "report.html", "report.json", "report.md", "server.log"]),
        );
      }
    });
  });
});
