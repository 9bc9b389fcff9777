// Counting a snapshot: objects and bytes per constructor, and the set of ids it holds,
// to tell which objects of a later snapshot of the same process are new (V8 keeps node
// ids stable within one process, and gives objects first seen later higher ids).

import { nodeName, nodeTypeName, type HeapSnapshot } from "./snapshot.js";

/** Node types that never make a constructor of their own in the summary. */
const STRING_TYPES = new Set(["string", "concatenated string", "sliced string"]);

/** The name DevTools' summary groups a node under: the constructor for objects, "(type)" otherwise. */
export function classNameOf(snapshot: HeapSnapshot, ordinal: number): string {
  const type = nodeTypeName(snapshot, ordinal) ?? "unknown";
  if (type === "object" || type === "native") return nodeName(snapshot, ordinal) ?? "(unknown)";
  if (STRING_TYPES.has(type)) return "(string)";
  return `(${type})`;
}

export interface ClassTotals {
  type: string;
  count: number;
  size: number;
}

/** Per class name: how many nodes and their self sizes. Also gives each node its class index. */
export interface Census {
  classes: Map<string, ClassTotals>;
  count: number;
  size: number;
}

export function census(snapshot: HeapSnapshot): Census {
  const classes = new Map<string, ClassTotals>();
  // Nodes of one type and name share a class: count by (type, name) index pairs first, it is much cheaper.
  const { nodes, nodeFieldCount, nodeCount } = snapshot;
  const { type: typeOffset, name: nameOffset, selfSize: sizeOffset } = snapshot.nodeOffsets;
  const byKey = new Map<number, { ordinal: number; count: number; size: number }>();
  const typeCount = snapshot.nodeTypes.length + 1;
  let size = 0;
  for (let node = 0, base = 0; node < nodeCount; node++, base += nodeFieldCount) {
    const key = nodes[base + nameOffset] * typeCount + nodes[base + typeOffset];
    const self = nodes[base + sizeOffset];
    size += self;
    const entry = byKey.get(key);
    if (entry) {
      entry.count++;
      entry.size += self;
    } else byKey.set(key, { ordinal: node, count: 1, size: self });
  }
  for (const entry of byKey.values()) {
    const name = classNameOf(snapshot, entry.ordinal);
    const totals = classes.get(name);
    if (totals) {
      totals.count += entry.count;
      totals.size += entry.size;
    } else classes.set(name, { type: nodeTypeName(snapshot, entry.ordinal), count: entry.count, size: entry.size });
  }
  return { classes, count: nodeCount, size };
}

/** The ids of a snapshot, sorted, for "did this object exist then?" by binary search. */
export class IdSet {
  private constructor(
    private readonly ids: Uint32Array,
    readonly max: number,
  ) {}

  static of(snapshot: HeapSnapshot): IdSet {
    const { nodes, nodeFieldCount, nodeCount } = snapshot;
    const idOffset = snapshot.nodeOffsets.id;
    const ids = new Uint32Array(nodeCount);
    for (let node = 0; node < nodeCount; node++) ids[node] = nodes[node * nodeFieldCount + idOffset];
    ids.sort();
    return new IdSet(ids, nodeCount > 0 ? ids[nodeCount - 1] : 0);
  }

  has(id: number): boolean {
    // Ids are handed out in increasing order: anything above the largest is newer.
    if (id > this.max) return false;
    const ids = this.ids;
    let low = 0;
    let high = ids.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = ids[middle];
      if (value === id) return true;
      if (value < id) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }
}
