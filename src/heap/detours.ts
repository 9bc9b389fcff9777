// Which edges the shortest-path search takes late: a timer list's links (a path through them
// follows the list to whichever timer comes next, not an owner), and, last of all, anything
// leakcheck's own probe holds (its objects are not the server's: reached only through the
// probe, they are left out of the survivors).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TIMER_LIST_EDGES, TIMER_LIST_NODES } from "./labels.js";
import type { HeapSnapshot } from "./snapshot.js";

/** Per node: 0, its edges are searched in turn; LATER, its timer-list links after the rest; LAST, all its edges after everything else. */
export const LATER = 1;
export const LAST = 2;

export interface Detours {
  /** Per node: 0, LATER or LAST. */
  readonly flags: Uint8Array;
  /** String indices of the edge names a LATER node's edges are deferred by. */
  readonly laterEdgeNames: readonly number[];
}

/**
 * The probe's scripts as the server loads them (dist/src/probe/*.cjs: the agent leakcheck
 * preloads and every module it requires, `leakcheck/gauges` too, whose registry holds the
 * app's gauge readers), beside this file in dist or in a checkout run from src.
 */
export function probeScripts(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.resolve(here, "../probe");
  const fromSource = here.split(path.sep).slice(-2).join("/") === "src/heap" ? path.resolve(here, "../../dist/src/probe") : beside;
  const scripts = new Set<string>();
  for (const dir of new Set([beside, fromSource])) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue; // not built yet: nothing of the probe can be in a snapshot either
    }
    for (const name of names) if (name.endsWith(".cjs")) scripts.add(path.join(dir, name));
  }
  return [...scripts];
}

/** The detours of a snapshot read with its edges; undefined when it has nothing to defer. */
export function findDetours(snapshot: HeapSnapshot, ownScripts: readonly string[] = probeScripts()): Detours | undefined {
  const { nodeCount, firstEdge, edges, strings } = snapshot;
  if (edges === undefined || firstEdge === undefined) return undefined;
  const names = snapshot.nodes.name;
  const timerNames = strings.indicesOf(TIMER_LIST_NODES).filter((index) => index !== -1);
  const laterEdgeNames = strings.indicesOf(TIMER_LIST_EDGES).filter((index) => index !== -1);
  const scripts = strings.indicesOf(ownScripts).filter((index) => index !== -1);
  if ((timerNames.length === 0 || laterEdgeNames.length === 0) && scripts.length === 0) return undefined;
  const flags = new Uint8Array(nodeCount);
  if (laterEdgeNames.length > 0) {
    for (let node = 0; node < nodeCount; node++) if (timerNames.includes(names[node])) flags[node] = LATER;
  }
  if (scripts.length > 0) markOwnCode(snapshot, scripts, flags);
  return { flags, laterEdgeNames };
}

/**
 * Marks LAST the closures whose code is in one of the scripts named `scripts` (string indices),
 * and their scopes: the script nodes, the functions in them (an edge to the script), the
 * closures of those functions (an edge to the function), and the closures' contexts; and,
 * when the probe is there, the stack roots (the probe's own call writes the snapshot).
 */
function markOwnCode(snapshot: HeapSnapshot, scripts: number[], flags: Uint8Array): void {
  const { nodeCount, firstEdge, edges, nodeTypes, strings } = snapshot;
  const { link, typeBits, typeMask } = edges!;
  const internalType = snapshot.edgeTypes.indexOf("internal");
  const { type: types, name: names } = snapshot.nodes;
  const stringTypes = new Set(["string", "concatenated string", "sliced string"].map((name) => nodeTypes.indexOf(name)));
  const codeType = nodeTypes.indexOf("code");
  const closureType = nodeTypes.indexOf("closure");
  const [contextName] = strings.indicesOf(["context"]);
  const SCRIPT = 3;
  const FUNCTION = 4;
  let found = false;
  for (let node = 0; node < nodeCount; node++) {
    if (scripts.includes(names[node]) && !stringTypes.has(types[node])) {
      flags[node] = SCRIPT;
      found = true;
    }
  }
  if (!found) return;
  // A snapshot the probe takes is written from inside its own call: what the stack holds then is its.
  const [stackRoots] = strings.indicesOf(["(Stack roots)"]);
  const syntheticType = nodeTypes.indexOf("synthetic");
  for (let node = 0; node < nodeCount && stackRoots !== -1; node++) {
    if (names[node] === stackRoots && types[node] === syntheticType) flags[node] = LAST;
  }
  for (let node = 0; node < nodeCount; node++) {
    if (types[node] !== codeType || flags[node] === SCRIPT) continue;
    for (let edge = firstEdge![node], end = firstEdge![node + 1]; edge < end; edge++) {
      if (flags[link[edge] >>> typeBits] === SCRIPT) {
        flags[node] = FUNCTION;
        break;
      }
    }
  }
  for (let node = 0; node < nodeCount; node++) {
    if (types[node] !== closureType) continue;
    let own = false;
    for (let edge = firstEdge![node], end = firstEdge![node + 1]; edge < end && !own; edge++) own = flags[link[edge] >>> typeBits] === FUNCTION;
    if (!own) continue;
    flags[node] = LAST;
    for (let edge = firstEdge![node], end = firstEdge![node + 1]; edge < end; edge++) {
      if ((link[edge] & typeMask) === internalType && edges!.nameOrIndex[edge] === contextName) flags[link[edge] >>> typeBits] = LAST;
    }
  }
  // A suspended async function of the probe (its generator object holds its locals).
  const [functionName, generatorName] = strings.indicesOf(["function", "Generator"]);
  for (let node = 0; node < nodeCount && functionName !== -1 && generatorName !== -1; node++) {
    if (names[node] !== generatorName) continue;
    for (let edge = firstEdge![node], end = firstEdge![node + 1]; edge < end; edge++) {
      if ((link[edge] & typeMask) === internalType && edges!.nameOrIndex[edge] === functionName && flags[link[edge] >>> typeBits] === LAST) flags[node] = LAST;
    }
  }
  for (let node = 0; node < nodeCount; node++) if (flags[node] === SCRIPT || flags[node] === FUNCTION) flags[node] = LAST;
}
