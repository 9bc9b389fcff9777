// Reads a V8 .heapsnapshot into flat typed arrays, streaming the file in big chunks: no
// whole-file string and no JSON.parse of the file (a snapshot can be larger than V8's ~512 MB
// string limit). Field layouts come from the file's own snapshot.meta, never hard-coded; only
// the fields the analysis uses are kept (see columns.ts), and strings stay bytes until asked for.
import { open, stat } from "node:fs/promises";
import { BATCH_RECORDS, edgeColumns, edgeDrain, nodeColumns, nodeDrain, selfSizeOf, type EdgeColumns, type EdgeTally, type Fail, type NodeBatch, type NodeColumns, type NodeTally } from "./columns.js";
import { SnapshotFormatError, showByte } from "./format-error.js";
import { ByteReader, DEFAULT_CHUNK_SIZE, sinkTotal, type UintSink } from "./json-bytes.js";
import { checkHeader, parseHeader, quote, type Layout } from "./layout.js";
import { StringTableBuilder, type StringTable } from "./strings.js";

export { SnapshotFormatError } from "./format-error.js";
export { BIG_SELF_SIZE, selfSizeOf, type EdgeColumns, type NodeBatch, type NodeColumns } from "./columns.js";
export type { StringTable } from "./strings.js";

export interface HeapSnapshot {
  /** Names from the file's own snapshot.meta (never hard-code the layout). */
  readonly nodeFields: readonly string[];
  readonly edgeFields: readonly string[];
  /** Enum names of the node "type" field and of the edge "type" field. */
  readonly nodeTypes: readonly string[];
  readonly edgeTypes: readonly string[];
  /** Values per node and per edge record in the file. */
  readonly nodeFieldCount: number;
  readonly edgeFieldCount: number;
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** Per node ordinal: type, name, id, self size. Empty (length 0) when read with `visitNodes`. */
  readonly nodes: NodeColumns;
  /** Per edge ordinal: target, type, name_or_index. Undefined with `{ edges: false }`. */
  readonly edges: EdgeColumns | undefined;
  /** firstEdge[i] .. firstEdge[i+1] are node i's edges as edge ordinals; length nodeCount + 1. Undefined with `{ edges: false }`. */
  readonly firstEdge: Uint32Array | undefined;
  readonly strings: StringTable;
  /** Flat location records per locationFields (object_index converted to a node ordinal), or empty. */
  readonly locations: Uint32Array;
  readonly locationFields: readonly string[];
  /** Ordinal of the root node (snapshot.root_index / nodeFieldCount when present, else 0). */
  readonly rootOrdinal: number;
  /** Bytes read from the file. */
  readonly byteLength: number;
  readonly path: string;
}

export interface ReadOptions {
  /** false: skip edges (and firstEdge) entirely, for a baseline where only ids, names and sizes are needed. Default true. */
  edges?: boolean;
  /**
   * Sees the nodes a batch at a time as they are read, instead of keeping them (the snapshot's
   * node columns are then empty, and locations are skipped): a census of a baseline without
   * holding its nodes. Needs `{ edges: false }`. Names are checked against the strings only
   * after the last batch.
   */
  visitNodes?: (batch: NodeBatch) => void;
  /** Called with bytes read so far (at most every 4 MB, and once at the end), for progress. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** Bytes per read (default 1 MiB: small enough to stay in cache). Tests use tiny sizes to put chunk boundaries everywhere. */
  chunkSize?: number;
}

/** The "snapshot" header is ~1 KB in practice; anything near this is not a heap snapshot. */
const HEADER_LIMIT = 16 * 1024 * 1024;

/**
 * Reads and checks a .heapsnapshot file. Throws SnapshotFormatError for anything malformed (and
 * for a directory or other non-file), the usual fs errors (ENOENT, EACCES, EISDIR...) as they
 * come, and the signal's reason (an AbortError) when aborted.
 */
