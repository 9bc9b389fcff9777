// Reads a V8 .heapsnapshot into flat typed arrays, streaming the file in big chunks: no
// whole-file string and no JSON.parse of the file (a snapshot can be larger than V8's ~512 MB
// string limit). Field layouts come from the file's own snapshot.meta, never hard-coded.
import { open, stat } from "node:fs/promises";
import { SnapshotFormatError, showByte } from "./format-error.js";
import { ByteReader, DEFAULT_CHUNK_SIZE, type UintSink } from "./json-bytes.js";

export { SnapshotFormatError } from "./format-error.js";

export interface HeapSnapshot {
  /** Names from the file's own snapshot.meta (never hard-code the layout). */
  readonly nodeFields: readonly string[];
  readonly edgeFields: readonly string[];
  /** Enum names of the node "type" field and of the edge "type" field. */
  readonly nodeTypes: readonly string[];
  readonly edgeTypes: readonly string[];
  readonly nodeFieldCount: number;
  readonly edgeFieldCount: number;
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** Flat node records: nodeCount * nodeFieldCount values, layout per nodeFields. */
  readonly nodes: Uint32Array;
  /** Flat edge records: edgeCount * edgeFieldCount; to_node is a node ordinal (file value / nodeFieldCount). Undefined with `{ edges: false }`. */
  readonly edges: Uint32Array | undefined;
  /** firstEdge[i] .. firstEdge[i+1] are node i's edges as edge ordinals; length nodeCount + 1. */
  readonly firstEdge: Uint32Array | undefined;
  readonly strings: readonly string[];
  /** Flat location records per locationFields (object_index converted to a node ordinal), or empty. */
  readonly locations: Uint32Array;
  readonly locationFields: readonly string[];
  /** Field offsets inside a node/edge record; -1 when the file has no such field. */
  readonly nodeOffsets: NodeOffsets;
  readonly edgeOffsets: EdgeOffsets;
  /** Ordinal of the root node (snapshot.root_index / nodeFieldCount when present, else 0). */
  readonly rootOrdinal: number;
  /** Bytes read from the file. */
  readonly byteLength: number;
  readonly path: string;
}

export interface NodeOffsets {
  type: number;
  name: number;
  id: number;
  selfSize: number;
  edgeCount: number;
  traceNodeId: number;
  detachedness: number;
}

export interface EdgeOffsets {
  type: number;
  nameOrIndex: number;
  toNode: number;
}

export interface ReadOptions {
  /** false: skip edges (and firstEdge) entirely, for a baseline where only ids, names and sizes are needed. Default true. */
  edges?: boolean;
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
  options.signal?.throwIfAborted();
  // Checked before opening: opening a FIFO would wait for a writer.
  const info = await stat(path);
  if (!info.isFile()) throw new SnapshotFormatError(path, 0, "not a file", info.isDirectory() ? "a directory" : info.isFIFO() ? "a named pipe" : undefined);
  const file = await open(path, "r");
  try {
    const reader = new ByteReader(file, path, (await file.stat()).size, { chunkSize, onProgress: options.onProgress, signal: options.signal });
    return await parse(reader, options.edges !== false);
  } finally {
    await file.close();
  }
}

interface Layout {
  nodeFields: string[];
  edgeFields: string[];
  nodeTypes: string[];
  edgeTypes: string[];
  locationFields: string[];
  nodeCount: number;
  edgeCount: number;
  rootIndex: number | undefined;
}

