// Counting a snapshot: objects and bytes per constructor, and the set of ids it holds,
// to tell which objects of a later snapshot of the same process are new (V8 keeps node
// ids stable within one process, and gives objects first seen later higher ids).

import { IdSetBuilder, type IdSet } from "./id-set.js";
import { ensureLength, PairTable } from "./pair-table.js";
import { BIG_SELF_SIZE, nodeName, nodeTypeName, readHeapSnapshot, type HeapSnapshot, type NodeBatch, type NodeColumns, type StringTable } from "./snapshot.js";

/** Node types that never make a constructor of their own in the summary. */
const STRING_TYPES = new Set(["string", "concatenated string", "sliced string"]);

/** The name DevTools' summary groups a node under: the constructor for objects, "(type)" otherwise. */
export function classNameOf(snapshot: HeapSnapshot, ordinal: number): string {
  return className(nodeTypeName(snapshot, ordinal), () => nodeName(snapshot, ordinal));
}

function className(type: string | undefined, name: () => string | undefined): string {
  if (type === undefined) return "(unknown)";
  if (type === "object" || type === "native") return name() ?? "(unknown)";
  if (STRING_TYPES.has(type)) return "(string)";
  return `(${type})`;
}

export interface ClassTotals {
  type: string;
  count: number;
  size: number;
}

/** Per class name: how many nodes and their self sizes. */
export interface Census {
  classes: Map<string, ClassTotals>;
  count: number;
  size: number;
}

/**
 * Counts and sizes per (type, name index) pair: nodes of one pair share a class, and a
 * typed-array table counts a node in a few nanoseconds (a Map of objects took ~100 ns).
 */
export class ClassTally {
  private readonly pairs = new PairTable();
  /** Per pair, in the order first seen: the classes come out in the order of the nodes. */
  private names: Float64Array = new Float64Array(1024);
  private types: Float64Array = new Float64Array(1024);
  private counts: Float64Array = new Float64Array(1024);
  private sizes: Float64Array = new Float64Array(1024);
  count = 0;
  size = 0;

  /**
   * Adds a batch of nodes (or a whole snapshot's columns). Only objects and native nodes are
   * named by their name; for the rest the type is the class, so their name is left out of the
   * key (a string's name is its text: hundreds of thousands of keys otherwise).
   */
  addAll(named: Uint8Array, columns: NodeColumns, count: number): void {
    const { type: types, name: names, selfSize: sizes } = columns;
    let total = 0;
    for (let node = 0; node < count; node++) {
      const type = types[node];
      const name = named[type] === 1 ? names[node] : 0;
      const self = sizes[node];
      total += self;
      const pair = this.pairs.index(name, type);
      if (pair === this.counts.length) this.grow(pair + 1);
      if (this.counts[pair] === 0) {
        this.names[pair] = name;
        this.types[pair] = type;
      }
      this.counts[pair]++;
      this.sizes[pair] += self;
    }
    this.count += count;
    this.size += total;
    // Counted above as BIG_SELF_SIZE: add the rest of their size.
    for (const [node, size] of columns.bigSelfSize) {
      if (node >= count) continue;
      const type = types[node];
      const pair = this.pairs.index(named[type] === 1 ? names[node] : 0, type);
      this.sizes[pair] += size - BIG_SELF_SIZE;
      this.size += size - BIG_SELF_SIZE;
    }
  }

  private grow(length: number): void {
    this.names = ensureLength(this.names, length);
    this.types = ensureLength(this.types, length);
    this.counts = ensureLength(this.counts, length);
    this.sizes = ensureLength(this.sizes, length);
  }

  /** The census, class names decoded once per (type, name) pair. */
  census(nodeTypes: readonly string[], strings: StringTable): Census {
    const classes = new Map<string, ClassTotals>();
    for (let pair = 0; pair < this.pairs.size; pair++) {
      const name = this.names[pair];
      const type = nodeTypes[this.types[pair]];
      const key = className(type, () => strings.get(name));
      const totals = classes.get(key);
      if (totals) {
        totals.count += this.counts[pair];
        totals.size += this.sizes[pair];
      } else classes.set(key, { type, count: this.counts[pair], size: this.sizes[pair] });
    }
    return { classes, count: this.count, size: this.size };
  }
}

/** Per node type: 1 when nodes of that type are classed by their name (see className). */
function namedTypes(nodeTypes: readonly string[]): Uint8Array {
  return Uint8Array.from(nodeTypes, (type) => (type === "object" || type === "native" ? 1 : 0));
}

/** The census of a snapshot read with its nodes. */
export function census(snapshot: HeapSnapshot): Census {
  const tally = new ClassTally();
  tally.addAll(namedTypes(snapshot.nodeTypes), snapshot.nodes, snapshot.nodeCount);
  return tally.census(snapshot.nodeTypes, snapshot.strings);
}

/** A snapshot read for its census and ids alone, without keeping its nodes (a baseline, or a round between). */
export interface SnapshotSummary {
  census: Census;
  ids: IdSet;
  byteLength: number;
}

/** Reads a snapshot without its edges and without keeping its nodes: its census and its ids. */
export async function readSummary(path: string, options: { signal?: AbortSignal } = {}): Promise<SnapshotSummary> {
  const tally = new ClassTally();
  const ids = new IdSetBuilder();
  let named: Uint8Array | undefined;
  const visitNodes = (batch: NodeBatch): void => {
    ids.addAll(batch.id, batch.count);
    named ??= namedTypes(batch.nodeTypes);
    tally.addAll(named, batch, batch.count);
  };
  const snapshot = await readHeapSnapshot(path, { edges: false, visitNodes, signal: options.signal });
  return { census: tally.census(snapshot.nodeTypes, snapshot.strings), ids: ids.finish(), byteLength: snapshot.byteLength };
}
