// Where objects were allocated (issue 11): a snapshot written while the probe tracked
// allocations carries, per node, the id of a node in an allocation call tree, and the tree
// names each frame's function and script position. Read only for a failing group's sample
// objects, from a snapshot small enough to parse whole (leakcheck's servers are ~10 MB).

import fs from "node:fs/promises";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";

/** One frame of an allocation stack, innermost first: a function, where it starts (V8 records functions, not statements). */
export interface AllocationFrame {
  functionName: string;
  /** Script and 1-based line: "src/server/ended-notes.ts:21", through a source map when there is one. */
  location: string;
}

/** The stack shared by most of the sampled objects, and how many of them share it. */
export interface AllocationSite {
  frames: AllocationFrame[];
  /** Sampled objects allocated there, of those looked up. */
  objects: number;
  sampled: number;
  /** `allocated at ended-notes.ts:23 keepEndedNote ← sessions.ts:85 free`. */
  text: string;
}

/** Larger snapshots are not parsed whole for this. */
export const MAX_TRACED_SNAPSHOT_BYTES = 256 * 1024 * 1024;

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; trace_function_info_fields?: string[]; trace_node_fields?: string[] } };
  nodes: number[];
  strings: string[];
  trace_function_infos?: number[];
  trace_tree?: unknown[];
}

/**
 * Per list of object ids (one list per group), the most common allocation stack of those
 * objects; undefined for a group when the snapshot has no allocation traces for them.
 */
export async function allocationSites(file: string, groups: number[][], frames = 4): Promise<(AllocationSite | undefined)[]> {
  const stat = await fs.stat(file);
  if (stat.size > MAX_TRACED_SNAPSHOT_BYTES) return groups.map(() => undefined);
  const raw = JSON.parse(await fs.readFile(file, "utf8")) as RawSnapshot;
  const meta = raw.snapshot.meta;
  const fieldCount = meta.node_fields.length;
  const idField = meta.node_fields.indexOf("id");
  const traceField = meta.node_fields.indexOf("trace_node_id");
  if (traceField < 0 || !raw.trace_tree || !raw.trace_function_infos || !meta.trace_function_info_fields || !meta.trace_node_fields) {
    return groups.map(() => undefined);
  }
  const wanted = new Map<number, number>(); // object id → trace node id
  for (const ids of groups) for (const id of ids) wanted.set(id, 0);
  for (let offset = 0; offset < raw.nodes.length; offset += fieldCount) {
    const id = raw.nodes[offset + idField];
    if (wanted.has(id)) wanted.set(id, raw.nodes[offset + traceField]);
  }
  const parents = traceParents(raw.trace_tree, meta.trace_node_fields);
  const infoFields = meta.trace_function_info_fields;
  const infoWidth = infoFields.length;
  const at = (field: string) => infoFields.indexOf(field);
  const [nameAt, scriptAt, lineAt, columnAt] = [at("name"), at("script_name"), at("line"), at("column")];
  const locate = new Locator();
  const frameOf = (infoIndex: number): AllocationFrame => {
    const base = infoIndex * infoWidth;
    const infos = raw.trace_function_infos!;
    const name = raw.strings[infos[base + nameAt]] || "(anonymous)";
    const script = raw.strings[infos[base + scriptAt]] ?? "";
    return { functionName: name, location: locate.at(script, infos[base + lineAt], infos[base + columnAt]) };
  };

  return groups.map((ids) => {
    const stacks = new Map<string, { frames: AllocationFrame[]; objects: number }>();
    let sampled = 0;
    for (const id of ids) {
      let trace = wanted.get(id) ?? 0;
      if (trace === 0) continue;
      sampled++;
      const stack: AllocationFrame[] = [];
      // Innermost first; frames of node's own internals skipped until user code shows.
      for (let hops = 0; trace !== 0 && trace !== undefined && hops < 64; hops++) {
        const node = parents.get(trace);
        if (!node) break;
        if (node.info >= 0) stack.push(frameOf(node.info));
        trace = node.parent;
      }
      const own = stack.filter((frame) => frame.location !== "" && !frame.location.startsWith("node:"));
      const shown = (own.length > 0 ? own : stack).slice(0, frames);
      const key = shown.map((frame) => `${frame.functionName}@${frame.location}`).join("|");
      const entry = stacks.get(key) ?? { frames: shown, objects: 0 };
      entry.objects++;
      stacks.set(key, entry);
    }
    const best = [...stacks.values()].sort((a, b) => b.objects - a.objects)[0];
    if (!best || best.frames.length === 0) return undefined;
    // Objects of one group come from one place; when their recorded stacks scatter, V8's
    // tracker has lost them (seen for object literals in a long-running server: the stacks
    // belong to other allocations), and naming the commonest would mislead.
    if (best.objects < Math.max(2, sampled / 2)) return undefined;
    const text = `allocated at ${best.frames.map((frame) => `${frame.location} ${frame.functionName}`.trim()).join(" ← ")}`;
    return { frames: best.frames, objects: best.objects, sampled, text };
  });
}

/** trace node id → its function info and its parent's id (0 at the root), from the nested tree. */
function traceParents(tree: unknown[], fields: string[]): Map<number, { info: number; parent: number }> {
  const width = fields.length;
  const idAt = fields.indexOf("id");
  const infoAt = fields.indexOf("function_info_index");
  const childrenAt = fields.indexOf("children");
  const parents = new Map<number, { info: number; parent: number }>();
  const pending: { list: unknown[]; parent: number }[] = [{ list: tree, parent: 0 }];
  while (pending.length > 0) {
    const { list, parent } = pending.pop()!;
    for (let base = 0; base + width <= list.length; base += width) {
      const id = list[base + idAt] as number;
      parents.set(id, { info: list[base + infoAt] as number, parent });
      const children = list[base + childrenAt];
      if (Array.isArray(children) && children.length > 0) pending.push({ list: children, parent: id });
    }
  }
  return parents;
}

/** Script positions as a developer reads them: relative to the working folder, through a `.js.map` when there is one, 1-based lines. */
class Locator {
  private readonly maps = new Map<string, SourceMap | null>();

  /** `line` and `column` as the snapshot writes them: 1-based, of the function's start. */
  at(script: string, line: number, column: number): string {
    if (!script) return "";
    if (script.startsWith("node:")) return `${script}:${line}`;
    const file = script.startsWith("file://") ? fileURLToPath(script) : script;
    const map = this.mapOf(file);
    const entry = map?.findEntry(line - 1, column - 1);
    if (entry && "originalSource" in entry && entry.originalSource) {
      const source = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
      return `${path.relative(process.cwd(), source)}:${entry.originalLine + 1}`;
    }
    return `${path.isAbsolute(file) ? path.relative(process.cwd(), file) : file}:${line}`;
  }

  private mapOf(file: string): SourceMap | null {
    let map = this.maps.get(file);
    if (map !== undefined) return map;
    map = null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
    } catch {
      // no map beside it: the compiled position is the one shown
    }
    this.maps.set(file, map);
    return map;
  }
}
