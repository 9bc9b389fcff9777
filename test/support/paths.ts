// Where things are, for every test: the repository, the CLI shim, the fixtures, the built server.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = path.join(ROOT, "bin/leakcheck.js");
export const FIXTURES = path.join(ROOT, "test/fixtures");
export const SERVER_MAIN = path.join(ROOT, "dist/src/server/main.js");