export async function readHeapSnapshot(path: string, options: ReadOptions = {}): Promise<HeapSnapshot> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a whole number ≥ 1, got ${chunkSize}`);
  if (options.visitNodes !== undefined && options.edges !== false) throw new RangeError("visitNodes needs { edges: false }");
  options.signal?.throwIfAborted();
  // Checked before opening: opening a FIFO would wait for a writer.
  const info = await stat(path);
  if (!info.isFile()) throw new SnapshotFormatError(path, 0, "not a file", info.isDirectory() ? "a directory" : info.isFIFO() ? "a named pipe" : undefined);
  const file = await open(path, "r");
  try {
    const reader = new ByteReader(file, path, (await file.stat()).size, { chunkSize, onProgress: options.onProgress, signal: options.signal });
    return await parse(reader, options.edges !== false, options.visitNodes);
  } finally {
    await file.close();
  }
}

async function parse(r: ByteReader, wantEdges: boolean, visit: ((batch: NodeBatch) => void) | undefined): Promise<HeapSnapshot> {
  const first = await r.peek();
  if (first === -1) r.fail(r.bytesRead === 0 ? "empty file" : "only whitespace in the file", r.end);
  if (first !== 0x7b) r.fail(`not a heap snapshot: expected "{", found ${show(r)}`);
  r.pos++;
  if ((await r.peek()) !== 0x22) r.fail(`not a heap snapshot: expected the "snapshot" key, found ${show(r)}`);
  const firstKey = await r.readString("in the first key");
  if (firstKey !== "snapshot") r.fail(`not a heap snapshot: the first key is ${quote(firstKey)}, expected "snapshot"`, r.pos - 1);
  await r.expect(0x3a, '":"', 'after "snapshot"');
  await r.peek();
  const headerAt = r.base + r.pos;
  const chunks: Buffer[] = [];
  await r.skipValue('the "snapshot" header', { chunks, limit: HEADER_LIMIT });
  const layout = checkHeader(parseHeader(r.path, chunks, headerAt), r.path, headerAt);

  const at = new Map<string, number>(); // byte offset of each top-level value, for messages after reading
  const failAt: Fail = (key, problem) => {
    throw new SnapshotFormatError(r.path, at.get(key) ?? 0, problem, `in the ${quote(key)} array that starts here`);
  };
  const nodeFieldCount = layout.nodeFields.length;
  const edgeFieldCount = layout.edgeFields.length;
  // Each value takes at least 2 bytes ("0,"): a header that declares more (corrupt, or a truncated
  // file) gets arrays the file can fill, and fails with a count mismatch or at the end of file.
  const fits = Math.floor(r.totalBytes / 2) + 1;
  const nodeCapacity = Math.min(layout.nodeCount, Math.ceil(fits / nodeFieldCount));
  const edgeCapacity = wantEdges ? Math.min(layout.edgeCount, Math.ceil(fits / edgeFieldCount)) : 0;
  const nodes = allocate(r, "nodes", nodeCapacity, () => nodeColumns(visit === undefined ? nodeCapacity : BATCH_RECORDS));
  const firstEdge = wantEdges ? allocate(r, "nodes", nodeCapacity + 1, () => new Uint32Array(nodeCapacity + 1)) : undefined;
  const edges = wantEdges ? allocate(r, "edges", edgeCapacity, () => edgeColumns(edgeCapacity, layout.edgeTypes.length)) : undefined;
  const nodeTally: NodeTally = { edgeSum: 0, maxName: -1, maxNameAt: 0 };
  const edgeTally: EdgeTally = { maxName: -1, maxNameAt: 0 };
  const nodeSink: UintSink = {
    values: new Uint32Array(nodeFieldCount * BATCH_RECORDS),
    count: 0,
    drained: 0,
    limit: nodeCapacity * nodeFieldCount,
    drain: nodeDrain(layout, nodes, firstEdge, nodeTally, failAt, visit),
    label: "node",
  };
  const edgeSink: UintSink = {
    values: new Uint32Array(wantEdges ? edgeFieldCount * BATCH_RECORDS : 0),
    count: 0,
    drained: 0,
    limit: edgeCapacity * edgeFieldCount,
    drain: edges === undefined ? undefined : edgeDrain(layout, edges, edgeTally, failAt),
    label: "edge",
  };
  // V8 writes a location per function, far fewer than one value per node: pages never written
  // cost neither time nor RSS, so this rarely grows.
  // A visit (a baseline's census) has no use for them: they place closures for retainer paths.
  const wantLocations = visit === undefined && layout.locationFields.length > 0;
  const locationSink: UintSink = { values: new Uint32Array(wantLocations ? Math.max(1024, Math.min(layout.nodeCount, fits)) : 0), count: 0, drained: 0, limit: Infinity, label: "location" };
  const strings = new StringTableBuilder();

  for (;;) {
    const c = await r.peek();
    if (c === 0x7d) {
      r.pos++;
      break;
    }
    if (c === -1) r.failEof(`expected "," or "}" after the ${[...at.keys()].pop() ?? "snapshot"} value`);
    if (c !== 0x2c) r.fail(`expected "," or "}" between top-level values, found ${show(r)}`);
    r.pos++;
    const k = await r.peek();
    if (k === -1) r.failEof("expected a key");
    if (k !== 0x22) r.fail(`expected a key string, found ${show(r)}`);
    const keyAt = r.pos;
    const key = await r.readString("in a top-level key");
    if (at.has(key)) r.fail(`duplicate key ${quote(key)}`, keyAt);
    await r.expect(0x3a, '":"', `after ${quote(key)}`);
    const valueAt = await r.peek();
    at.set(key, r.base + r.pos);
    const isArray = valueAt === 0x5b;
    if (key === "nodes" || key === "edges" || key === "strings" || (key === "locations" && layout.locationFields.length > 0)) {
      if (valueAt === -1) r.failEof(`expected the ${quote(key)} array`);
      if (!isArray) r.fail(`expected "[" to start the ${quote(key)} array, found ${show(r)}`);
    }
    if (key === "nodes") await readCounted(r, nodeSink, layout.nodeCount, nodeFieldCount, "snapshot.node_count");
    else if (key === "edges" && wantEdges) await readCounted(r, edgeSink, layout.edgeCount, edgeFieldCount, "snapshot.edge_count");
    else if (key === "edges") await r.skipArray("edge");
    else if (key === "strings") await r.readStrings(strings);
    else if (key === "locations" && isArray && wantLocations) await r.readUints(locationSink, undefined);
    else if (key === "locations" && isArray && layout.locationFields.length > 0) await r.skipArray("location");
    else await r.skipValue(`the ${quote(key)} value`);
  }
  if ((await r.peek()) !== -1) r.fail(`unexpected data after the end of the snapshot: ${show(r)}`);
  for (const key of ["nodes", "edges", "strings"]) {
    if (!at.has(key)) r.fail(`no ${quote(key)} array in the snapshot`, r.end);
  }

  const stringCount = strings.length;
  if (nodeTally.maxName >= stringCount) failAt("nodes", `node ${nodeTally.maxNameAt} has name ${nodeTally.maxName}, but there are ${stringCount} strings`);
  if (nodeTally.edgeSum !== layout.edgeCount) failAt("nodes", `the nodes' edge_count fields add up to ${nodeTally.edgeSum}, but snapshot.edge_count is ${layout.edgeCount}`);
  if (edgeTally.maxName >= stringCount) failAt("edges", `edge ${edgeTally.maxNameAt} has name ${edgeTally.maxName}, but there are ${stringCount} strings`);
  const locations = toOrdinals(locationSink, layout, failAt);
  let rootOrdinal = 0;
  if (layout.rootIndex !== undefined) {
    rootOrdinal = layout.rootIndex / nodeFieldCount;
    if (!Number.isInteger(rootOrdinal) || rootOrdinal >= layout.nodeCount) {
      throw new SnapshotFormatError(r.path, headerAt, `snapshot.root_index ${layout.rootIndex} is not the start of a node`);
    }
  }
  return {
    nodeFields: layout.nodeFields,
    edgeFields: layout.edgeFields,
    nodeTypes: layout.nodeTypes,
    edgeTypes: layout.edgeTypes,
    nodeFieldCount,
    edgeFieldCount,
    nodeCount: layout.nodeCount,
    edgeCount: layout.edgeCount,
    nodes: visit === undefined ? nodes : nodeColumns(0),
    edges,
    firstEdge,
    strings: strings.finish(),
    locations,
    locationFields: layout.locationFields,
    rootOrdinal,
    byteLength: r.bytesRead,
    path: r.path,
  };
}

