// The heap as a graph: which edges hold an object alive, the shortest strong path from
// the GC roots to every node, and the dominator tree with retained sizes. Flat typed
// arrays throughout: a 300 MB snapshot has millions of nodes and edges.

import type { HeapSnapshot } from "./snapshot.js";

const NONE = 0xffffffff;

/** A snapshot read with its edges (the final one of a diff). */
export type FullSnapshot = HeapSnapshot & { edges: Uint32Array; firstEdge: Uint32Array };

export function hasEdges(snapshot: HeapSnapshot): snapshot is FullSnapshot {
  return snapshot.edges !== undefined && snapshot.firstEdge !== undefined;
}

/**
 * Per edge ordinal: 1 when the edge keeps its target alive. Weak edges do not, and neither
 * does a WeakMap entry's value edge ("part of key … -> value … pair in WeakMap"): the value
 * lives only as long as its key, which is held elsewhere or not at all. Nor does V8's
 * string table: a string only it holds is collected.
 */
export function strongEdgeMask(snapshot: FullSnapshot): Uint8Array {
  const { edges, edgeFieldCount, edgeCount, strings } = snapshot;
  const typeOffset = snapshot.edgeOffsets.type;
  const nameOffset = snapshot.edgeOffsets.nameOrIndex;
  const weakType = snapshot.edgeTypes.indexOf("weak");
  const internalType = snapshot.edgeTypes.indexOf("internal");
  const mask = new Uint8Array(edgeCount);
  const ephemeronNames = new Map<number, boolean>();
  for (let edge = 0, offset = 0; edge < edgeCount; edge++, offset += edgeFieldCount) {
    const type = edges[offset + typeOffset];
    if (type === weakType) continue;
    if (type === internalType) {
      const nameIndex = edges[offset + nameOffset];
      let ephemeron = ephemeronNames.get(nameIndex);
      if (ephemeron === undefined) {
        ephemeron = nameIndex < strings.length && strings[nameIndex].startsWith("part of key");
        ephemeronNames.set(nameIndex, ephemeron);
      }
      if (ephemeron) continue;
    }
    mask[edge] = 1;
  }
  const { nodes, nodeFieldCount, firstEdge } = snapshot;
  for (let node = 0; node < snapshot.nodeCount; node++) {
    const name = strings[nodes[node * nodeFieldCount + snapshot.nodeOffsets.name]];
    if (name === "(Internalized strings)" || name === "(External strings)") mask.fill(0, firstEdge[node], firstEdge[node + 1]);
  }
  return mask;
}

export interface ShortestPaths {
  /** Per node: the edge ordinal by which the BFS first reached it, or NONE (root, unreachable). */
  parentEdge: Uint32Array;
  /** Per node: the node that edge leaves from; NONE for the root and for nodes no strong path reaches. */
  parentNode: Uint32Array;
}

/** Breadth-first from the root over strong edges: the shortest retainer path of every live node. */
export function shortestPaths(snapshot: FullSnapshot, strong: Uint8Array): ShortestPaths {
  const { nodeCount, edges, firstEdge, edgeFieldCount } = snapshot;
  const toOffset = snapshot.edgeOffsets.toNode;
  const parentEdge = new Uint32Array(nodeCount).fill(NONE);
  const parentNode = new Uint32Array(nodeCount).fill(NONE);
  const queue = new Uint32Array(nodeCount);
  let head = 0;
  let tail = 0;
  const root = snapshot.rootOrdinal;
  queue[tail++] = root;
  while (head < tail) {
    const node = queue[head++];
    for (let edge = firstEdge[node], end = firstEdge[node + 1]; edge < end; edge++) {
      if (strong[edge] === 0) continue;
      const target = edges[edge * edgeFieldCount + toOffset];
      if (parentNode[target] !== NONE || target === root) continue;
      parentEdge[target] = edge;
      parentNode[target] = node;
      queue[tail++] = target;
    }
  }
  return { parentEdge, parentNode };
}

export interface Dominators {
  /** Per node: its immediate dominator, NONE for the root and for unreachable nodes. */
  idom: Uint32Array;
  /** Per node: bytes freed if it were (its own and everything only it keeps alive). */
  retainedSize: Float64Array;
}

/**
 * The dominator tree by the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple,
 * Fast Dominance Algorithm"), over strong edges, and retained sizes summed up that tree.
 */
