// Names a developer knows, as data: Socket.IO, engine.io and Node objects recognised by
// their constructor and the properties they carry, and the runtime's own bookkeeping
// (module records, timer lists, async hooks) that a path folds into one labelled step.

/** A well-known object: its constructor, and what tells it apart from others of that name. */
export interface LabelRule {
  /** Constructor names it applies to. */
  names: readonly string[];
  /** Properties it must all have. */
  has?: readonly string[];
  /** Properties of which it must have at least one. */
  hasAny?: readonly string[];
  /** The edge its path reaches it by must match. */
  via?: RegExp;
  label: string;
}

/** The first rule that matches names the object; none: its constructor stands. */
export const LABELS: readonly LabelRule[] = [
  { names: ["Socket"], has: ["nsp", "client"], label: "Socket.IO Socket" },
  { names: ["Socket"], has: ["transport", "server"], label: "engine.io Socket" },
  { names: ["Socket"], has: ["_handle"], label: "net.Socket" },
  { names: ["Namespace"], has: ["adapter"], label: "Socket.IO Namespace" },
  { names: ["Adapter", "SessionAwareAdapter"], has: ["rooms", "sids"], label: "Socket.IO Adapter" },
  { names: ["Client"], has: ["conn", "sockets"], label: "Socket.IO Client" },
  { names: ["Server"], hasAny: ["_nsps", "engine"], label: "Socket.IO Server" },
  { names: ["Server"], has: ["clients", "clientsCount"], label: "engine.io Server" },
  { names: ["IncomingMessage"], via: /^(request|req)$/, label: "the handshake's HTTP request" },
  { names: ["Timeout"], via: /ping/i, label: "ping timer" },
  { names: ["WebSocket"], label: "ws WebSocket" },
];

/** Runtime bookkeeping a path passes through on its way to the developer's objects. */
export interface InternalRule {
  /** Node names (constructor, or V8's "system / …" and Node's "Node / …"). */
  names: readonly string[];
  /** Only when the path reaches it by one of these edges (a Timeout in a timer list, not in a Map). */
  via?: readonly string[];
  label: string;
}

export const RUNTIME_INTERNALS: readonly InternalRule[] = [
  { names: ["ModuleWrap", "Node / ModuleWrap", "system / SourceTextModule", "system / SyntheticModule", "system / Cell", "system / ModuleRequest"], label: "module records" },
  { names: ["TimersList", "ImmediateList", "PriorityQueue", "Node / Timers"], label: "timer lists" },
  { names: ["Timeout", "Immediate"], via: ["_idleNext", "_idlePrev", "_idleTimeout"], label: "timer lists" },
  { names: ["Node / AsyncHooks", "Node / AsyncWrap", "AsyncResource", "AsyncLocalStorage", "Node / ExecutionAsyncResources"], label: "async hooks" },
  { names: ["Node / Environment", "Node / PrincipalRealm", "Node / IsolateData", "Node / CleanupQueue", "Node / BindingData"], label: "Node runtime" },
];

/**
 * Properties by which one timer of a list holds the next: a path through them follows the list,
 * not an owner. Edges of the nodes named here are searched last (graph.ts), so a timer's owner is
 * found through what the program holds it by when it holds it at all.
 */
export const TIMER_LIST_EDGES: readonly string[] = ["_idleNext", "_idlePrev"];
export const TIMER_LIST_NODES: readonly string[] = ["Timeout", "TimersList", "Immediate", "ImmediateList"];
