// The shortest path from the GC roots to an object, as steps a developer reads: the last
// module-level variable on the way starts it (what comes before only keeps the module alive),
// the runtime's bookkeeping folds into one labelled step, V8's internal arrays fold into the
// edge names around them, and an emitter's listener array reads as its event's listeners.

import { NO_NODE } from "./graph.js";
import { LABELS, RUNTIME_INTERNALS } from "./labels.js";
import type { RetainerStep } from "./model.js";
import type { ModuleScopes, ModuleVariable } from "./module-scopes.js";
import type { PathView } from "./path-view.js";
import type { SourceLocations } from "./source-locations.js";

/** Node types that are V8's own bookkeeping: folded into the edge names around them. */
const INTERNAL_TYPES = new Set(["hidden", "array", "code", "object shape", "synthetic"]);

/** How many holders a path shows, counted back from the object. */
const MAX_STEPS = 7;

/** A step and the node it stands for, while the path is built. */
interface Built {
  step: RetainerStep;
  node: number;
}

export class PathSteps {
  constructor(
    private readonly view: PathView,
    private readonly locations: SourceLocations,
    private readonly modules: ModuleScopes,
  ) {}

  /** The path to `node`, compacted, the object itself last. */
  stepsTo(node: number): RetainerStep[] {
    const view = this.view;
    const chain: { holder: number; edge: number }[] = [];
    for (let current = node, holder = view.holder(node); holder !== NO_NODE && chain.length < 64; current = holder, holder = view.holder(holder)) {
      chain.push({ holder, edge: view.paths.parentEdge[current] });
    }
    chain.reverse();

    const built: Built[] = [];
    let start = 0;
    for (let index = chain.length - 1; index >= 0; index--) {
      const variable = this.moduleVariable(chain[index].holder, chain[index].edge);
      if (variable === undefined) continue;
      built.push({ step: { node: "(module)", edge: variable.name, location: this.locations.declaration(variable.file, variable.name) }, node: chain[index].holder });
      start = index + 1;
      break;
    }
    let pendingEdges: string[] = [];
    for (let index = start; index < chain.length; index++) {
      const { holder, edge } = chain[index];
      const edgeText = view.edgeText(edge);
      const internal = this.runtimeInternal(holder);
      if (internal !== undefined) {
        // A run of runtime bookkeeping is one step, named for what it is.
        const last = built.at(-1);
        if (last?.step.node === "(runtime)") {
          last.step.label = internal;
          last.step.edge = edgeText;
          last.node = holder;
        } else built.push({ step: { node: "(runtime)", edge: edgeText, label: internal }, node: holder });
        pendingEdges = [];
        continue;
      }
      if (INTERNAL_TYPES.has(view.type(holder)) || holder === view.snapshot.rootOrdinal) {
        if (built.length > 0) pendingEdges.push(edgeText);
        continue;
      }
      if (pendingEdges.length > 0 && built.length > 0) {
        foldEdges(built[built.length - 1].step, pendingEdges);
        pendingEdges = [];
      }
      built.push({ step: this.step(holder, edgeText), node: holder });
    }
    if (pendingEdges.length > 0 && built.length > 0) foldEdges(built[built.length - 1].step, pendingEdges);
    const last = this.step(node, "");
    if (last.node === "Object") last.node = this.preview(node);
    built.push({ step: last, node });
    const steps = this.listeners(built);
    return steps.length > MAX_STEPS + 1 ? [{ node: "…", edge: "" }, ...steps.slice(-(MAX_STEPS + 1))] : steps;
  }

  /** The module-level variable `edge` of `holder` is, if it is one: a module scope's variable, or an exported cell's value. */
  private moduleVariable(holder: number, edge: number): ModuleVariable | undefined {
    const view = this.view;
    const name = view.name(holder);
    if (name === "system / Context") {
      // Only its variables (context edges), not its links to the outer scope or the module record.
      if (view.edgeTypeName(edge) !== "context") return undefined;
      const file = this.modules.fileOfScope(holder);
      return file === undefined ? undefined : { name: view.edgeText(edge), file };
    }
    return name === "system / Cell" ? this.modules.exportOf(holder) : undefined;
  }

