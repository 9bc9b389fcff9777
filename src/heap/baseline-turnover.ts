// The other half of net survivor growth (issue 11): the objects each group had at the
// baseline, and when those that are gone by the end went. Read from the baseline snapshot
// with its edges, grouped as the survivors are (constructor and retainer-path shape), and
// matched to the final snapshot's groups by a key that does not depend on either file's
// string numbering: the class and the retainer path as text, digits blurred.

import { classNameOf } from "./census.js";
import type { FullSnapshot, HeapGraph } from "./graph.js";
import { NO_NODE } from "./graph.js";
import type { IdSet } from "./id-set.js";
import { PairTable } from "./pair-table.js";
import { PathRenderer } from "./paths.js";

/** A group's objects at the baseline, and how many of them were gone by each later snapshot (groups that lost some). */
export interface BaselineGroup {
  count: number;
  /** Per snapshot after the baseline (rounds, then the final): gone by then, of those gone at the end. */
  goneBy: number[];
}

/** The key a group is matched by across snapshots of one process. */
export function groupKey(className: string, pathText: string): string {
  return `${className}\u0000${pathText.replace(/\d+/g, "#")}`;
}

/**
 * Groups the baseline's objects of the given node types (reachable ones) by shape, and dates
 * the departure of those missing from `finalIds` against each round's ids. Only groups that
 * lost objects are rendered to a key (a path walk each; a baseline has some 20,000 shapes, a
 * few hundred of which lose anything): a group that lost none has nothing to subtract.
 */
export function baselineTurnover(
  baseline: FullSnapshot,
  graph: HeapGraph,
  userTypes: ReadonlySet<string>,
  later: { rounds: IdSet[]; finalIds: IdSet },
): Map<string, BaselineGroup> {
  const renderer = new PathRenderer(baseline, graph.paths);
  const { type: types, id: ids } = baseline.nodes;
  const rank = graph.paths.rank;
  const userType = Uint8Array.from(baseline.nodeTypes, (type) => (userTypes.has(type) ? 1 : 0));
  const groupByKey = new PairTable();
  const key = new Int32Array(2);
  const firstMember: number[] = [];
  const counts: number[] = [];
  const goneBy: number[][] = [];
  const snapshots = later.rounds.length + 1;
  for (let node = 0; node < baseline.nodeCount; node++) {
    if (rank[node] === NO_NODE || userType[types[node]] === 0) continue;
    renderer.shapeOf(node, key);
    const group = groupByKey.index(key[0], key[1]);
    if (group === firstMember.length) {
      firstMember.push(node);
      counts.push(0);
      goneBy.push(new Array<number>(snapshots).fill(0));
    }
    counts[group]++;
    const id = ids[node];
    if (later.finalIds.has(id)) continue;
    const gone = goneBy[group];
    // Ids never come back: missing from round r, it is gone by r and every snapshot after.
    for (let r = 0; r < later.rounds.length; r++) if (!later.rounds[r].has(id)) gone[r]++;
    gone[snapshots - 1]++;
  }
  const groups = new Map<string, BaselineGroup>();
  for (let group = 0; group < firstMember.length; group++) {
    if (goneBy[group][snapshots - 1] === 0) continue;
    const text = groupKey(classNameOf(baseline, firstMember[group]), PathRenderer.text(renderer.stepsTo(firstMember[group])));
    const known = groups.get(text);
    // Two shapes that read the same (digits aside) are one group to the reader: add them up.
    if (known) {
      known.count += counts[group];
      goneBy[group].forEach((value, index) => (known.goneBy[index] += value));
    } else groups.set(text, { count: counts[group], goneBy: goneBy[group] });
  }
  return groups;
}