/** `make()`, or a SnapshotFormatError saying the array of `length` records is too large to hold. */
function allocate<T>(r: ByteReader, what: string, length: number, make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new SnapshotFormatError(r.path, r.base + r.pos, `the ${what} array (${length} records) is too large to hold in memory`, (error as Error).message);
  }
}

/** A nodes/edges array whose length the header declared: exactly count × fields values. */
async function readCounted(r: ByteReader, sink: UintSink, count: number, fields: number, declared: string): Promise<void> {
  await r.readUints(sink, count * fields);
  if (sinkTotal(sink) !== count * fields) {
    r.fail(`the ${sink.label}s array has ${sinkTotal(sink)} values, but ${declared} says ${count} ${sink.label}s of ${fields} fields (${count * fields} values)`, r.pos - 1);
  }
}

/** Locations (a view of the values read, no copy), object_index converted to a node ordinal. */
function toOrdinals(sink: UintSink, layout: Layout, fail: Fail): Uint32Array {
  const fields = layout.locationFields.length;
  if (fields === 0 || sink.count === 0) return new Uint32Array(0);
  if (sink.count % fields !== 0) fail("locations", `${sink.count} values is not a whole number of ${fields}-field locations`);
  const locations = sink.values.subarray(0, sink.count);
  const objectIndex = layout.locationFields.indexOf("object_index");
  const nodeFields = layout.nodeFields.length;
  for (let k = objectIndex; k < locations.length; k += fields) {
    const to = Math.floor(locations[k] / nodeFields);
    if (to * nodeFields !== locations[k] || to >= layout.nodeCount) fail("locations", `location ${(k - objectIndex) / fields} points to ${locations[k]}, which is not the start of a node`);
    locations[k] = to;
  }
  return locations;
}