  /** The label of the runtime bookkeeping `holder` is part of, if it is. */
  private runtimeInternal(holder: number): string | undefined {
    const name = this.view.name(holder);
    for (const rule of RUNTIME_INTERNALS) {
      if (!rule.names.includes(name)) continue;
      if (rule.via && !rule.via.includes(this.view.incomingEdge(holder) ?? "")) continue;
      return rule.label;
    }
    return undefined;
  }

  /**
   * `_events → updated (Array) → [329]` is an emitter's "updated" listeners: one step that
   * counts them, and the listener after it (one listener alone is held without an array).
   */
  private listeners(built: Built[]): RetainerStep[] {
    const view = this.view;
    const steps: RetainerStep[] = [];
    for (let index = 0; index < built.length; index++) {
      const { step } = built[index];
      steps.push(step);
      const events = built[index + 1];
      if (step.edge !== "_events" || events === undefined || events.step.node !== "Object" || index + 2 >= built.length) continue;
      const event = events.step.edge;
      const list = built[index + 2];
      if (list.step.node === "Array" && index + 3 < built.length) {
        steps.push({ node: "(listeners)", edge: list.step.edge, label: `"${event}" listeners (${view.elementCount(list.node).toLocaleString("en-US")})` });
        index += 2;
      } else if (list.step.node.startsWith("(closure)")) {
        steps.push({ node: "(listeners)", edge: event, label: `"${event}" listener` });
        index += 1;
      }
    }
    return steps;
  }

  private step(node: number, edge: string): RetainerStep {
    const view = this.view;
    const type = view.type(node);
    const name = view.name(node);
    if (type === "closure") {
      return { node: `(closure)${name ? ` ${name}` : ""}`, edge, location: this.locations.ofClosure(node), label: this.label(node, name) };
    }
    if (name === "system / Context") {
      // The scope of the closure that holds it: name it after that closure (the path may
      // reach the scope another way, e.g. from a module's code: then any closure over it).
      const holder = view.holder(node);
      const closure = holder !== NO_NODE && view.type(holder) === "closure" ? holder : view.closureOver(node);
      // The function the scope belongs to (createRequestHandler), else the closure's own name.
      const functionName = view.scopeFunctionName(node) || (closure === NO_NODE ? "" : view.name(closure));
      return { node: "(context)", edge, location: closure === NO_NODE ? undefined : this.locations.ofClosure(closure), label: functionName || undefined };
    }
    return { node: view.className(node), edge, label: this.label(node, name) };
  }

  /** A name users recognise for well-known internals (the LABELS table), by constructor and the properties they carry. */
  private label(node: number, name: string): string | undefined {
    const view = this.view;
    const has = (property: string) => view.edgeNamed(node, property) !== NO_NODE;
    for (const rule of LABELS) {
      if (!rule.names.includes(name)) continue;
      if (rule.has && !rule.has.every(has)) continue;
      if (rule.hasAny && !rule.hasAny.some(has)) continue;
      if (rule.via && !rule.via.test(view.incomingEdge(node) ?? "")) continue;
      return rule.label;
    }
    return undefined;
  }

  /** `Object { id, candidateId, questions }`: a plain object is known by its first properties. */
  private preview(node: number): string {
    const snapshot = this.view.snapshot;
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
}

/** Appends the edges through V8's internal arrays to a step's edge; a Map's or Set's hash table is one entry. */
function foldEdges(step: RetainerStep, edges: string[]): void {
  if (/^(Map|Set|WeakMap|WeakSet)$/.test(step.node) && step.edge === "table") {
    step.edge = "[entry]";
    return;
  }
  step.edge = [step.edge, ...edges].filter(Boolean).join(".").replace(/\.\[/g, "[");
}
