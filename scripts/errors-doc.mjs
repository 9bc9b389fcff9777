// Regenerates docs/errors.md: runs the error tests (test/gate/errors.test.ts), which write
// the table of every bad input tried, its exit code and its stderr line when
// LEAKCHECK_ERRORS_DOC=write. Every case must pass first. Run through `npm run docs:errors`
// (which builds first: the tests run the built CLI).
import { spawnSync } from "node:child_process";

const result = spawnSync("npx", ["vitest", "run", "test/gate/errors.test.ts"], {
  stdio: "inherit",
  env: { ...process.env, LEAKCHECK_ERRORS_DOC: "write" },
});
if (result.status === 0) process.stdout.write("docs/errors.md written\n");
process.exit(result.status ?? 1);
