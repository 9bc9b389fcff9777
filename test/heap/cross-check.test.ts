// Our reader against an independent parser on the same real snapshot: Chrome DevTools' own
// heap snapshot loader, as packaged by heap-snapshot-toolkit. Counts per type and name, self
// size per type, and every edge must agree exactly (DevTools' one rename of detached native
// nodes aside).
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DevToolsAPI, parse } from "heap-snapshot-toolkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeName, edgeTarget, edgeTypeName, nodeName, nodeSelfSize, nodeTypeName, readHeapSnapshot, type HeapSnapshot } from "../../src/heap/snapshot.js";
import { takeSnapshot } from "./fixtures/snapshots.js";

const THINGS = 2000;
let dir: string;
let file: string;
let ours: HeapSnapshot;
let theirs: Awaited<ReturnType<typeof parse>>;
/** The same file parsed by DevTools without its display transform of self sizes (see below). */
let theirsRaw: Awaited<ReturnType<typeof parse>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "leakcheck-heap-cross-"));
  file = path.join(dir, "real.heapsnapshot");
  await takeSnapshot(file, THINGS);
  ours = await readHeapSnapshot(file);
  theirs = await parse(createReadStream(file, "utf-8"));
  // For display, DevTools moves the self size of hidden and array nodes into the object that
  // owns them (JSHeapSnapshot.calculateShallowSizes rewrites its nodes array). Turned off for
  // one more parse, its self sizes are the file's own.
  const proto = Object.getPrototypeOf(theirs) as { calculateShallowSizes: () => void };
  const shallowSizes = Object.getOwnPropertyDescriptor(proto, "calculateShallowSizes");
  expect(shallowSizes).toBeDefined();
  proto.calculateShallowSizes = () => {};
  try {
    theirsRaw = await parse(createReadStream(file, "utf-8"));
  } finally {
    Object.defineProperty(proto, "calculateShallowSizes", shallowSizes!);
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Adds `amount` to `key` in a map of totals. */
function add(totals: Map<string, number>, key: string, amount = 1): void {
  totals.set(key, (totals.get(key) ?? 0) + amount);
}

/** A map as a sorted plain object, so a mismatch shows as a readable diff. */
const sorted = (totals: Map<string, number>): Record<string, number> => Object.fromEntries([...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

type TheirNode = ReturnType<typeof theirs.createNode>;

/** The node's name as the file has it: DevTools renames native nodes it finds detached to "Detached <name>". */
function fileName(node: TheirNode): string {
  const name = node.rawName();
  return node.type() === "native" && node.detachedness() === 2 && name.startsWith("Detached ") ? name.slice("Detached ".length) : name;
}

describe("cross-check with Chrome DevTools' parser (heap-snapshot-toolkit)", () => {
  it("agrees on the node and edge counts", () => {
    expect(ours.nodeCount).toBe(theirs.nodeCount);
    expect(ours.edgeCount * ours.edgeFieldCount).toBe(theirs.containmentEdges.length);
    expect(ours.nodeFieldCount).toBe(theirs.nodeFieldCount);
  });

  it("agrees on the count per type and name, and the self size per type", () => {
    const ourCounts = new Map<string, number>();
    const ourSizes = new Map<string, number>();
    for (let i = 0; i < ours.nodeCount; i++) {
      add(ourCounts, `${nodeTypeName(ours, i)}: ${nodeName(ours, i)}`);
      add(ourSizes, nodeTypeName(ours, i), nodeSelfSize(ours, i));
    }
    const theirCounts = new Map<string, number>();
    const theirSizes = new Map<string, number>();
    const node = theirs.createNode(0);
    for (let i = 0; i < theirs.nodeCount; i++, node.nodeIndex += theirs.nodeFieldCount) add(theirCounts, `${node.type()}: ${fileName(node)}`);
    const raw = theirsRaw.createNode(0);
    for (let i = 0; i < theirsRaw.nodeCount; i++, raw.nodeIndex += theirsRaw.nodeFieldCount) add(theirSizes, raw.type(), raw.selfSize());
    expect(ourCounts.get(`object: LeakyThing`)).toBe(THINGS);
    expect(sorted(ourCounts)).toEqual(sorted(theirCounts));
    expect(sorted(ourSizes)).toEqual(sorted(theirSizes));
    // DevTools' own class aggregation (the Summary view) counts the same LeakyThings.
    const aggregate = Object.values(theirs.aggregatesWithFilter(new DevToolsAPI.HeapSnapshotModel.NodeFilter())).find((entry) => entry.name === "LeakyThing");
    expect(aggregate?.count).toBe(THINGS);
  });

  it("agrees on every edge: owner, type, name and target", () => {
    const node = theirs.createNode(0);
    let mismatches = 0;
    let compared = 0;
    const firstEdge = ours.firstEdge!;
    for (let i = 0; i < theirs.nodeCount; i++, node.nodeIndex += theirs.nodeFieldCount) {
      let e = firstEdge[i];
      for (const edges = node.edges(); edges.hasNext(); edges.next(), e++) {
        const edge = edges.item();
        // DevTools rewrites shortcut edge names that start with digits; compare those by type and target only.
        const sameName = edge.type() === "shortcut" || edge.name() === edgeName(ours, e);
        if (e >= firstEdge[i + 1] || edge.type() !== edgeTypeName(ours, e) || !sameName || edge.nodeIndex() / theirs.nodeFieldCount !== edgeTarget(ours, e)) {
          mismatches++;
        }
        compared++;
      }
      if (e !== firstEdge[i + 1]) mismatches++;
    }
    expect(compared).toBe(ours.edgeCount);
    expect(mismatches).toBe(0);
  });

  it("agrees on the strings", () => {
    // DevTools appends class names of its own after the file's strings; the file's come first.
    const strings = Array.from({ length: ours.strings.length }, (_, i) => ours.strings.get(i));
    expect(theirs.strings.slice(0, strings.length)).toEqual(strings);
  });
});
