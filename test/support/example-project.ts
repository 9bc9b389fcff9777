// A copy of examples/chat in a temp folder, as a project of its own: its socket.io and
// leakcheck resolve from its node_modules (links to this repository's), so the scenario's
// `import "leakcheck"` and the app's `import "leakcheck/gauges"` go through package.json exports.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./cli.js";

/** Copies examples/<name> into a fresh temp folder with node_modules links; the caller removes it. */
export function exampleProject(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `leakcheck-example-${name}-`));
  fs.cpSync(path.join(ROOT, "examples", name), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, "node_modules/leakcheck"), "dir");
  fs.symlinkSync(path.join(ROOT, "node_modules/socket.io"), path.join(dir, "node_modules/socket.io"), "dir");
  return dir;
}
