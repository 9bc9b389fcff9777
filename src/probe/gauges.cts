// `leakcheck/gauges`: an app declares a gauge in-process, e.g.
//   const { gauge } = require("leakcheck/gauges");   // or: import { gauge } from "leakcheck/gauges";
//   gauge("users", () => users.size);
// Under leakcheck (its probe preloaded) the gauge is judged like a metrics field; anywhere
// else the call does nothing. Importing this module has no side effects.

/** Declares a gauge named `name`, read by calling `read` at every measurement; a no-op outside leakcheck. */
export function gauge(name: string, read: () => number): void {
  const registry = (globalThis as Record<symbol, { register?: (name: string, read: () => number) => void } | undefined>)[
    Symbol.for("leakcheck.probe.gauges")
  ];
  if (registry && typeof registry.register === "function") registry.register(name, read);
}
