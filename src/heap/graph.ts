// The heap as a graph: which edges hold an object alive, the shortest strong path from
// the GC roots to every node, and the dominator tree with retained sizes. Flat typed
// arrays throughout, a few bytes per node: a 300 MB snapshot has millions of nodes and
// edges, and on a VM each fresh megabyte costs milliseconds to fault in.

import { findDetours, LAST, type Detours } from "./detours.js";
import { BIG_SELF_SIZE, type EdgeColumns, type HeapSnapshot } from "./snapshot.js";

const NONE = 0xffffffff;
/** Dominator words: a rank in the low 29 bits, two flags above (see dominators); all below 2^31, small integers to V8. */
const RANK = 0x1fffffff;
const UNSET = RANK;
const NEW = 0x20000000;
const CHAIN = 0x40000000;

/** A snapshot read with its edges (the final one of a diff). */
export type FullSnapshot = HeapSnapshot & { edges: EdgeColumns; firstEdge: Uint32Array };

export function hasEdges(snapshot: HeapSnapshot): snapshot is FullSnapshot {
  return snapshot.edges !== undefined && snapshot.firstEdge !== undefined;
}

/**
 * Bit e of `strong[e >>> 5]` (`(strong[e >>> 5] >>> e) & 1`) is 1 when edge e keeps its target
 * alive. Weak edges do not, and neither does a WeakMap entry's value edge ("part of key … ->
 * value … pair in WeakMap"): the value lives only as long as its key, which is held elsewhere
 * or not at all. Nor does V8's string table: a string only it holds is collected.
 */
export function strongEdges(snapshot: FullSnapshot): Uint32Array {
  const { edgeCount, strings, firstEdge, nodeCount } = snapshot;
  const { link, nameOrIndex, typeMask } = snapshot.edges;
  const weakType = snapshot.edgeTypes.indexOf("weak");
  const internalType = snapshot.edgeTypes.indexOf("internal");
  const strong = new Uint32Array((edgeCount + 31) >>> 5);
  // Per string: 0 not looked at yet, 1 an ephemeron's name, 2 not.
  const ephemeron = new Uint8Array(strings.length);
  let word = 0;
  for (let edge = 0; edge < edgeCount; edge++) {
    const type = link[edge] & typeMask;
    let keeps = type !== weakType;
    if (type === internalType) {
      const name = nameOrIndex[edge];
      if (name < strings.length && ephemeron[name] === 0) ephemeron[name] = strings.startsWith(name, "part of key") ? 1 : 2;
      keeps = !(name < strings.length && ephemeron[name] === 1);
    }
    if (keeps) word |= 1 << (edge & 31);
    if ((edge & 31) === 31) {
      strong[edge >>> 5] = word;
      word = 0;
    }
  }
  if ((edgeCount & 31) !== 0) strong[edgeCount >>> 5] = word;
  const names = snapshot.nodes.name;
  const tables = [findString(strings, "(Internalized strings)"), findString(strings, "(External strings)")].filter((index) => index !== -1);
  if (tables.length === 0) return strong;
  for (let node = 0; node < nodeCount; node++) {
    if (!tables.includes(names[node])) continue;
    for (let edge = firstEdge[node], end = firstEdge[node + 1]; edge < end; edge++) strong[edge >>> 5] &= ~(1 << (edge & 31));
  }
  return strong;
}

/** Index of the first string equal to `text`, or -1. V8 writes its synthetic root names among the first strings. */
function findString(strings: HeapSnapshot["strings"], text: string): number {
  for (let index = 0; index < strings.length; index++) if (strings.equals(index, text)) return index;
  return -1;
}

/**
 * Breadth-first from the root over strong edges: the shortest retainer path of every live node,
 * with detours (detours.ts) taken late: a timer list's links once nothing else is left, and
 * the probe's own code after everything else, so a node first reached from there (rank ≥
 * ownFrom) is held by nothing but the probe. Any order that reaches a node from one reached
 * before keeps what dominators() relies on: a node's dominators come before it.
 */
export class ShortestPaths {
  /** Per node: the edge ordinal by which the search first reached it; NONE for the root and for nodes no strong path reaches. */
  readonly parentEdge: Uint32Array;
  /** Per node: its place in search order (the root is 0); NONE when no strong path reaches it. */
  readonly rank: Uint32Array;
  /** Per rank: the node (the search queue). dominators() takes it over: read it before. */
  readonly order: Uint32Array;
  /** Nodes a strong path reaches, the root included: ranks 0 .. reachable-1. */
  readonly reachable: number;
  /** Ranks from here on are of nodes reached only through leakcheck's own probe. */
  readonly ownFrom: number;
  private readonly owners: EdgeOwners;
  private readonly flags: Uint8Array | undefined;

