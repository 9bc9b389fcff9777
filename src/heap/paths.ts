// Retainer paths as a developer reads them: the variable or property that holds an
// object, the closure (with its source location) whose scope holds that variable, and
// names for the Socket.IO and Node internals on the way.

import fs from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RetainerStep } from "./model.js";
import { classNameOf } from "./census.js";
import { NO_NODE, type FullSnapshot, type ShortestPaths } from "./graph.js";
import { edgeName, nodeName, nodeTypeName } from "./snapshot.js";

/** Node types that are V8's own bookkeeping: folded into the edge names around them. */
const INTERNAL_TYPES = new Set(["hidden", "array", "code", "object shape", "synthetic"]);

/** How many holders a path shows, counted back from the object. */
const MAX_STEPS = 7;

export class PathRenderer {
  // Lookups already made: a scan of every closure or location costs a few ms, a Map of all of them megabytes.
  private readonly locationAt = new Map<number, number>();
  private readonly sourceMaps = new Map<string, SourceMap | null>();
  private readonly closureByContext = new Map<number, number>();
  private readonly namedTypes: Uint8Array;
  private readonly indexEdgeTypes: Uint8Array;
  private readonly blurred = new Map<number, number>();
  private readonly blurredIds = new Map<string, number>();
  // shapeOf's cache of the hash above a holder, direct-mapped by node: survivors share holders (a Map's table, an array's elements).
  private readonly aboveNode = new Uint32Array(4096).fill(NO_NODE);
  private readonly aboveA = new Int32Array(4096);
  private readonly aboveB = new Int32Array(4096);
  // The two int32 lanes of the hash above() computed last.
  private laneA = 0;
  private laneB = 0;

  constructor(
    private readonly snapshot: FullSnapshot,
    private readonly paths: ShortestPaths,
    private readonly cwd = process.cwd(),
  ) {
    this.namedTypes = Uint8Array.from(snapshot.nodeTypes, (type) => (type === "object" || type === "native" ? 1 : 0));
    this.indexEdgeTypes = Uint8Array.from(snapshot.edgeTypes, (type) => (type === "element" || type === "hidden" ? 1 : 0));
  }

  /** The shortest strong path from the GC roots to `node`, compacted, the object itself last. */
  stepsTo(node: number): RetainerStep[] {
    const chain: { holder: number; edge: number }[] = [];
    for (let current = node, holder = this.paths.parentOf(node); holder !== NO_NODE && chain.length < 64; current = holder, holder = this.paths.parentOf(holder)) {
      chain.push({ holder, edge: this.paths.parentEdge[current] });
    }
    chain.reverse();
    const steps: RetainerStep[] = [];
    let pendingEdges: string[] = [];
    for (const { holder, edge } of chain) {
      const type = nodeTypeName(this.snapshot, holder);
      const edgeText = this.edgeText(edge);
      // V8's internal arrays and hash tables (a Map's table, an array's elements) and the
      // synthetic roots are not what a developer names: fold them into the edge.
      if (INTERNAL_TYPES.has(type) || holder === this.snapshot.rootOrdinal) {
        if (steps.length > 0) pendingEdges.push(edgeText);
        continue;
      }
      if (pendingEdges.length > 0 && steps.length > 0) {
        foldEdges(steps[steps.length - 1], pendingEdges);
        pendingEdges = [];
      }
      steps.push(this.step(holder, edgeText));
    }
    if (pendingEdges.length > 0 && steps.length > 0) foldEdges(steps[steps.length - 1], pendingEdges);
    const last = this.step(node, "");
    if (last.node === "Object") last.node = this.preview(node);
    steps.push(last);
    return steps.length > MAX_STEPS + 1 ? [{ node: "…", edge: "" }, ...steps.slice(-(MAX_STEPS + 1))] : steps;
  }

