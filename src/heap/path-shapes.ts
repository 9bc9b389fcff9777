// "The same kind of path", as a 64-bit key: survivors are grouped by it. Hashed from the
// snapshot's own indices without allocating: survivors run to millions.

import { NO_NODE, type FullSnapshot, type ShortestPaths } from "./graph.js";

export class PathShapes {
  private readonly namedTypes: Uint8Array;
  private readonly indexEdgeTypes: Uint8Array;
  private readonly blurred = new Map<number, number>();
  private readonly blurredIds = new Map<string, number>();
  // The cache of the hash above a holder, direct-mapped by node: survivors share holders (a Map's table, an array's elements).
  private readonly aboveNode = new Uint32Array(4096).fill(NO_NODE);
  private readonly aboveA = new Int32Array(4096);
  private readonly aboveB = new Int32Array(4096);
  // The two int32 lanes of the hash above() computed last.
  private laneA = 0;
  private laneB = 0;

  constructor(
    private readonly snapshot: FullSnapshot,
    private readonly paths: ShortestPaths,
  ) {
    this.namedTypes = Uint8Array.from(snapshot.nodeTypes, (type) => (type === "object" || type === "native" ? 1 : 0));
    this.indexEdgeTypes = Uint8Array.from(snapshot.edgeTypes, (type) => (type === "element" || type === "hidden" ? 1 : 0));
  }

  /**
   * The object's class and, for up to `depth` holders, the edge (element indices, and digits in
   * property names, blurred) and the holder's class, written to key[0] and key[1].
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
}