  constructor(snapshot: FullSnapshot, strong: Uint32Array, detours?: Detours) {
    const { nodeCount, firstEdge } = snapshot;
    const { link, typeBits, nameOrIndex, typeMask } = snapshot.edges;
    const parentEdge = new Uint32Array(nodeCount).fill(NONE);
    const rank = new Uint32Array(nodeCount).fill(NONE);
    const order = new Uint32Array(nodeCount);
    const root = snapshot.rootOrdinal;
    const flags = detours?.flags;
    const laterNames = detours?.laterEdgeNames ?? [];
    const propertyType = snapshot.edgeTypes.indexOf("property");
    // Edges held back: the timer lists' (later) and the probe's (last), in the order met.
    const later: number[] = [];
    const last: number[] = [];
    let ownFrom = NONE;
    let head = 0;
    let tail = 0;
    order[tail++] = root;
    rank[root] = 0;
    for (;;) {
      while (head < tail) {
        const node = order[head++];
        const flag = flags === undefined ? 0 : flags[node];
        if (flag === 0) {
          for (let edge = firstEdge[node], end = firstEdge[node + 1]; edge < end; edge++) {
            if (((strong[edge >>> 5] >>> edge) & 1) === 0) continue;
            const target = link[edge] >>> typeBits;
            if (rank[target] !== NONE) continue;
            parentEdge[target] = edge;
            rank[target] = tail;
            order[tail++] = target;
          }
          continue;
        }
        for (let edge = firstEdge[node], end = firstEdge[node + 1]; edge < end; edge++) {
          if (((strong[edge >>> 5] >>> edge) & 1) === 0) continue;
          const target = link[edge] >>> typeBits;
          if (rank[target] !== NONE) continue;
          if (flag === LAST) last.push(edge);
          else if ((link[edge] & typeMask) === propertyType && laterNames.includes(nameOrIndex[edge])) later.push(edge);
          else {
            parentEdge[target] = edge;
            rank[target] = tail;
            order[tail++] = target;
          }
        }
      }
      const held = later.length > 0 ? later : last;
      if (held.length === 0) break;
      if (held === last && ownFrom === NONE) ownFrom = tail;
      for (const edge of held.splice(0)) {
        const target = link[edge] >>> typeBits;
        if (rank[target] !== NONE) continue;
        parentEdge[target] = edge;
        rank[target] = tail;
        order[tail++] = target;
      }
    }
    this.parentEdge = parentEdge;
    this.rank = rank;
    this.order = order;
    this.reachable = tail;
    this.ownFrom = ownFrom === NONE ? tail : ownFrom;
    this.flags = flags;
    this.owners = new EdgeOwners(firstEdge, nodeCount);
  }

  /** Whether `node` is the probe's own code or scope, or is held only through them. */
  isOwn(node: number): boolean {
    const rank = this.rank[node];
    return (rank !== NONE && rank >= this.ownFrom) || this.flags?.[node] === LAST;
  }

  /** The node the path to `node` comes from; NONE for the root and for nodes no strong path reaches. */
  parentOf(node: number): number {
    const edge = this.parentEdge[node];
    return edge === NONE ? NONE : this.owners.of(edge);
  }

  isReachable(node: number): boolean {
    return this.rank[node] !== NONE;
  }
}

/**
 * The node an edge leaves from, without a 4-byte owner per edge: the owner of every 64th edge,
 * then a binary search of firstEdge between two of those (a handful of steps).
 */
class EdgeOwners {
  private readonly every: Uint32Array;

  constructor(
    private readonly firstEdge: Uint32Array,
    private readonly nodeCount: number,
  ) {
    const edgeCount = firstEdge[nodeCount];
    const every = new Uint32Array((edgeCount >>> 6) + 2);
    for (let node = 0; node < nodeCount; node++) {
      for (let k = (firstEdge[node] + 63) >>> 6, end = firstEdge[node + 1]; k * 64 < end; k++) every[k] = node;
    }
    every[every.length - 1] = nodeCount - 1;
    every[every.length - 2] = Math.max(every[every.length - 2], every[(edgeCount - 1) >>> 6] ?? 0);
    this.every = every;
  }

