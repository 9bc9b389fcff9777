// The "snapshot" header of a .heapsnapshot file: the record layouts and counts the file
// declares in its own meta, checked before a single node is read.
import { SnapshotFormatError } from "./format-error.js";

/** What the header declares. Field names in the file's order; offsets are positions in a record. */
export interface Layout {
  nodeFields: string[];
  edgeFields: string[];
  nodeTypes: string[];
  edgeTypes: string[];
  locationFields: string[];
  nodeCount: number;
  edgeCount: number;
  rootIndex: number | undefined;
}

/** Node types are kept one byte each: a file with more names for them is not a V8 snapshot (V8 has 16). */
export const MAX_NODE_TYPES = 256;

/** The header's JSON text (captured bytes) parsed, or a SnapshotFormatError at `headerAt`. */
export function parseHeader(path: string, chunks: Buffer[], headerAt: number): unknown {
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new SnapshotFormatError(path, headerAt, 'the "snapshot" header is not valid JSON', (error as Error).message.split("\n")[0]);
  }
}

/** The layout the header declares, checked: required fields, enum names, whole-number counts. */
export function checkHeader(header: unknown, path: string, headerAt: number): Layout {
  const bad = (problem: string): never => {
    throw new SnapshotFormatError(path, headerAt, `not a heap snapshot: ${problem}`, 'in the "snapshot" header that starts here');
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
  if (nodeTypes.length > MAX_NODE_TYPES) bad(`snapshot.meta.node_types names ${nodeTypes.length} node types, more than ${MAX_NODE_TYPES}`);
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

/** A text for a message, shortened. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
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
