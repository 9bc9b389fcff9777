// Gauges an app declares in-process through `leakcheck/gauges`: the probe publishes a
// registry on a global symbol; the public module finds it there, or does nothing.

export type GaugeReader = () => number;

/** The symbol `leakcheck/gauges` looks the registry up by (shared across module copies). */
export const REGISTRY = Symbol.for("leakcheck.probe.gauges");

export interface GaugeRegistry {
  register(name: string, read: GaugeReader): void;
}

const readers = new Map<string, GaugeReader>();

/** Publishes the registry; called by the agent only when it runs for leakcheck. */
export function installRegistry(): void {
  const registry: GaugeRegistry = {
    register(name, read) {
      if (typeof name !== "string" || name.trim() === "" || name.length > 200 || typeof read !== "function") return;
      readers.set(name, read);
    },
  };
  Object.defineProperty(globalThis, REGISTRY, { value: registry, configurable: true });
}

/** The app's gauges now; one that throws or returns no finite number is left out of this reading. */
export function appGauges(): Record<string, number> {
  const gauges: Record<string, number> = {};
  for (const [name, read] of readers) {
    try {
      const value = read();
      if (typeof value === "number" && Number.isFinite(value)) gauges[name] = Math.round(value);
    } catch {
      // the app's reader failed: no reading this time
    }
  }
  return gauges;
}
