// Retainer paths of the last snapshot: the pieces wired together for the survivors. Each
// concern has its file: path-view (reading the snapshot), path-shapes (grouping keys),
// path-steps and path-text (the path as a developer reads it), labels (names as data),
// module-scopes (module-level variables), source-locations (file:line, source maps).

import type { FullSnapshot, ShortestPaths } from "./graph.js";
import type { RetainerStep } from "./model.js";
import { ModuleScopes } from "./module-scopes.js";
import { PathShapes } from "./path-shapes.js";
import { PathSteps } from "./path-steps.js";
import { pathText } from "./path-text.js";
import { PathView } from "./path-view.js";
import { SourceLocations } from "./source-locations.js";

export { pathText, pathTokens } from "./path-text.js";

export class PathRenderer {
  private readonly shapes: PathShapes;
  private readonly steps: PathSteps;

  constructor(snapshot: FullSnapshot, paths: ShortestPaths, cwd = process.cwd()) {
    const view = new PathView(snapshot, paths);
    const locations = new SourceLocations(view, cwd);
    this.shapes = new PathShapes(snapshot, paths);
    this.steps = new PathSteps(view, locations, new ModuleScopes(view, locations));
  }

  /** The shortest strong path from the GC roots to `node`, compacted, the object itself last. */
  stepsTo(node: number): RetainerStep[] {
    return this.steps.stepsTo(node);
  }

  /** A 64-bit key for "the same kind of path", written to key[0] and key[1] (see PathShapes). */
  shapeOf(node: number, key: Int32Array, depth = 6): void {
    this.shapes.shapeOf(node, key, depth);
  }

  /** The path as one line. */
  static text(steps: RetainerStep[]): string {
    return pathText(steps);
  }
}
