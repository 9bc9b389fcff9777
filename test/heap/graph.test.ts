// The graph of a snapshot: which edges are strong, the breadth-first paths, and the dominator
// tree with retained sizes, checked against brute force on hand-made and random graphs; and
// the census, counted from the columns and from a stream of batches alike.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { census, readSummary } from "../../src/heap/census.js";
import { IdSet } from "../../src/heap/id-set.js";
import { analyzeSurvivors } from "../../src/heap/survivors.js";
import { findDetours } from "../../src/heap/detours.js";
import { buildGraph, hasEdges, NO_NODE, ShortestPaths, strongEdges, type FullSnapshot } from "../../src/heap/graph.js";
import { edgeTarget, nodeSelfSize, readHeapSnapshot } from "../../src/heap/snapshot.js";
import { formatLikeV8, handmade, takeSnapshot, type HandNode } from "./fixtures/snapshots.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "leakcheck-heap-graph-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

let files = 0;
async function read(nodes: HandNode[]): Promise<FullSnapshot> {
  const file = path.join(dir, `${files++}.heapsnapshot`);
  await writeFile(file, formatLikeV8(handmade(nodes)));
  const snapshot = await readHeapSnapshot(file);
  if (!hasEdges(snapshot)) throw new Error("no edges");
  return snapshot;
}

const isStrong = (strong: Uint32Array, edge: number) => ((strong[edge >>> 5] >>> edge) & 1) === 1;

/** Dominators by definition: d dominates v when no strong path from the root reaches v without d. */
function bruteForce(snapshot: FullSnapshot, strong: Uint32Array): { idom: number[]; retained: number[] } {
  const n = snapshot.nodeCount;
  const reach = (avoid: number): boolean[] => {
    const seen = new Array<boolean>(n).fill(false);
    if (avoid === snapshot.rootOrdinal) return seen;
    const stack = [snapshot.rootOrdinal];
    seen[snapshot.rootOrdinal] = true;
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (let e = snapshot.firstEdge[node]; e < snapshot.firstEdge[node + 1]; e++) {
        const to = edgeTarget(snapshot, e);
        if (!isStrong(strong, e) || seen[to] || to === avoid) continue;
        seen[to] = true;
        stack.push(to);
      }
    }
    return seen;
  };
  const reachable = reach(-1);
  const dominated = Array.from({ length: n }, (_, d) => reach(d).map((seen, v) => reachable[v] && !seen && v !== d));
  const idom = Array.from({ length: n }, (_, v) => {
    if (!reachable[v] || v === snapshot.rootOrdinal) return NO_NODE;
    const strict = Array.from({ length: n }, (_, d) => d).filter((d) => d !== v && (d === snapshot.rootOrdinal || dominated[d][v]));
    return strict.find((d) => strict.every((other) => other === d || other === snapshot.rootOrdinal || dominated[other][d])) ?? snapshot.rootOrdinal;
  });
  const retained = Array.from({ length: n }, (_, d) => {
    if (!reachable[d]) return 0;
    let sum = nodeSelfSize(snapshot, d);
    for (let v = 0; v < n; v++) if (dominated[d][v] || (d === snapshot.rootOrdinal && reachable[v] && v !== d)) sum += nodeSelfSize(snapshot, v);
    return sum;
  });
  return { idom, retained };
}

/** Our dominator tree in node terms. */
function ours(snapshot: FullSnapshot): { idom: number[]; retained: number[]; parents: number[] } {
  const graph = buildGraph(snapshot);
  const { rank } = graph.paths;
  const nodeAt = new Map<number, number>();
  for (let node = 0; node < snapshot.nodeCount; node++) if (rank[node] !== NO_NODE) nodeAt.set(rank[node], node);
  const nodes = Array.from({ length: snapshot.nodeCount }, (_, node) => node);
  return {
    idom: nodes.map((node) => (rank[node] === NO_NODE || node === snapshot.rootOrdinal ? NO_NODE : nodeAt.get(graph.dominators.dom[rank[node]])!)),
    retained: nodes.map((node) => (rank[node] === NO_NODE ? 0 : graph.dominators.retained[rank[node]])),
    parents: nodes.map((node) => graph.paths.parentOf(node)),
  };
}

/** A random graph: `n` objects, ~3 edges each, some weak, a few back to the root's children. */
function randomGraph(n: number, seed: number): HandNode[] {
  let state = seed;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const nodes: HandNode[] = [{ type: "synthetic", name: "(root)", id: 1, edges: [] }];
  for (let i = 1; i < n; i++) nodes.push({ type: "object", name: `O${i % 5}`, id: 2 * i + 1, selfSize: 1 + Math.floor(random() * 100), edges: [] });
  for (let i = 0; i < n; i++) {
    const count = i === 0 ? 3 : Math.floor(random() * 4);
    for (let k = 0; k < count; k++) {
      const to = 1 + Math.floor(random() * (n - 1));
      nodes[i].edges!.push({ type: random() < 0.1 ? "weak" : "property", name: `p${k}`, to });
    }
  }
  return nodes;
}

