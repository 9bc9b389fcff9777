// The last snapshot as retainer-path code reads it: a node's name and class, its edges by
// name, and the holder its shortest path comes from. Lookups that scan the whole snapshot
// are cached: a path asks for the same scopes and closures again and again.

import { classNameOf } from "./census.js";
import { NO_NODE, type FullSnapshot, type ShortestPaths } from "./graph.js";
import { edgeName, edgeTypeName, nodeName, nodeTypeName } from "./snapshot.js";

export class PathView {
  /** Per edge type: 1 for element and hidden edges (an index, shown as `[3]`), 0 for named ones. */
  readonly indexEdgeTypes: Uint8Array;
  private readonly closureByContext = new Map<number, number>();
  private functionByScopeInfo: Map<number, number> | undefined;

  constructor(
    readonly snapshot: FullSnapshot,
    readonly paths: ShortestPaths,
  ) {
    this.indexEdgeTypes = Uint8Array.from(snapshot.edgeTypes, (type) => (type === "element" || type === "hidden" ? 1 : 0));
  }

  /** The node's name ("" for none): constructor for objects, the text for strings, the function's name for closures. */
  name(node: number): string {
    return nodeName(this.snapshot, node) ?? "";
  }

  /** "object", "closure", "hidden", ... */
  type(node: number): string {
    return nodeTypeName(this.snapshot, node);
  }

  /** The class DevTools groups the node under: "Map", "(closure)", "(string)". */
  className(node: number): string {
    return classNameOf(this.snapshot, node);
  }

  /** The node its shortest path comes from, or NO_NODE. */
  holder(node: number): number {
    return this.paths.parentOf(node);
  }

  /** An edge as a path shows it: the property or variable name, `[3]` for an element. */
  edgeText(edge: number): string {
    const name = edgeName(this.snapshot, edge);
    const { link, typeMask } = this.snapshot.edges;
    return this.indexEdgeTypes[link[edge] & typeMask] ? `[${name}]` : name;
  }

  /** "property", "element", "context", "internal", ... */
  edgeTypeName(edge: number): string {
    return edgeTypeName(this.snapshot, edge);
  }

  /** The name of the edge the shortest path reaches `node` by. */
  incomingEdge(node: number): string | undefined {
    const edge = this.paths.parentEdge[node];
    return edge === NO_NODE ? undefined : this.edgeText(edge);
  }

  /** The node `node` points to by a named edge called `name`, or NO_NODE. */
  edgeNamed(node: number, name: string): number {
    const snapshot = this.snapshot;
    const { link, nameOrIndex, typeBits, typeMask } = snapshot.edges;
    for (let edge = snapshot.firstEdge[node], end = snapshot.firstEdge[node + 1]; edge < end; edge++) {
      if (this.indexEdgeTypes[link[edge] & typeMask]) continue;
      if (snapshot.strings.equals(nameOrIndex[edge], name)) return link[edge] >>> typeBits;
    }
    return NO_NODE;
  }

  /** How many element edges `node` has: the length of an array as the heap holds it. */
  elementCount(node: number): number {
    const snapshot = this.snapshot;
    const element = snapshot.edgeTypes.indexOf("element");
    const { link, typeMask } = snapshot.edges;
    let count = 0;
    for (let edge = snapshot.firstEdge[node], end = snapshot.firstEdge[node + 1]; edge < end; edge++) if ((link[edge] & typeMask) === element) count++;
    return count;
  }

  /**
   * The name of the function whose scope `context` is: the function (SharedFunctionInfo) that
   * owns the scope's ScopeInfo is named after it. "" for an anonymous one or none found.
   */
  scopeFunctionName(context: number): string {
    const scopeInfo = this.edgeNamed(context, "scope_info");
    if (scopeInfo === NO_NODE) return "";
    this.functionByScopeInfo ??= this.indexScopeInfos();
    const owner = this.functionByScopeInfo.get(scopeInfo);
    const name = owner === undefined ? "" : this.name(owner);
    return name.startsWith("system /") || name.startsWith("(") ? "" : name;
  }

  /** ScopeInfo → the function that owns it (its `name_or_scope_info` edge), in one pass over the code nodes' first edges. */
  private indexScopeInfos(): Map<number, number> {
    const snapshot = this.snapshot;
    const found = new Map<number, number>();
    const [edgeName] = snapshot.strings.indicesOf(["name_or_scope_info"]);
    if (edgeName === -1) return found;
    const codeType = snapshot.nodeTypes.indexOf("code");
    const internalType = snapshot.edgeTypes.indexOf("internal");
    const { link, nameOrIndex, typeBits, typeMask } = snapshot.edges;
    const types = snapshot.nodes.type;
    for (let node = 0; node < snapshot.nodeCount; node++) {
      if (types[node] !== codeType) continue;
      // V8 writes a function's own fields first: its name_or_scope_info is among its first edges.
      for (let edge = snapshot.firstEdge[node], end = Math.min(snapshot.firstEdge[node + 1], edge + 2); edge < end; edge++) {
        if (nameOrIndex[edge] === edgeName && (link[edge] & typeMask) === internalType) found.set(link[edge] >>> typeBits, node);
      }
    }
    return found;
  }

  /** A closure whose scope is `context`, preferring a named one (the first in node order); NO_NODE if none. */
  closureOver(context: number): number {
    const known = this.closureByContext.get(context);
    if (known !== undefined) return known;
    const snapshot = this.snapshot;
    const closureType = snapshot.nodeTypes.indexOf("closure");
    const internalType = snapshot.edgeTypes.indexOf("internal");
    const [contextName] = snapshot.strings.indicesOf(["context"]);
    const { link, nameOrIndex, typeBits, typeMask } = snapshot.edges;
    const types = snapshot.nodes.type;
    let found = NO_NODE;
    for (let node = 0; node < snapshot.nodeCount && contextName !== -1; node++) {
      if (types[node] !== closureType) continue;
      let over = false;
      for (let edge = snapshot.firstEdge[node], end = snapshot.firstEdge[node + 1]; edge < end && !over; edge++) {
        over = nameOrIndex[edge] === contextName && (link[edge] & typeMask) === internalType && link[edge] >>> typeBits === context;
      }
      if (!over) continue;
      if (this.name(node)) {
        found = node;
        break;
      }
      if (found === NO_NODE) found = node;
    }
    this.closureByContext.set(context, found);
    return found;
  }
}
