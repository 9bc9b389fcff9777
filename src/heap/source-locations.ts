// Where code is, as a developer finds it: `file:line` of a closure from the snapshot's
// locations table, mapped to the original source when a source map sits beside the compiled
// file (tsc's `sourceMap`), and the line a module-level variable is declared on.

import fs from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NO_NODE } from "./graph.js";
import type { PathView } from "./path-view.js";

/** Larger sources are not searched for a declaration. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

export class SourceLocations {
  private readonly locationAt = new Map<number, number>();
  private readonly sourceMaps = new Map<string, SourceMap | null>();
  private readonly sources = new Map<string, string[] | null>();

  constructor(
    private readonly view: PathView,
    private readonly cwd = process.cwd(),
  ) {}

  /** `file:line` of a closure, source-mapped when it can be. */
  ofClosure(closure: number): string | undefined {
    const snapshot = this.view.snapshot;
    const fields = snapshot.locationFields;
    if (snapshot.locations.length === 0 || fields.length === 0) return undefined;
    const at = this.locationRecord(closure);
    if (at === -1) return undefined;
    const line = snapshot.locations[at + fields.indexOf("line")];
    const column = snapshot.locations[at + fields.indexOf("column")];
    const file = this.scriptOf(closure);
    if (!file) return undefined;
    return this.mapped(file, line, column) ?? `${this.shortFile(file)}:${line + 1}`;
  }

  /** The file (path or URL, as V8 names the script) a closure's code is in: shared → script → name. */
  scriptOf(closure: number): string | undefined {
    const view = this.view;
    // V8 names the Script node after its file; older versions hang the name off a "name" edge.
    const shared = view.edgeNamed(closure, "shared");
    let script = shared === NO_NODE ? NO_NODE : view.edgeNamed(shared, "script_or_debug_info");
    if (script === NO_NODE && shared !== NO_NODE) script = view.edgeNamed(shared, "script");
    if (script === NO_NODE) return undefined;
    let file = view.name(script);
    if (!file || file.startsWith("system /")) {
      const name = view.edgeNamed(script, "name");
      file = name === NO_NODE ? "" : view.name(name);
    }
    return file || undefined;
  }

  /**
   * `src/server/questions.ts:51`: where the module-level `variable` of `file` is declared (the
   * first `const|let|var|function|class variable` in the compiled file, mapped to the original
   * source), or the file alone when the source cannot be read or has no such line.
   */
  declaration(file: string, variable: string): string {
    const lines = this.sourceLines(file);
    if (lines) {
      const name = variable.replace(/[$]/g, "\\$");
      const declares = new RegExp(`^(\\s*)(?:export\\s+)?(?:const|let|var|async\\s+function\\*?|function\\*?|class)\\s+${name}(?![\\w$])`);
      let best = -1;
      for (let line = 0; line < lines.length; line++) {
        const match = declares.exec(lines[line]);
        if (!match) continue;
        if (match[1].length === 0) {
          best = line; // at the top level of the file: the module's own
          break;
        }
        if (best === -1) best = line;
      }
      if (best !== -1) {
        const column = lines[best].search(new RegExp(`${name}(?![\\w$])`));
        return this.mapped(file, best, Math.max(0, column)) ?? `${this.shortFile(file)}:${best + 1}`;
      }
    }
    return this.mapped(file, 0, 0)?.replace(/:\d+$/, "") ?? this.shortFile(file);
  }

  /** Where `node`'s record starts in the locations table (its last one), or -1. */
  private locationRecord(node: number): number {
    let at = this.locationAt.get(node);
    if (at === undefined) {
      const { locations, locationFields } = this.view.snapshot;
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

  /** The compiled file's lines, or null when it is not a readable file of ours. */
  private sourceLines(file: string): string[] | null {
    const absolute = absolutePath(file);
    if (absolute === undefined) return null;
    let lines = this.sources.get(absolute);
    if (lines === undefined) {
      lines = null;
      try {
        if (fs.statSync(absolute).size <= MAX_SOURCE_BYTES) lines = fs.readFileSync(absolute, "utf8").split("\n");
      } catch {
        // gone or unreadable: the file alone is named
      }
      this.sources.set(absolute, lines);
    }
    return lines;
  }

  /** `src/server/http.ts:12` for a compiled file with a source map beside it. */
  private mapped(file: string, line: number, column: number): string | undefined {
    const absolute = absolutePath(file);
    if (absolute === undefined) return undefined;
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

  /** A file relative to the working folder when it is inside it. */
  shortFile(file: string): string {
    const absolute = file.startsWith("file://") ? absolutePath(file) : file;
    if (absolute === undefined) return file;
    if (!path.isAbsolute(absolute)) return absolute;
    const relative = path.relative(this.cwd, absolute);
    return relative.startsWith("..") ? absolute : relative;
  }
}

/** An absolute path for a script name (a path or a file: URL), or undefined (node:internals, eval). */
function absolutePath(file: string): string | undefined {
  let absolute = file;
  try {
    if (file.startsWith("file://")) absolute = fileURLToPath(file);
  } catch {
    return undefined;
  }
  return path.isAbsolute(absolute) ? absolute : undefined;
}
