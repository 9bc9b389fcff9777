// Real artillery for the --load tests: installed once into a cache outside the package,
// never a dependency. The same cache folder and the same way as the bench's installer
// (bench/artillery.js of the `client` branch): one copy serves both.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ARTILLERY_VERSION = "2.0.34";
const CACHE = process.env.LEAKCHECK_BENCH_CACHE ?? path.join(os.homedir(), ".cache/leakcheck-bench/artillery");
export const ARTILLERY_BIN = path.join(CACHE, "node_modules/.bin/artillery");

/** The artillery binary, installed on first use (its postinstall scripts fetch browsers the socketio engine never uses). */
export function ensureArtillery(): string {
  if (existsSync(ARTILLERY_BIN)) return ARTILLERY_BIN;
  mkdirSync(CACHE, { recursive: true });
  process.stderr.write(`installing artillery@${ARTILLERY_VERSION} into ${CACHE} (once)…\n`);
  execFileSync(
    "npm",
    ["install", "--prefix", CACHE, "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", `artillery@${ARTILLERY_VERSION}`],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" }, timeout: 300_000 },
  );
  return ARTILLERY_BIN;
}