describe("strong edges", () => {
  it("leave out weak edges, WeakMap value edges and the string table's", async () => {
    const s = await read([
      {
        type: "synthetic",
        name: "(root)",
        id: 1,
        edges: [
          { type: "property", name: "a", to: 1 },
          { type: "weak", name: "w", to: 2 },
          { type: "internal", name: "part of key (Object @3) -> value (Object @5) pair in WeakMap (table @7)", to: 3 },
          { type: "internal", name: "table", to: 4 },
          { type: "element", name: 0, to: 5 },
        ],
      },
      { type: "object", name: "A", id: 3, selfSize: 10 },
      { type: "object", name: "W", id: 5, selfSize: 10 },
      { type: "object", name: "V", id: 7, selfSize: 10 },
      { type: "synthetic", name: "(Internalized strings)", id: 9, edges: [{ type: "element", name: 0, to: 6 }] },
      { type: "array", name: "", id: 11, edges: [{ type: "element", name: 0, to: 6 }] },
      { type: "string", name: "held", id: 13, selfSize: 20 },
    ]);
    const strong = strongEdges(s);
    expect(Array.from({ length: s.edgeCount }, (_, e) => isStrong(strong, e))).toEqual([true, false, false, true, true, false, true]);
  });
});

describe("dominator tree", () => {
  it("is exact on a graph where an early guess is wrong (a cycle entered twice)", async () => {
    // root → a, root → b; a → c, b → d; c ↔ d; d → e. Only the root dominates c, d and e.
    const s = await read([
      { type: "synthetic", name: "(root)", id: 1, edges: [{ type: "property", name: "a", to: 1 }, { type: "property", name: "b", to: 2 }] },
      { type: "object", name: "A", id: 3, selfSize: 1, edges: [{ type: "property", name: "c", to: 3 }] },
      { type: "object", name: "B", id: 5, selfSize: 2, edges: [{ type: "property", name: "d", to: 4 }] },
      { type: "object", name: "C", id: 7, selfSize: 4, edges: [{ type: "property", name: "d", to: 4 }] },
      { type: "object", name: "D", id: 9, selfSize: 8, edges: [{ type: "property", name: "c", to: 3 }, { type: "property", name: "e", to: 5 }] },
      { type: "object", name: "E", id: 11, selfSize: 16 },
      { type: "object", name: "Unreachable", id: 13, selfSize: 32, edges: [{ type: "property", name: "a", to: 1 }] },
    ]);
    const result = ours(s);
    expect(result.idom).toEqual([NO_NODE, 0, 0, 0, 0, 4, NO_NODE]);
    expect(result.retained).toEqual([31, 1, 2, 4, 24, 16, 0]);
    expect(result.parents).toEqual([NO_NODE, 0, 0, 1, 2, 4, NO_NODE]);
    expect(bruteForce(s, strongEdges(s))).toEqual({ idom: result.idom, retained: result.retained });
  });

  it("matches brute force on random graphs", async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const s = await read(randomGraph(60 + seed * 5, seed));
      const expected = bruteForce(s, strongEdges(s));
      const result = ours(s);
      expect(result.idom, `seed ${seed}`).toEqual(expected.idom);
      expect(result.retained, `seed ${seed}`).toEqual(expected.retained);
    }
  });

  it("sums self sizes past 16 bits into retained sizes", async () => {
    const s = await read([
      { type: "synthetic", name: "(root)", id: 1, edges: [{ type: "property", name: "big", to: 1 }] },
      { type: "array", name: "", id: 3, selfSize: 5_000_000, edges: [{ type: "element", name: 0, to: 2 }] },
      { type: "object", name: "Huge", id: 5, selfSize: 2 ** 32 - 1 },
    ]);
    expect([nodeSelfSize(s, 1), nodeSelfSize(s, 2)]).toEqual([5_000_000, 2 ** 32 - 1]);
    const result = ours(s);
    // Over 2^32 in all: retained sizes go to a Float64Array and stay exact.
    expect(result.retained).toEqual([5_000_000 + 2 ** 32 - 1, 5_000_000 + 2 ** 32 - 1, 2 ** 32 - 1]);
  });
});