async function parse(r: ByteReader, wantEdges: boolean): Promise<HeapSnapshot> {
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
  const layout = checkHeader(parseHeader(r, chunks, headerAt), r, headerAt);

  const nodeFieldCount = layout.nodeFields.length;
  const edgeFieldCount = layout.edgeFields.length;
  // Each value takes at least 2 bytes ("0,"): a header that declares more (corrupt, or a truncated
  // file) gets arrays the file can fill, and fails with a count mismatch or at the end of file.
  const fits = Math.floor(r.totalBytes / 2) + 1;
  const nodeSink: UintSink = { values: allocate(r, Math.min(layout.nodeCount * nodeFieldCount, fits), "nodes"), count: 0, growable: false, label: "node" };
  const edgeSink: UintSink = { values: allocate(r, wantEdges ? Math.min(layout.edgeCount * edgeFieldCount, fits) : 0, "edges"), count: 0, growable: false, label: "edge" };
  // V8 writes a location per function, far fewer than one value per node: pages never written
  // cost neither time nor RSS, so this rarely grows.
  const locationSink: UintSink = { values: allocate(r, Math.max(1024, Math.min(layout.nodeCount, fits)), "locations"), count: 0, growable: true, label: "location" };
  const strings: string[] = [];
  const at = new Map<string, number>(); // byte offset of each top-level value, for messages after reading

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
    else if (key === "locations" && isArray && layout.locationFields.length > 0) await r.readUints(locationSink, undefined);
    else await r.skipValue(`the ${quote(key)} value`);
  }
  if ((await r.peek()) !== -1) r.fail(`unexpected data after the end of the snapshot: ${show(r)}`);
  for (const key of ["nodes", "edges", "strings"]) {
    if (!at.has(key)) r.fail(`no ${quote(key)} array in the snapshot`, r.end);
  }

  const nodes = nodeSink.values;
  const nodeOffsets: NodeOffsets = {
    type: layout.nodeFields.indexOf("type"),
    name: layout.nodeFields.indexOf("name"),
    id: layout.nodeFields.indexOf("id"),
    selfSize: layout.nodeFields.indexOf("self_size"),
    edgeCount: layout.nodeFields.indexOf("edge_count"),
    traceNodeId: layout.nodeFields.indexOf("trace_node_id"),
    detachedness: layout.nodeFields.indexOf("detachedness"),
  };
  const edgeOffsets: EdgeOffsets = {
    type: layout.edgeFields.indexOf("type"),
    nameOrIndex: layout.edgeFields.indexOf("name_or_index"),
    toNode: layout.edgeFields.indexOf("to_node"),
  };
  const failAt = (key: string, problem: string): never => {
    throw new SnapshotFormatError(r.path, at.get(key) ?? 0, problem, `in the ${quote(key)} array that starts here`);
  };
  const firstEdge = checkNodes(nodes, layout, nodeOffsets, strings.length, wantEdges, failAt);
  const edges = wantEdges ? edgeSink.values : undefined;
  if (edges !== undefined) linkEdges(edges, layout, edgeOffsets, strings.length, failAt);
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
    nodes,
    edges,
    firstEdge,
    strings,
    locations,
    locationFields: layout.locationFields,
    nodeOffsets,
    edgeOffsets,
    rootOrdinal,
    byteLength: r.bytesRead,
    path: r.path,
  };
}

/** A typed array for `length` values, or a SnapshotFormatError saying it is too large to hold. */
function allocate(r: ByteReader, length: number, what: string): Uint32Array {
  try {
    return new Uint32Array(length);
  } catch (error) {
    throw new SnapshotFormatError(r.path, r.base + r.pos, `the ${what} array (${length} values) is too large to hold in memory`, (error as Error).message);
  }
}

/** A nodes/edges array whose length the header declared: exactly count × fields values. */
async function readCounted(r: ByteReader, sink: UintSink, count: number, fields: number, declared: string): Promise<void> {
  await r.readUints(sink, count * fields);
  if (sink.count !== count * fields) {
    r.fail(`the ${sink.label}s array has ${sink.count} values, but ${declared} says ${count} ${sink.label}s of ${fields} fields (${count * fields} values)`, r.pos - 1);
  }
}

function parseHeader(r: ByteReader, chunks: Buffer[], headerAt: number): unknown {
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new SnapshotFormatError(r.path, headerAt, 'the "snapshot" header is not valid JSON', (error as Error).message.split("\n")[0]);
  }
}