  /** The node whose edges include `edge`: the last node whose first edge is ≤ edge. */
  of(edge: number): number {
    const firstEdge = this.firstEdge;
    let low = this.every[edge >>> 6];
    let high = Math.min(this.nodeCount - 1, Math.max(low, this.every[(edge >>> 6) + 1]));
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (firstEdge[middle] <= edge) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

export interface Dominators {
  /** Per rank: the rank of its immediate dominator; the root's (rank 0) is itself. */
  dom: Uint32Array;
  /** Per rank: bytes freed if that node were (its own and everything only it keeps alive). */
  retained: Uint32Array | Float64Array;
}

/**
 * The dominator tree by the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast
 * Dominance Algorithm"), over strong edges and numbered in breadth-first order, and retained
 * sizes summed up that tree. It pushes along forward edges (each node narrows its successors'
 * dominators) rather than pulling from predecessors: no reverse-edge arrays. Takes over
 * `paths.order` for the retained sizes when they fit 32 bits.
 *
 * Any node's dominators come before it in breadth-first order (every path to it passes them,
 * the shortest too), so intersecting two candidates walks towards smaller ranks as in the
 * post-order original. After the first pass, a node pushes again only when its dominator chain
 * changed since it last pushed (it or a node up its chain got a new dominator): later passes
 * touch a small part of the graph, and the result is exact.
 */
export function dominators(snapshot: FullSnapshot, strong: Uint32Array, paths: ShortestPaths): Dominators {
  const { rank, order, reachable } = paths;
  if (reachable >= RANK) throw new RangeError(`${reachable} reachable nodes: more than the ${RANK} the dominator tree is built for`);
  // Per rank: the dominator's rank, and two flags in the bits above it (no array of their own):
  // NEW, it got a new dominator since it last pushed; CHAIN, its chain changed (this pass).
  const dom = new Uint32Array(reachable).fill(UNSET | NEW);
  dom[0] = 0 | NEW;
  while (dominatorPass(dom, snapshot.firstEdge, snapshot.edges.link, snapshot.edges.typeBits, strong, rank, order, reachable));
  return { dom, retained: retainedSizes(snapshot, dom, rank, order, reachable) };
}

/**
 * One pass of dominators() over the ranks in order; true when a dominator changed. Its own
 * function, every value a small integer: the loops are compiled once and never deoptimized by
 * code after them or by a number past 2^31.
 */
function dominatorPass(dom: Uint32Array, firstEdge: Uint32Array, link: Uint32Array, typeBits: number, strong: Uint32Array, rank: Uint32Array, order: Uint32Array, reachable: number): boolean {
  let changed = false;
  for (let r = 0; r < reachable; r++) {
    const own = dom[r];
    const up = own & RANK;
    if ((own & NEW) === 0 && (r === 0 || (dom[up] & CHAIN) === 0)) {
      dom[r] = up;
      continue;
    }
    dom[r] = up | CHAIN;
    const node = order[r];
    for (let edge = firstEdge[node], end = firstEdge[node + 1]; edge < end; edge++) {
      if (((strong[edge >>> 5] >>> edge) & 1) === 0) continue;
      const target = rank[link[edge] >>> typeBits];
      if (target === 0) continue;
      const word = dom[target];
      const current = word & RANK;
      if (current === r) continue;
      let next = r;
      if (current !== UNSET) {
        // Intersect: walk both up the tree until they meet.
        let other = current;
        while (next !== other) {
          while (next > other) next = dom[next] & RANK;
          while (other > next) other = dom[other] & RANK;
        }
        if (next === current) continue;
      }
      dom[target] = next | NEW | (word & CHAIN);
      changed = true;
    }
  }
  if (!changed) for (let r = 0; r < reachable; r++) dom[r] &= RANK;
  return changed;
}

/**
 * Self sizes by rank, then each node's retained size added to its dominator's: a dominator
 * always has the smaller rank, so one pass from the deepest up sums every subtree. In `order`'s
 * place when every sum fits 32 bits.
 */
function retainedSizes(snapshot: FullSnapshot, dom: Uint32Array, rank: Uint32Array, order: Uint32Array, reachable: number): Uint32Array | Float64Array {
  const { selfSize, bigSelfSize } = snapshot.nodes;
  let total = 0;
  for (let r = 0; r < reachable; r++) total += selfSize[order[r]];
  for (const [node, size] of bigSelfSize) if (rank[node] !== NONE) total += size - BIG_SELF_SIZE;
  const retained = total < 2 ** 32 ? order.subarray(0, reachable) : new Float64Array(reachable);
  for (let r = 0; r < reachable; r++) retained[r] = selfSize[order[r]];
  for (const [node, size] of bigSelfSize) if (rank[node] !== NONE) retained[rank[node]] = size;
  for (let r = reachable - 1; r > 0; r--) retained[dom[r]] += retained[r];
  return retained;
}

/** What the survivors are judged on: strong edges, shortest paths and the dominator tree of the last snapshot. */
export interface HeapGraph {
  strong: Uint32Array;
  paths: ShortestPaths;
  dominators: Dominators;
}

/** Builds the graph of a snapshot read with its edges (it needs no other snapshot). */
export function buildGraph(snapshot: FullSnapshot, detours: Detours | undefined = findDetours(snapshot)): HeapGraph {
  const strong = strongEdges(snapshot);
  const paths = new ShortestPaths(snapshot, strong, detours);
  return { strong, paths, dominators: dominators(snapshot, strong, paths) };
}

export { NONE as NO_NODE };
