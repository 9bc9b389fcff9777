// What a heap diff finds, as the reports and `leakcheck diff --json` carry it.

/** One constructor (or node type) compared between two snapshots: DevTools' comparison view. */
export interface ConstructorDelta {
  /** Constructor name for objects, or the node type in parentheses: "(string)", "(closure)", "(array)". */
  name: string;
  type: string;
  countBefore: number;
  countAfter: number;
  countDelta: number;
  sizeBefore: number;
  sizeAfter: number;
  sizeDelta: number;
}

/**
 * One step of a retainer path, from the GC roots towards the object. Besides objects, four
 * kinds of step: "(context)", a closure's scope (edge: the variable; label, location: the
 * closure); "(module)", a module's top level (edge: the variable; location: its declaration);
 * "(listeners)", an emitter's listeners for one event (label: `"updated" listeners (800)`);
 * "(runtime)", the runtime's bookkeeping folded into one (label: "timer lists", "module records").
 */
export interface RetainerStep {
  /** The holder as a developer names it: "Map", "Session", "(closure) registerHandlers", or one of the kinds above. */
  node: string;
  /** The edge leading out of this node to the next step: "activeSessions", "[3]", "value", "context". */
  edge: string;
  /** Source location of a closure or of its function: "src/server/sessions.ts:42". */
  location?: string;
  /** A name users recognise for well-known internals: "Socket.IO Socket", "engine.io Client", "ping timer". */
  label?: string;
}

/** Objects allocated after the baseline and still alive at the end, grouped by constructor and retainer path shape. */
export interface SurvivorGroup {
  name: string;
  type: string;
  count: number;
  selfSize: number;
  /** Bytes the group keeps alive on its own (dominator tree): freed if the group's objects were. */
  retainedSize: number;
  /** How many objects of this constructor, allocated after the baseline, were alive at each snapshot after it (rounds, then final). */
  series: number[];
  /** Sessions run when each of those snapshots was taken (same length as series), when known. */
  sessions?: number[];
  /** Growth per 1,000 sessions over the later rounds (least squares), when sessions are known. */
  perThousandSessions: number | null;
  /** grows: count rises with sessions; plateau: it stopped rising (a cache); unknown: too few snapshots. */
  trend: "grows" | "plateau" | "unknown";
  /** Over the survivor budget and growing: a leak. */
  leak: boolean;
  /** Growth net of turnover, by round, when the baseline was read with its edges (issue 11): the judge's reading of it. */
  growth?: SurvivorGrowth;
  /** Ids of a few of its objects (for allocation sites). */
  sampleIds?: number[];
  /** Where most of its objects were allocated, when allocations were tracked: "allocated at app.js:56 joinRoom ← app.js:80 (anonymous)". */
  allocatedAt?: string;
  path: RetainerStep[];
  /** The path as one line: `questionBank (QuestionBank, module src/server/questions.ts:51) → "updated" listeners (800) → listener at src/server/handlers.ts:62`. */
  pathText: string;
}

export interface HeapDiff {
  files: { before: string; after: string; final?: string; rounds?: string[] };
  totals: {
    before: { count: number; size: number };
    after: { count: number; size: number };
  };
  /** Top constructors by self-size growth (then count growth), before → after. */
  constructors: ConstructorDelta[];
  survivors: {
    /** All objects allocated after `before` and alive in the last snapshot. */
    count: number;
    selfSize: number;
    groups: SurvivorGroup[];
  };
  /** How long reading and analysing took, and how many bytes of snapshot it read. */
  timings: { readMs: number; analyzeMs: number; bytes: number };
}

// Survivor growth net of turnover (issue 11): measured here, judged in src/verdict/survivor-growth.ts.

/** One group's counts at each snapshot after the baseline (rounds, then the final one). */
export interface GroupCounts {
  /** Sessions run since the baseline by each snapshot. */
  sessions: number[];
  /** The group's objects alive at the end that were already alive at each snapshot (the last entry: all of them). */
  newAlive: number[];
  /** The group's objects alive at the baseline. */
  baselineCount: number;
  /** Of those, how many were gone by each snapshot (cumulative; the last entry: gone at the end). */
  baselineGone: number[];
}

export type GrowthKind = "leak" | "bounded" | "steady";

/** Per round: what it added that lives on, what it took of the baseline's, and the net. */
export interface RoundGrowth {
  sessions: number;
  kept: number;
  evicted: number;
  net: number;
}

export interface SurvivorGrowth {
  kind: GrowthKind;
  /** Net objects gained from the baseline to the end. */
  net: number;
  /** Net objects per 1,000 sessions, from the baseline to the end. */
  netPerThousandSessions: number;
  /** The group's size at the end (its baseline objects still alive, and the new ones). */
  endCount: number;
  /** The largest the group was at any snapshot, as far as the ids tell. */
  peakCount: number;
  rounds: RoundGrowth[];
  /** Why: "kept by every round, +1,000 per 1,000 sessions net" or "bounded: at most 600 entries, the oldest evicted". */
  reason: string;
}
