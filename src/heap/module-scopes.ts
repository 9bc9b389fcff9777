// Module-level variables, named as such: a scope whose outer scope is the realm's own is a
// module's top level (CommonJS wraps each file in a function; an ES module has a context of
// its own), and an ES module's exported variables live in cells its module record names.

import { NO_NODE } from "./graph.js";
import type { PathView } from "./path-view.js";
import type { SourceLocations } from "./source-locations.js";

/** A module-level variable: its name and the file of its module (as V8 names the script). */
export interface ModuleVariable {
  name: string;
  file: string;
}

export class ModuleScopes {
  private readonly scopeFiles = new Map<number, string | null>();
  private exportsByCell: Map<number, { name: string; module: number }> | undefined;
  private urlByModule: Map<number, string> | undefined;

  constructor(
    private readonly view: PathView,
    private readonly locations: SourceLocations,
  ) {}

  /** The file of the module whose top-level scope `context` is; undefined for a function's scope. */
  fileOfScope(context: number): string | undefined {
    let file = this.scopeFiles.get(context);
    if (file === undefined) {
      file = null;
      const view = this.view;
      const previous = view.edgeNamed(context, "previous");
      if (previous !== NO_NODE && view.name(previous) === "system / NativeContext") {
        const extension = view.edgeNamed(context, "extension");
        if (extension !== NO_NODE && view.name(extension) === "system / SourceTextModule") file = this.moduleUrl(extension) ?? null;
        if (file === null) {
          const closure = view.closureOver(context);
          file = (closure === NO_NODE ? undefined : this.locations.scriptOf(closure)) ?? null;
        }
      }
      this.scopeFiles.set(context, file);
    }
    return file ?? undefined;
  }

  /** The exported variable whose cell `cell` is (an import of it reaches the same cell). */
  exportOf(cell: number): ModuleVariable | undefined {
    if (this.view.name(cell) !== "system / Cell") return undefined;
    this.exportsByCell ??= this.indexExports();
    const found = this.exportsByCell.get(cell);
    if (found === undefined) return undefined;
    const file = this.moduleUrl(found.module);
    return file === undefined ? undefined : { name: found.name, file };
  }

  /** The URL of an ES module record, from the ModuleWrap that holds it. */
  private moduleUrl(module: number): string | undefined {
    if (this.urlByModule === undefined) {
      this.urlByModule = new Map();
      for (const wrap of this.nodesNamed("ModuleWrap")) {
        const url = this.view.edgeNamed(wrap, "url");
        if (url === NO_NODE) continue;
        for (const target of this.targets(wrap)) if (this.view.name(target) === "system / SourceTextModule") this.urlByModule.set(target, this.view.name(url));
      }
    }
    return this.urlByModule.get(module);
  }

  /** Every module record's exports table: a name string, then its cell, in the table's element order. */
  private indexExports(): Map<number, { name: string; module: number }> {
    const found = new Map<number, { name: string; module: number }>();
    const view = this.view;
    for (const module of this.nodesNamed("system / SourceTextModule")) {
      for (const table of this.targets(module)) {
        if (view.type(table) !== "array") continue;
        let previous = NO_NODE;
        for (const entry of this.targets(table)) {
          if (previous !== NO_NODE && view.name(entry) === "system / Cell" && view.type(previous) === "string" && !found.has(entry)) {
            found.set(entry, { name: view.name(previous), module });
          }
          previous = entry;
        }
      }
    }
    return found;
  }

  private *targets(node: number): Generator<number> {
    const { firstEdge, edges } = this.view.snapshot;
    for (let edge = firstEdge[node], end = firstEdge[node + 1]; edge < end; edge++) yield edges.link[edge] >>> edges.typeBits;
  }

  private nodesNamed(name: string): number[] {
    const { nodeCount, strings, nodes } = this.view.snapshot;
    const [index] = strings.indicesOf([name]);
    const found: number[] = [];
    if (index === -1) return found;
    for (let node = 0; node < nodeCount; node++) if (nodes.name[node] === index) found.push(node);
    return found;
  }
}
