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

/** Where a group's sampled objects were allocated: the frames most of them share, innermost first. */
export interface AllocationSite {
  frames: AllocationFrame[];
  /** Where the stacks part below the shared frames: the commonest callers there (at most two), most objects first. */
  callers: AllocationFrame[];
  /** Sampled objects whose stack has the shared frames, of those with a stack. */
  objects: number;
  sampled: number;
  /** `allocated at src/server/ended-notes.ts:21 keepEndedNote ← src/server/sessions.ts:73 free`. */
  text: string;
}

/** Larger snapshots are not parsed whole for this. */
export const MAX_TRACED_SNAPSHOT_BYTES = 256 * 1024 * 1024;

/** Frames shown in a site's text, the callers at a fork included. */
const SHOWN_FRAMES = 4;
/** Frames of a stack compared when one stack may be another with inlined frames missing. */
const COMPARED_FRAMES = 6;

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; trace_function_info_fields?: string[]; trace_node_fields?: string[] } };
  nodes: number[];
  strings: string[];
  trace_function_infos?: number[];
  trace_tree?: unknown[];
}

/**
 * Per list of object ids (one list per group), where most of those objects were allocated;
 * undefined for a group when the snapshot has no allocation traces for them, or their stacks
 * share no frame of the app's.
 */
export async function allocationSites(file: string, groups: number[][]): Promise<(AllocationSite | undefined)[]> {
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
  const stackOf = (trace: number): AllocationFrame[] => {
    const stack: AllocationFrame[] = [];
    for (let hops = 0; trace !== 0 && hops < 64; hops++) {
      const node = parents.get(trace);
      if (!node) break;
      if (node.info >= 0) stack.push(frameOf(node.info));
      trace = node.parent;
    }
    return stack;
  };
  return groups.map((ids) => {
    const stacks = ids.map((id) => wanted.get(id) ?? 0).filter((trace) => trace !== 0).map(stackOf);
    return commonSite(stacks);
  });
}

/**
 * The site most of `stacks` (innermost frame first) share, from the app's own frames (node's
 * internals and the unnamed entry frames skipped). Stacks that disagree are reconciled two
 * ways: one that lacks frames another has (V8 records physical frames, so a function
 * inlined into its caller is missing from the stacks recorded once it was optimised) is
 * read as that fuller stack; and where callers differ (a timer armed from two functions),
 * the shared inner frames are the site and the commonest callers are named at the fork.
 * Undefined when no frame is shared by at least half of them.
 */
export function commonSite(stacks: AllocationFrame[][]): AllocationSite | undefined {
  const sampled = stacks.map((stack) => stack.filter(isAppFrame)).filter((stack) => stack.length > 0);
  // A stack through leakcheck's own probe is not where the app allocated: an object that took
  // the id of one the probe made while writing a snapshot. It counts as sampled, never as a site
  // (a new user's Map leak was once "allocated at …/src/probe/agent.cts:124 writeSnapshot").
  const own = sampled.filter((stack) => !stack.some(isProbeFrame));
  if (own.length === 0) return undefined;
  const distinct = new Map<string, { frames: AllocationFrame[]; keys: string[]; objects: number }>();
  for (const frames of own) {
    const keys = frames.map(frameKey);
    const key = keys.join("|");
    const entry = distinct.get(key) ?? { frames, keys, objects: 0 };
    entry.objects++;
    distinct.set(key, entry);
  }
  // Each stack read as the commonest fuller stack it fits into (inlining), or as itself.
  const entries = [...distinct.values()];
  const tree = new FrameTree();
  for (const entry of entries) {
    const fuller = entries
      .filter((other) => other !== entry && other.keys.length > entry.keys.length && isSubsequence(entry.keys.slice(0, COMPARED_FRAMES), other.keys.slice(0, COMPARED_FRAMES * 2)))
      .sort((a, b) => b.objects - a.objects)[0];
    tree.add((fuller ?? entry).frames, entry.objects);
  }
  return tree.site(sampled.length);
}

/** Stacks merged frame by frame from the innermost: how many objects share each prefix. */
class FrameTree {
  private readonly root: TreeNode = { objects: 0, children: new Map() };

  add(frames: AllocationFrame[], objects: number): void {
    let node = this.root;
    node.objects += objects;
    for (const frame of frames) {
      const key = frameKey(frame);
      let child = node.children.get(key);
      if (!child) {
        child = { frame, objects: 0, children: new Map() };
        node.children.set(key, child);
      }
      child.objects += objects;
      node = child;
    }
  }

  /** Follows the commonest branch while nearly all objects (3 in 4) stay on it; names the callers where it forks. */
  site(sampled: number): AllocationSite | undefined {
    const first = this.commonest(this.root);
    // Fewer than half agree even on the innermost frame: naming one would mislead.
    if (!first || first.objects * 2 < sampled) return undefined;
    const frames: AllocationFrame[] = [first.frame!];
    let node = first;
    let callers: AllocationFrame[] = [];
    while (frames.length < SHOWN_FRAMES) {
      const next = this.commonest(node);
      if (!next) break;
      if (next.objects * 4 < node.objects * 3) {
        callers = [...node.children.values()].sort((a, b) => b.objects - a.objects).slice(0, 2).map((child) => child.frame!);
        break;
      }
      frames.push(next.frame!);
      node = next;
    }
    const shown = (frame: AllocationFrame) => `${frame.location} ${frame.functionName}`.trim();
    const fork = callers.length > 0 ? ` ← ${callers.map(shown).join(" or ")}` : "";
    const text = `allocated at ${frames.map(shown).join(" ← ")}${fork}`;
    return { frames, callers, objects: first.objects, sampled, text };
  }

  private commonest(node: TreeNode): TreeNode | undefined {
    let best: TreeNode | undefined;
    for (const child of node.children.values()) if (!best || child.objects > best.objects) best = child;
    return best;
  }
}

interface TreeNode {
  frame?: AllocationFrame;
  objects: number;
  children: Map<string, TreeNode>;
}

/** A frame of the app's code (its node_modules included): not node's internals, not the unnamed entry frames ("(root)", a script's top). */
function isAppFrame(frame: AllocationFrame): boolean {
  return frame.location !== "" && !frame.location.startsWith("node:") && !/:0$/.test(frame.location);
}

/** A frame of leakcheck's probe, which runs inside the server: src/probe/*.cts, as source-mapped from dist (or node_modules/leakcheck). */
function isProbeFrame(frame: AllocationFrame): boolean {
  return /(^|\/)(dist\/)?src\/probe\/[\w-]+\.c[jt]s:\d+$/.test(frame.location);
}

function frameKey(frame: AllocationFrame): string {
  return `${frame.functionName}@${frame.location}`;
}

/** Whether `part` is `whole` with some elements left out, in order. */
function isSubsequence(part: string[], whole: string[]): boolean {
  let at = 0;
  for (const key of whole) if (at < part.length && key === part[at]) at++;
  return at === part.length;
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