describe("census", () => {
  it("counts classes from the columns and from a stream of batches alike, big self sizes included", async () => {
    const file = path.join(dir, "real.heapsnapshot");
    await takeSnapshot(file, 500);
    const kept = await readHeapSnapshot(file, { edges: false });
    const fromColumns = census(kept);
    const summary = await readSummary(file);
    expect(summary.census).toEqual(fromColumns);
    expect(fromColumns.classes.get("LeakyThing")?.count).toBe(500);
    let total = 0;
    for (let node = 0; node < kept.nodeCount; node++) {
      total += nodeSelfSize(kept, node);
      expect(summary.ids.has(kept.nodes.id[node])).toBe(true);
    }
    expect(fromColumns.size).toBe(total);

    const big = await read([
      { type: "synthetic", name: "(root)", id: 1, edges: [{ type: "property", name: "a", to: 1 }] },
      { type: "object", name: "Big", id: 3, selfSize: 70_000 },
      { type: "object", name: "Big", id: 5, selfSize: 10 },
      { type: "string", name: "text", id: 7, selfSize: 1 << 20 },
    ]);
    const counted = census(big);
    expect(counted.classes.get("Big")).toEqual({ type: "object", count: 2, size: 70_010 });
    expect(counted.classes.get("(string)")).toEqual({ type: "string", count: 1, size: 1 << 20 });
    expect(counted.size).toBe(70_010 + (1 << 20));
  });
});

describe("survivor groups", () => {
  it("keep every group apart past 255 of them (the group index widens)", async () => {
    // 300 objects, each under a property of its own name (letters only: digits are blurred).
    const name = (i: number) => `k${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
    const nodes: HandNode[] = [{ type: "synthetic", name: "(root)", id: 1, edges: Array.from({ length: 300 }, (_, i) => ({ type: "property", name: name(i), to: i + 1 })) }];
    for (let i = 0; i < 300; i++) nodes.push({ type: "object", name: "Leaf", id: 3 + 2 * i, selfSize: 10 + i });
    const s = await read(nodes);
    const analysis = analyzeSurvivors({ last: s, baseline: IdSet.from([1]), rounds: [], top: 1000 });
    expect(analysis.count).toBe(300);
    expect(analysis.groups).toHaveLength(300);
    for (const group of analysis.groups) expect([group.name, group.count, group.retainedSize]).toEqual(["Leaf", 1, group.selfSize]);
    expect(analysis.groups[0].selfSize).toBe(10 + 299); // the biggest first
  });
});

describe("shortest paths with detours", () => {
  // A timer list reaches timer B in three hops, its owner's Map in four; the probe's closure
  // (its code in the probe's script), its scope and the stack hold objects nothing else holds.
  const PROBE = "/x/probe/agent.cjs";
  const nodes: HandNode[] = [
    { type: "synthetic", name: "", id: 1, edges: [{ type: "property", name: "timers", to: 1 }, { type: "property", name: "server", to: 4 }, { type: "element", name: 1, to: 8 }] },
    { type: "object", name: "TimersList", id: 3, edges: [{ type: "property", name: "_idleNext", to: 2 }] },
    { type: "object", name: "Timeout", id: 5, edges: [{ type: "property", name: "_idleNext", to: 3 }] },
    { type: "object", name: "Timeout", id: 7, edges: [{ type: "property", name: "_onTimeout", to: 7 }] },
    { type: "object", name: "Server", id: 9, edges: [{ type: "property", name: "store", to: 5 }] },
    { type: "object", name: "SessionStore", id: 11, edges: [{ type: "property", name: "timers", to: 6 }] },
    { type: "object", name: "Map", id: 13, edges: [{ type: "property", name: "b", to: 3 }] },
    { type: "closure", name: "handle", id: 15, edges: [{ type: "internal", name: "shared", to: 9 }, { type: "internal", name: "context", to: 10 }] },
    { type: "synthetic", name: "(Stack roots)", id: 17, edges: [{ type: "element", name: 1, to: 11 }, { type: "element", name: 2, to: 5 }] },
    { type: "code", name: "system / SharedFunctionInfo", id: 19, edges: [{ type: "internal", name: "script_or_debug_info", to: 12 }] },
    { type: "object", name: "system / Context", id: 21, edges: [{ type: "context", name: "secret", to: 13 }] },
    { type: "object", name: "Object", id: 23 },
    { type: "code", name: PROBE, id: 25 },
    { type: "object", name: "Object", id: 27 },
  ];

  it("take a timer list's links after the owner's path, and the probe's holdings last", async () => {
    const snapshot = await read(nodes);
    const plain = new ShortestPaths(snapshot, strongEdges(snapshot));
    expect(plain.parentOf(3)).toBe(2); // breadth first alone: through the list
    expect(plain.isOwn(13)).toBe(false);

    const { paths } = buildGraph(snapshot, findDetours(snapshot, [PROBE]));
    expect(paths.parentOf(3)).toBe(6); // the Map that owns it
    expect(paths.reachable).toBe(plain.reachable);
    for (const own of [7, 11, 13]) expect(paths.isOwn(own), `node ${own}`).toBe(true);
    for (const server of [3, 5, 6]) expect(paths.isOwn(server), `node ${server}`).toBe(false);
    // Without the probe's script in the snapshot, the stack is nobody's in particular.
    const { paths: noProbe } = buildGraph(snapshot, findDetours(snapshot, ["/elsewhere.cjs"]));
    expect(noProbe.isOwn(11)).toBe(false);
    expect(noProbe.parentOf(3)).toBe(6);
  });
});
