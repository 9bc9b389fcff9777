// `npm test`: the two lanes of vitest.config.ts side by side, each its files one at a time.
// Vitest puts every file of projects without file parallelism into one sequential group, so
// one process per lane is how they overlap: two cores, two lanes. Each line is prefixed with
// its lane; the exit code is the first failing lane's. Arguments (a file, -t) run one plain
// vitest instead: `npm test -- test/gate/gate.test.ts`.
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const VITEST = path.join(ROOT, "node_modules/vitest/vitest.mjs");
const LANES = ["verdicts", "rest"];
const args = process.argv.slice(2);

const children = new Set();
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    // The lanes get the signal too (same process group, from a terminal); from a CI runner
    // they may not: pass it on, and wait for them to stop their servers.
    stopping = true;
    for (const child of children) child.kill(signal);
  });
}

function run(vitestArgs, prefix) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VITEST, "run", ...vitestArgs], {
      cwd: ROOT,
      stdio: prefix ? ["ignore", "pipe", "pipe"] : "inherit",
      env: prefix ? { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? "1" : "0") } : process.env,
    });
    children.add(child);
    if (prefix) {
      for (const stream of [child.stdout, child.stderr]) {
        readline.createInterface({ input: stream }).on("line", (line) => process.stdout.write(`${prefix} ${line}\n`));
      }
    }
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const codes = args.length > 0 ? [await run(args)] : await Promise.all(LANES.map((lane) => run(["--project", lane], `[${lane}]`.padEnd(11))));
const failed = codes.find((code) => code !== 0);
if (!stopping && args.length === 0) console.log(`lanes: ${LANES.map((lane, i) => `${lane} ${codes[i] === 0 ? "passed" : `failed (exit ${codes[i]})`}`).join(", ")}`);
process.exit(failed ?? 0);
