#!/usr/bin/env node
// Shim: the CLI lives in the built library.
import { main } from "../dist/src/cli/main.js";

await main(process.argv.slice(2));
// main returns when the command is done (`serve`: once a signal has closed the server), and
// everything leakcheck started is stopped by now (cleanup ran before main returned). Exit
// explicitly: after an interrupted run with thousands of sockets just destroyed, the
// process was seen spinning on the CPU instead of exiting (4 runs in 6 here). The empty
// writes wait for buffered output first.
process.stdout.write("", () => process.stderr.write("", () => process.exit()));