export function dominators(snapshot: FullSnapshot, strong: Uint8Array): Dominators {
  const { nodeCount, edges, firstEdge, edgeFieldCount, nodes, nodeFieldCount } = snapshot;
  const toOffset = snapshot.edgeOffsets.toNode;
  const selfSizeOffset = snapshot.nodeOffsets.selfSize;
  const root = snapshot.rootOrdinal;

  // Depth-first post-order from the root (iterative: the graph is deep).
  const postOrder = new Uint32Array(nodeCount).fill(NONE); // node → post-order number
  const nodeAt = new Uint32Array(nodeCount); // post-order number → node
  const stackNode = new Uint32Array(nodeCount);
  const stackEdge = new Uint32Array(nodeCount);
  const visited = new Uint8Array(nodeCount);
  let order = 0;
  let top = 0;
  stackNode[0] = root;
  stackEdge[0] = firstEdge[root];
  visited[root] = 1;
  while (top >= 0) {
    const node = stackNode[top];
    const end = firstEdge[node + 1];
    let edge = stackEdge[top];
    for (; edge < end; edge++) {
      if (strong[edge] === 0) continue;
      const target = edges[edge * edgeFieldCount + toOffset];
      if (visited[target] === 1) continue;
      visited[target] = 1;
      stackEdge[top] = edge + 1;
      top++;
      stackNode[top] = target;
      stackEdge[top] = firstEdge[target];
      break;
    }
    if (edge >= end) {
      postOrder[node] = order;
      nodeAt[order++] = node;
      top--;
    }
  }
  const reachable = order;

  // Predecessors by post-order number, over strong edges between reachable nodes.
  const retainerStart = new Uint32Array(reachable + 1);
  for (let node = 0; node < nodeCount; node++) {
    if (postOrder[node] === NONE) continue;
    for (let edge = firstEdge[node], end = firstEdge[node + 1]; edge < end; edge++) {
      if (strong[edge] === 0) continue;
      const target = postOrder[edges[edge * edgeFieldCount + toOffset]];
      if (target !== NONE) retainerStart[target + 1]++;
    }
  }
  for (let index = 0; index < reachable; index++) retainerStart[index + 1] += retainerStart[index];
  const retainers = new Uint32Array(retainerStart[reachable]);
  const fill = retainerStart.slice(0, reachable);
  for (let node = 0; node < nodeCount; node++) {
    const from = postOrder[node];
    if (from === NONE) continue;
    for (let edge = firstEdge[node], end = firstEdge[node + 1]; edge < end; edge++) {
      if (strong[edge] === 0) continue;
      const target = postOrder[edges[edge * edgeFieldCount + toOffset]];
      if (target !== NONE) retainers[fill[target]++] = from;
    }
  }

  // Dominators by post-order number; the root has the highest.
  const rootOrder = reachable - 1;
  const dom = new Uint32Array(reachable).fill(NONE);
  dom[rootOrder] = rootOrder;
  // After the first pass, only nodes whose retainers' dominators changed need another look
  // (as Chrome DevTools does): the later passes touch a small part of the graph.
  const affected = new Uint8Array(reachable).fill(1);
  for (let changed = true; changed; ) {
    changed = false;
    for (let index = rootOrder - 1; index >= 0; index--) {
      if (affected[index] === 0) continue;
      affected[index] = 0;
      let next = NONE;
      for (let r = retainerStart[index], end = retainerStart[index + 1]; r < end; r++) {
        let candidate = retainers[r];
        if (dom[candidate] === NONE) continue;
        if (next === NONE) {
          next = candidate;
          continue;
        }
        // Intersect: walk both up the tree until they meet.
        let other = next;
        while (candidate !== other) {
          while (candidate < other) candidate = dom[candidate];
          while (other < candidate) other = dom[other];
        }
        next = candidate;
      }
      if (next !== NONE && dom[index] !== next) {
        dom[index] = next;
        changed = true;
        const node = nodeAt[index];
        for (let edge = firstEdge[node], end = firstEdge[node + 1]; edge < end; edge++) {
          if (strong[edge] === 0) continue;
          const target = postOrder[edges[edge * edgeFieldCount + toOffset]];
          if (target !== NONE) affected[target] = 1;
        }
      }
    }
  }

  const idom = new Uint32Array(nodeCount).fill(NONE);
  const retainedSize = new Float64Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) retainedSize[node] = nodes[node * nodeFieldCount + selfSizeOffset];
  // A dominator always comes later in post-order, so one pass upwards sums every subtree.
  for (let index = 0; index < rootOrder; index++) {
    const node = nodeAt[index];
    const parent = dom[index] === NONE ? rootOrder : dom[index];
    idom[node] = nodeAt[parent];
    retainedSize[nodeAt[parent]] += retainedSize[node];
  }
  return { idom, retainedSize };
}

export { NONE as NO_NODE };
