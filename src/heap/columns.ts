// Nodes and edges as the reader keeps them: a column per field the analysis uses, filled a
// batch of records at a time from the reader's scratch array. A node takes 11 bytes (plus 4
// of firstEdge) instead of the file's 7 fields × 4; an edge 8 bytes instead of 3 × 4, its
// type packed under the target's ordinal.
import type { Layout } from "./layout.js";

/** Per node ordinal, the node fields the analysis uses; the file's others (trace_node_id, detachedness…) are not kept. */
export interface NodeColumns {
  readonly type: Uint8Array;
  readonly name: Uint32Array;
  readonly id: Uint32Array;
  /** Self sizes in 16 bits: BIG_SELF_SIZE marks one kept in bigSelfSize (V8 objects of 64 KB or more are a handful per heap). */
  readonly selfSize: Uint16Array;
  readonly bigSelfSize: Map<number, number>;
}

/** In NodeColumns.selfSize: the size is BIG_SELF_SIZE or more, and in bigSelfSize. */
export const BIG_SELF_SIZE = 0xffff;

/** The self size of node `node` (an index into `columns`). */
export function selfSizeOf(columns: NodeColumns, node: number): number {
  const size = columns.selfSize[node];
  return size === BIG_SELF_SIZE ? columns.bigSelfSize.get(node)! : size;
}

/** A batch of nodes as read, for ReadOptions.visitNodes: `count` nodes from ordinal `first`; the arrays are reused for the next batch. */
export interface NodeBatch extends NodeColumns {
  readonly first: number;
  readonly count: number;
  /** Names of the node types, from the header. */
  readonly nodeTypes: readonly string[];
}

/** Per edge ordinal: the target node ordinal and the type in one word, and the name_or_index value. */
export interface EdgeColumns {
  /** `target * 2 ** typeBits + type`: read the target as `link[e] >>> typeBits`, the type as `link[e] & typeMask`. */
  readonly link: Uint32Array;
  readonly nameOrIndex: Uint32Array;
  readonly typeBits: number;
  readonly typeMask: number;
}

/** Records per scratch batch: the scratch array stays in cache and is always a whole number of records. */
export const BATCH_RECORDS = 8192;

/** Fails with a message about the nodes or edges array (the reader adds where that array starts). */
export type Fail = (key: "nodes" | "edges" | "locations", problem: string) => never;

/** Bits of a link word for the edge type: enough for every type name the header declares. */
export function typeBitsFor(edgeTypeCount: number): number {
  return 32 - Math.clz32(Math.max(1, edgeTypeCount - 1));
}

/** Empty node columns for `capacity` nodes (pages are only touched as they are filled). */
export function nodeColumns(capacity: number): NodeColumns {
  return { type: new Uint8Array(capacity), name: new Uint32Array(capacity), id: new Uint32Array(capacity), selfSize: new Uint16Array(capacity), bigSelfSize: new Map() };
}

/** Empty edge columns for `capacity` edges, with room in a link word for `edgeTypeCount` types. */
export function edgeColumns(capacity: number, edgeTypeCount: number): EdgeColumns {
  const typeBits = typeBitsFor(edgeTypeCount);
  return { link: new Uint32Array(capacity), nameOrIndex: new Uint32Array(capacity), typeBits, typeMask: (1 << typeBits) - 1 };
}

/** What reading the nodes found besides the columns: for the checks once the strings are known. */
export interface NodeTally {
  /** Sum of the edge_count fields so far. */
  edgeSum: number;
  /** Largest name index seen and the first node with it, to check against the strings once read. */
  maxName: number;
  maxNameAt: number;
}

/** Largest name index of a named (not element or hidden) edge and the first edge with it, for the check once the strings are known. */
export interface EdgeTally {
  maxName: number;
  maxNameAt: number;
}

// The packing loops are plain functions that read what they need before the loop and leave
// their running state in these module variables (as json-bytes.ts's scanners do): code after
// an OSR-compiled loop that was never run before (a property store) deoptimizes the function,
// and V8 may then leave it unoptimized for every later batch.
let packSum = 0;
let packMax = 0;
let packMaxAt = 0;
let packBig = 0;

interface NodePlan {
  fields: number;
  typeAt: number;
  nameAt: number;
  idAt: number;
  sizeAt: number;
  countAt: number;
  typeCount: number;
  columns: NodeColumns;
  firstEdge: Uint32Array | undefined;
  fail: Fail;
}

/**
 * A drain that copies whole node records into `columns` from ordinal drained / fields on (or,
 * with `visit`, into one reused batch handed to it), checks each type, and sums edge_count into
 * firstEdge when given.
 */