  /**
   * One line, each object named by the edge that reaches it:
   * `store (SessionStore, in closure at src/server/app.ts:40) → activeSessions (Map) → [entry] (Object { id, candidateId })`.
   */
  static text(steps: RetainerStep[]): string {
    const tokens: string[] = [];
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index];
      const previous = steps[index - 1];
      const next = steps[index + 1];
      if (step.node === "(context)") continue; // shown through the variable it holds
      // A closure whose scope comes next: its location is told with the variable.
      const located = step.location && next?.node !== "(context)" ? ` at ${step.location}` : "";
      const what = `${describe(step)}${located}`;
      if (!previous || previous.node === "…") tokens.push(what);
      else if (previous.node === "(context)") {
        const closure = previous.label ? `closure ${previous.label}` : "a closure";
        tokens.push(`${previous.edge} (${what}, in ${closure}${previous.location ? ` at ${previous.location}` : ""})`);
      } else tokens.push(`${previous.edge} (${what})`);
    }
    return tokens.join(" → ");
  }

  /**
   * A key for "the same kind of path": the object's class and, for up to `depth` holders,
   * the edge (element indices, and digits in property names, blurred) and the holder's
   * class. 64 bits, written to key[0] and key[1], hashed from the snapshot's own indices
   * without allocating: survivors run to millions.
   */
  shapeOf(node: number, key: Int32Array, depth = 6): void {
    const holder = this.paths.parentOf(node);
    const own = this.linkHash(node, holder);
    if (holder === NO_NODE) {
      this.laneA = 0;
      this.laneB = 0;
    } else this.above(holder, depth - 1);
    key[0] = Math.imul(own ^ this.laneA, 0x01000193);
    key[1] = Math.imul((own + this.laneB) | 0, 0x5bd1e995) ^ (own >>> 15);
  }

  /**
   * The two lanes of the hash of `node`'s class and of the path above it for `depth` more
   * holders, left in laneA and laneB (cached for depth 5, the one shapeOf asks for).
   */
  private above(node: number, depth: number): void {
    const slot = node & 4095;
    if (depth === 5 && this.aboveNode[slot] === node) {
      this.laneA = this.aboveA[slot];
      this.laneB = this.aboveB[slot];
      return;
    }
    const holder = depth > 0 ? this.paths.parentOf(node) : NO_NODE;
    const own = this.linkHash(node, holder);
    if (holder === NO_NODE) {
      this.laneA = 1;
      this.laneB = 1;
    } else this.above(holder, depth - 1);
    const a = Math.imul(own ^ this.laneA, 0x01000193);
    const b = Math.imul((own + this.laneB) | 0, 0x5bd1e995) ^ (own >>> 15);
    this.laneA = a;
    this.laneB = b;
    if (depth === 5) {
      this.aboveNode[slot] = node;
      this.aboveA[slot] = a;
      this.aboveB[slot] = b;
    }
  }

  /** One link of a shape: the node's class and, when it has a holder, the edge from it. */
  private linkHash(node: number, holder: number): number {
    let hash = Math.imul(this.classKey(node) ^ 0x9e3779b9, 0x01000193);
    if (holder === NO_NODE) return hash;
    const { link, nameOrIndex, typeMask } = this.snapshot.edges;
    const edge = this.paths.parentEdge[node];
    const type = link[edge] & typeMask;
    hash = Math.imul(hash ^ (type + 1), 0x5bd1e995);
    if (!this.indexEdgeTypes[type]) hash = Math.imul(hash ^ this.blurredName(nameOrIndex[edge]), 0x01000193);
    return hash;
  }

  /** Nodes of one class share this number: the constructor's name for objects, the type for the rest. */
  private classKey(node: number): number {
    const type = this.snapshot.nodes.type[node];
    return this.namedTypes[type] ? (this.snapshot.nodes.name[node] + 1) * 64 + type : type;
  }

  /** A string index → the index of its first equal-up-to-digits string (cached). */
  private blurredName(index: number): number {
    const cached = this.blurred.get(index);
    if (cached !== undefined) return cached;
    const text = (index < this.snapshot.strings.length ? this.snapshot.strings.get(index) : "").replace(/\d+/g, "#");
    let id = this.blurredIds.get(text);
    if (id === undefined) this.blurredIds.set(text, (id = this.blurredIds.size + 1));
    this.blurred.set(index, id);
    return id;
  }

  private step(node: number, edge: string): RetainerStep {
    const snapshot = this.snapshot;
    const type = nodeTypeName(snapshot, node);
    const name = this.name(node);
    if (type === "closure") {
      return { node: `(closure)${name ? ` ${name}` : ""}`, edge, location: this.locationOf(node), label: this.label(node, name) };
    }
    if (name === "system / Context") {
      // The scope of the closure that holds it: name it after that closure (the path may
      // reach the scope another way, e.g. from a module's code: then any closure over it).
      const holder = this.paths.parentOf(node);
      const closure = holder !== NO_NODE && nodeTypeName(snapshot, holder) === "closure" ? holder : this.closureOver(node);
      const closureName = closure === NO_NODE ? "" : this.name(closure);
      return {
        node: "(context)",
        edge,
        location: closure === NO_NODE ? undefined : this.locationOf(closure),
        label: closureName || undefined,
      };
    }
    return { node: classNameOf(snapshot, node), edge, label: this.label(node, name) };
  }

  /** A closure whose scope is `context`, preferring a named one (the first in node order); NO_NODE if none. */
  private closureOver(context: number): number {
    const known = this.closureByContext.get(context);
    if (known !== undefined) return known;
    const snapshot = this.snapshot;
    const closureType = snapshot.nodeTypes.indexOf("closure");
    const types = snapshot.nodes.type;
    let found = NO_NODE;
    for (let node = 0; node < snapshot.nodeCount; node++) {
      if (types[node] !== closureType || this.edgeNamed(node, "context") !== context) continue;
      if (this.name(node)) {
        found = node;
        break;
      }
      if (found === NO_NODE) found = node;
    }
    this.closureByContext.set(context, found);
    return found;
  }

  /** Names for internals a Socket.IO user recognises, by constructor and the properties they carry. */
  private label(node: number, name: string): string | undefined {
    const has = (property: string) => this.edgeNamed(node, property) !== NO_NODE;
    const via = this.incomingEdgeName(node);
    switch (name) {
      case "Socket":
        if (has("nsp") && has("client")) return "Socket.IO Socket";
        if (has("transport") && has("server")) return "engine.io Socket";
        if (has("_handle")) return "net.Socket";
        return undefined;
      case "Namespace":
        return has("adapter") ? "Socket.IO Namespace" : undefined;
      case "Adapter":
      case "SessionAwareAdapter":
        return has("rooms") && has("sids") ? "Socket.IO Adapter" : undefined;
      case "Client":
        return has("conn") && has("sockets") ? "Socket.IO Client" : undefined;
      case "Server":
        if (has("_nsps") || has("engine")) return "Socket.IO Server";
        if (has("clients") && has("clientsCount")) return "engine.io Server";
        return undefined;
      case "IncomingMessage":
        return via === "request" || via === "req" ? "the handshake's HTTP request" : undefined;
      case "Timeout":
        return /ping/i.test(via ?? "") ? "ping timer" : undefined;
      case "WebSocket":
        return "ws WebSocket";
      default:
        return via === "_events" ? "listeners" : undefined;
    }
  }

  /** An edge as a path shows it: the property or variable name, `[3]` for an element. */
  private edgeText(edge: number): string {
    const name = edgeName(this.snapshot, edge);
    const { link, typeMask } = this.snapshot.edges;
    return this.indexEdgeTypes[link[edge] & typeMask] ? `[${name}]` : name;
  }

  private incomingEdgeName(node: number): string | undefined {
    const edge = this.paths.parentEdge[node];
    return edge === NO_NODE ? undefined : this.edgeText(edge);
  }

  /** The node `node` points to by a property/internal edge called `name`, or NO_NODE. */
  private edgeNamed(node: number, name: string): number {
    const snapshot = this.snapshot;
    const { link, nameOrIndex, typeBits, typeMask } = snapshot.edges;
    for (let edge = snapshot.firstEdge[node], end = snapshot.firstEdge[node + 1]; edge < end; edge++) {
      if (this.indexEdgeTypes[link[edge] & typeMask]) continue;
      if (snapshot.strings.equals(nameOrIndex[edge], name)) return link[edge] >>> typeBits;
    }
    return NO_NODE;
  }

  /** `file:line` of a closure: the script's name through shared → script → name, the line from the locations table. */
  private locationOf(closure: number): string | undefined {
    const snapshot = this.snapshot;
    const fields = snapshot.locationFields;
    if (snapshot.locations.length === 0 || fields.length === 0) return undefined;
    const at = this.locationRecord(closure);
    if (at === -1) return undefined;
    const line = snapshot.locations[at + fields.indexOf("line")];
    const column = snapshot.locations[at + fields.indexOf("column")];
    // V8 names the Script node after its file; older versions hang the name off a "name" edge.
    const shared = this.edgeNamed(closure, "shared");
    let script = shared === NO_NODE ? NO_NODE : this.edgeNamed(shared, "script_or_debug_info");
    if (script === NO_NODE && shared !== NO_NODE) script = this.edgeNamed(shared, "script");
    if (script === NO_NODE) return undefined;
    let file = this.name(script);
    if (!file || file.startsWith("system /")) {
      const name = this.edgeNamed(script, "name");
      file = name === NO_NODE ? "" : this.name(name);
    }
    if (!file) return undefined;
    const original = this.sourceMapped(file, line, column);
    return original ?? `${this.shortFile(file)}:${line + 1}`;
  }

  /** Where `node`'s record starts in the locations table (its last one), or -1. */
  private locationRecord(node: number): number {
    let at = this.locationAt.get(node);
    if (at === undefined) {
      const { locations, locationFields } = this.snapshot;
      const stride = locationFields.length;
      const objectOffset = locationFields.indexOf("object_index");
      at = -1;
      for (let index = locations.length - stride; index >= 0; index -= stride) {
        if (locations[index + objectOffset] === node) {
          at = index;
          break;
        }
      }
      this.locationAt.set(node, at);
    }
    return at;
  }

  private name(node: number): string {
    return nodeName(this.snapshot, node) ?? "";
  }

  /** `Object { id, candidateId, questions }`: a plain object is known by its first properties. */
  private preview(node: number): string {
    const snapshot = this.snapshot;
    const propertyType = snapshot.edgeTypes.indexOf("property");
    const { link, nameOrIndex, typeMask } = snapshot.edges;
    const names: string[] = [];
    for (let edge = snapshot.firstEdge[node], end = snapshot.firstEdge[node + 1]; edge < end && names.length < 4; edge++) {
      if ((link[edge] & typeMask) !== propertyType) continue;
      const name = snapshot.strings.get(nameOrIndex[edge]);
      if (name && name !== "__proto__") names.push(name);
    }
    return names.length > 0 ? `Object { ${names.join(", ")} }` : "Object";
  }

  /** `src/server/http.ts:12` for a compiled file with a source map beside it (tsc's `sourceMap`). */
  private sourceMapped(file: string, line: number, column: number): string | undefined {
    let absolute = file;
    try {
      if (file.startsWith("file://")) absolute = fileURLToPath(file);
    } catch {
      return undefined;
    }
    if (!path.isAbsolute(absolute)) return undefined;
    let map = this.sourceMaps.get(absolute);
    if (map === undefined) {
      map = null;
      try {
        map = new SourceMap(JSON.parse(fs.readFileSync(`${absolute}.map`, "utf8")));
      } catch {
        // no map, or not one we can read: the compiled location stands
      }
      this.sourceMaps.set(absolute, map);
    }
    const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
    if (!entry?.originalSource || entry.originalLine === undefined) return undefined;
    const source = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(absolute), entry.originalSource);
    return `${this.shortFile(source)}:${entry.originalLine + 1}`;
  }

  private shortFile(file: string): string {
    let absolute = file;
    if (file.startsWith("file://")) {
      try {
        absolute = fileURLToPath(file);
      } catch {
        return file;
      }
    }
    if (!path.isAbsolute(absolute)) return absolute;
    const relative = path.relative(this.cwd, absolute);
    return relative.startsWith("..") ? absolute : relative;
  }
}

/** A step's object: the name users know it by (a label like "Socket.IO Socket") or its constructor. */
function describe(step: RetainerStep): string {
  return step.label && step.label !== "listeners" ? step.label : step.node;
}

/** Appends the edges through V8's internal arrays to a step's edge; a Map's or Set's hash table is one entry. */
function foldEdges(step: RetainerStep, edges: string[]): void {
  if (/^(Map|Set|WeakMap|WeakSet)$/.test(step.node) && step.edge === "table") {
    step.edge = "[entry]";
    return;
  }
  step.edge = [step.edge, ...edges].filter(Boolean).join(".").replace(/\.\[/g, "[");
}