/** The name of node `node` (an ordinal): constructor name for objects, the text for strings. */
export function nodeName(s: HeapSnapshot, node: number): string {
  return s.strings.get(s.nodes.name[node]);
}

/** The type of node `node`: "object", "closure", "string", "hidden", ... */
export function nodeTypeName(s: HeapSnapshot, node: number): string {
  return s.nodeTypes[s.nodes.type[node]];
}

/** The stable object id of node `node` (the same object keeps it across snapshots of one process). */
export function nodeId(s: HeapSnapshot, node: number): number {
  return s.nodes.id[node];
}

/** The shallow size of node `node` in bytes. */
export function nodeSelfSize(s: HeapSnapshot, node: number): number {
  return selfSizeOf(s.nodes, node);
}

/** The type of edge `edge` (an edge ordinal) as an index into edgeTypes. */
export function edgeType(s: HeapSnapshot, edge: number): number {
  const edges = edgesOf(s);
  return edges.link[edge] & edges.typeMask;
}

/** The type of edge `edge`: "property", "element", "context", "internal", ... */
export function edgeTypeName(s: HeapSnapshot, edge: number): string {
  return s.edgeTypes[edgeType(s, edge)];
}

/** The name of edge `edge`: the string for named edges, the index as text for element and hidden edges. */
export function edgeName(s: HeapSnapshot, edge: number): string {
  const value = edgesOf(s).nameOrIndex[edge];
  const type = edgeTypeName(s, edge);
  return type === "element" || type === "hidden" ? String(value) : s.strings.get(value);
}

/** The node ordinal edge `edge` points to. */
export function edgeTarget(s: HeapSnapshot, edge: number): number {
  const edges = edgesOf(s);
  return edges.link[edge] >>> edges.typeBits;
}

function edgesOf(s: HeapSnapshot): EdgeColumns {
  if (s.edges === undefined) throw new Error(`${s.path} was read with { edges: false }: it has no edges to look at`);
  return s.edges;
}

/** The byte at the reader's position, for a message. */
function show(r: ByteReader): string {
  return showByte(r.pos < r.end ? r.buf[r.pos] : -1);
}