export function nodeDrain(layout: Layout, columns: NodeColumns, firstEdge: Uint32Array | undefined, tally: NodeTally, fail: Fail, visit?: (batch: NodeBatch) => void) {
  const fields = layout.nodeFields.length;
  const plan: NodePlan = {
    fields,
    typeAt: layout.nodeFields.indexOf("type"),
    nameAt: layout.nodeFields.indexOf("name"),
    idAt: layout.nodeFields.indexOf("id"),
    sizeAt: layout.nodeFields.indexOf("self_size"),
    countAt: layout.nodeFields.indexOf("edge_count"),
    typeCount: layout.nodeTypes.length,
    columns,
    firstEdge,
    fail,
  };
  return (values: Uint32Array, count: number, drained: number): number => {
    const first = drained / fields;
    const whole = count - (count % fields);
    packSum = tally.edgeSum;
    packMax = tally.maxName;
    packMaxAt = tally.maxNameAt;
    // In a visit the batch starts at 0 each time; kept, a node goes at its ordinal.
    const at = visit === undefined ? first : 0;
    if (visit !== undefined) columns.bigSelfSize.clear();
    packNodes(plan, values, whole, first, at);
    // Sizes that do not fit 16 bits, found again outside the loop: they are rare.
    for (let k = 0, node = at; packBig > 0 && k < whole; k += fields, node++) {
      const size = values[k + plan.sizeAt];
      if (size < BIG_SELF_SIZE) continue;
      columns.bigSelfSize.set(node, size);
      packBig--;
    }
    tally.edgeSum = packSum;
    tally.maxName = packMax;
    tally.maxNameAt = packMaxAt;
    if (visit !== undefined) visit({ ...columns, first, count: whole / fields, nodeTypes: layout.nodeTypes });
    return whole;
  };
}

function packNodes(plan: NodePlan, values: Uint32Array, whole: number, first: number, at: number): void {
  const { fields, typeAt, nameAt, idAt, sizeAt, countAt, typeCount, firstEdge, fail } = plan;
  const { type: types, name: names, id: ids, selfSize: sizes } = plan.columns;
  const toOrdinal = first - at;
  let sum = packSum;
  let maxName = packMax;
  let maxNameAt = packMaxAt;
  let big = 0;
  for (let k = 0; k < whole; k += fields, at++) {
    const type = values[k + typeAt];
    if (type >= typeCount) fail("nodes", `node ${at + toOrdinal} has type ${type}, but there are ${typeCount} node types`);
    const name = values[k + nameAt];
    if (name > maxName) {
      maxName = name;
      maxNameAt = at + toOrdinal;
    }
    types[at] = type;
    names[at] = name;
    ids[at] = values[k + idAt];
    const size = values[k + sizeAt];
    if (size >= BIG_SELF_SIZE) big++;
    sizes[at] = size < BIG_SELF_SIZE ? size : BIG_SELF_SIZE;
    sum += values[k + countAt];
    if (firstEdge !== undefined) firstEdge[at + 1] = sum;
  }
  packSum = sum;
  packMax = maxName;
  packMaxAt = maxNameAt;
  packBig = big;
}

interface EdgePlan {
  fields: number;
  typeAt: number;
  nameAt: number;
  toAt: number;
  nodeFields: number;
  nodeCount: number;
  typeCount: number;
  named: Uint8Array;
  columns: EdgeColumns;
  fail: Fail;
}

/** A drain that packs whole edge records into `columns`: to_node checked and turned into a node ordinal. */
export function edgeDrain(layout: Layout, columns: EdgeColumns, tally: EdgeTally, fail: Fail) {
  const fields = layout.edgeFields.length;
  const plan: EdgePlan = {
    fields,
    typeAt: layout.edgeFields.indexOf("type"),
    nameAt: layout.edgeFields.indexOf("name_or_index"),
    toAt: layout.edgeFields.indexOf("to_node"),
    nodeFields: layout.nodeFields.length,
    nodeCount: layout.nodeCount,
    typeCount: layout.edgeTypes.length,
    named: namedEdgeTypes(layout.edgeTypes),
    columns,
    fail,
  };
  return (values: Uint32Array, count: number, drained: number): number => {
    const whole = count - (count % fields);
    packMax = tally.maxName;
    packMaxAt = tally.maxNameAt;
    packEdges(plan, values, whole, drained / fields);
    tally.maxName = packMax;
    tally.maxNameAt = packMaxAt;
    return whole;
  };
}

function packEdges(plan: EdgePlan, values: Uint32Array, whole: number, e: number): void {
  const { fields, typeAt, nameAt, toAt, nodeFields, nodeCount, typeCount, named, fail } = plan;
  const { link, nameOrIndex, typeBits } = plan.columns;
  const scale = 2 ** typeBits;
  const linkable = 2 ** (32 - typeBits); // targets that fit in a link word
  // to_node / nodeFields by a multiplication: exact after rounding for any uint32 (the error is < 2^-20).
  const inverse = 1 / nodeFields;
  let maxName = packMax;
  let maxNameAt = packMaxAt;
  for (let k = 0; k < whole; k += fields, e++) {
    const type = values[k + typeAt];
    if (type >= typeCount) fail("edges", `edge ${e} has type ${type}, but there are ${typeCount} edge types`);
    const name = values[k + nameAt];
    if (named[type] === 1 && name > maxName) {
      maxName = name;
      maxNameAt = e;
    }
    const raw = values[k + toAt];
    const to = Math.round(raw * inverse);
    if (to * nodeFields !== raw || to >= nodeCount) fail("edges", `edge ${e} points to ${raw}, which is not the start of one of the ${nodeCount} nodes`);
    if (to >= linkable) fail("edges", `edge ${e} points to node ${to}: more nodes than the ${linkable} this reader can hold`);
    link[e] = to * scale + type;
    nameOrIndex[e] = name;
  }
  packMax = maxName;
  packMaxAt = maxNameAt;
}

/** Per edge type: 1 when its name_or_index names a string, 0 for element and hidden edges (an index). */
export function namedEdgeTypes(edgeTypes: readonly string[]): Uint8Array {
  return Uint8Array.from(edgeTypes, (type) => (type === "element" || type === "hidden" ? 0 : 1));
}
