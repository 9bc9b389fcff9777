#!/usr/bin/env node
// Shim: the CLI lives in the built library.
import { main } from "../dist/src/cli/main.js";

await main(process.argv.slice(2));