/** The layout the header declares, checked: required fields, enum names, whole-number counts. */
function checkHeader(header: unknown, r: ByteReader, headerAt: number): Layout {
  const bad = (problem: string): never => {
    throw new SnapshotFormatError(r.path, headerAt, `not a heap snapshot: ${problem}`, 'in the "snapshot" header that starts here');
  };
  if (!isObject(header) || !isObject(header.meta)) return bad("snapshot.meta is missing");
  const meta = header.meta;
  const nodeFields = stringList(meta.node_fields) ?? bad("snapshot.meta.node_fields is not a list of names");
  const edgeFields = stringList(meta.edge_fields) ?? bad("snapshot.meta.edge_fields is not a list of names");
  const locationFields = meta.location_fields === undefined ? [] : (stringList(meta.location_fields) ?? bad("snapshot.meta.location_fields is not a list of names"));
  for (const field of ["id", "name", "type", "self_size", "edge_count"]) {
    if (!nodeFields.includes(field)) bad(`snapshot.meta.node_fields has no ${quote(field)} (it has ${nodeFields.join(", ")})`);
  }
  for (const field of ["type", "name_or_index", "to_node"]) {
    if (!edgeFields.includes(field)) bad(`snapshot.meta.edge_fields has no ${quote(field)} (it has ${edgeFields.join(", ")})`);
  }
  if (locationFields.length > 0 && !locationFields.includes("object_index")) bad('snapshot.meta.location_fields has no "object_index"');
  const nodeTypes = enumNames(meta.node_types, nodeFields.indexOf("type")) ?? bad("snapshot.meta.node_types has no list of type names for the node type field");
  const edgeTypes = enumNames(meta.edge_types, edgeFields.indexOf("type")) ?? bad("snapshot.meta.edge_types has no list of type names for the edge type field");
  const count = (name: "node_count" | "edge_count"): number => {
    const value = header[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) return bad(`snapshot.${name} is ${JSON.stringify(value)}, expected a whole number`);
    return value;
  };
  const nodeCount = count("node_count");
  const edgeCount = count("edge_count");
  if (nodeCount === 0) bad("snapshot.node_count is 0");
  const rootIndex = header.root_index;
  if (rootIndex !== undefined && (typeof rootIndex !== "number" || !Number.isSafeInteger(rootIndex) || rootIndex < 0)) {
    bad(`snapshot.root_index is ${JSON.stringify(rootIndex)}, expected a whole number`);
  }
  return { nodeFields, edgeFields, nodeTypes, edgeTypes, locationFields, nodeCount, edgeCount, rootIndex: rootIndex as number | undefined };
}

type Fail = (key: string, problem: string) => never;

/**
 * Checks every node's type and name index, and that their edge_count fields add up to
 * edge_count; returns firstEdge (their running sum) when `withFirstEdge`.
 */
function checkNodes(nodes: Uint32Array, layout: Layout, o: NodeOffsets, stringCount: number, withFirstEdge: boolean, fail: Fail): Uint32Array | undefined {
  const fields = layout.nodeFields.length;
  const nodeCount = layout.nodeCount;
  const typeCount = layout.nodeTypes.length;
  const { type: typeAt, name: nameAt, edgeCount: countAt } = o;
  const firstEdge = withFirstEdge ? new Uint32Array(nodeCount + 1) : undefined;
  let sum = 0;
  for (let i = 0, n = 0; i < nodeCount; i++, n += fields) {
    if (nodes[n + typeAt] >= typeCount) fail("nodes", `node ${i} has type ${nodes[n + typeAt]}, but there are ${typeCount} node types`);
    if (nodes[n + nameAt] >= stringCount) fail("nodes", `node ${i} has name ${nodes[n + nameAt]}, but there are ${stringCount} strings`);
    sum += nodes[n + countAt];
    if (firstEdge !== undefined) firstEdge[i + 1] = sum;
  }
  if (sum !== layout.edgeCount) fail("nodes", `the nodes' edge_count fields add up to ${sum}, but snapshot.edge_count is ${layout.edgeCount}`);
  return firstEdge;
}

/** Checks every edge's type and name index, and turns to_node into a node ordinal. */
function linkEdges(edges: Uint32Array, layout: Layout, o: EdgeOffsets, stringCount: number, fail: Fail): void {
  const nodeFields = layout.nodeFields.length;
  const edgeFields = layout.edgeFields.length;
  const nodeCount = layout.nodeCount;
  const edgeCount = layout.edgeCount;
  const typeCount = layout.edgeTypes.length;
  const { type: typeAt, nameOrIndex: nameAt, toNode: toAt } = o;
  // element and hidden edges carry an index; every other type names a string.
  const named = Uint8Array.from(layout.edgeTypes, (type) => (type === "element" || type === "hidden" ? 0 : 1));
  // to_node / nodeFields by a multiplication: exact after rounding for any uint32 (the error is < 2^-20).
  const inverse = 1 / nodeFields;
  for (let e = 0, k = 0; e < edgeCount; e++, k += edgeFields) {
    const type = edges[k + typeAt];
    if (type >= typeCount) fail("edges", `edge ${e} has type ${type}, but there are ${typeCount} edge types`);
    if (named[type] === 1 && edges[k + nameAt] >= stringCount) fail("edges", `edge ${e} has name ${edges[k + nameAt]}, but there are ${stringCount} strings`);
    const raw = edges[k + toAt];
    const to = Math.round(raw * inverse);
    if (to * nodeFields !== raw || to >= nodeCount) fail("edges", `edge ${e} points to ${raw}, which is not the start of one of the ${nodeCount} nodes`);
    edges[k + toAt] = to;
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
  return s.strings[s.nodes[node * s.nodeFieldCount + s.nodeOffsets.name]];
}

/** The type of node `node`: "object", "closure", "string", "hidden", ... */
export function nodeTypeName(s: HeapSnapshot, node: number): string {
  return s.nodeTypes[s.nodes[node * s.nodeFieldCount + s.nodeOffsets.type]];
}

/** The stable object id of node `node` (the same object keeps it across snapshots of one process). */
export function nodeId(s: HeapSnapshot, node: number): number {
  return s.nodes[node * s.nodeFieldCount + s.nodeOffsets.id];
}

/** The shallow size of node `node` in bytes. */
export function nodeSelfSize(s: HeapSnapshot, node: number): number {
  return s.nodes[node * s.nodeFieldCount + s.nodeOffsets.selfSize];
}

/** The type of edge `edge` (an edge ordinal): "property", "element", "context", "internal", ... */
export function edgeTypeName(s: HeapSnapshot, edge: number): string {
  return s.edgeTypes[edgesOf(s)[edge * s.edgeFieldCount + s.edgeOffsets.type]];
}

/** The name of edge `edge`: the string for named edges, the index as text for element and hidden edges. */
export function edgeName(s: HeapSnapshot, edge: number): string {
  const value = edgesOf(s)[edge * s.edgeFieldCount + s.edgeOffsets.nameOrIndex];
  const type = edgeTypeName(s, edge);
  return type === "element" || type === "hidden" ? String(value) : s.strings[value];
}

/** The node ordinal edge `edge` points to. */
export function edgeTarget(s: HeapSnapshot, edge: number): number {
  return edgesOf(s)[edge * s.edgeFieldCount + s.edgeOffsets.toNode];
}

function edgesOf(s: HeapSnapshot): Uint32Array {
  if (s.edges === undefined) throw new Error(`${s.path} was read with { edges: false }: it has no edges to look at`);
  return s.edges;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : undefined;
}

/** meta.node_types / meta.edge_types: the entry at the type field's offset is the list of enum names. */
function enumNames(types: unknown, offset: number): string[] | undefined {
  return Array.isArray(types) ? stringList(types[offset]) : undefined;
}

/** The byte at the reader's position, for a message. */
function show(r: ByteReader): string {
  return showByte(r.pos < r.end ? r.buf[r.pos] : -1);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
