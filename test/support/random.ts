// Seeded randomness for tests: leakcheck's own generator (src/load/rng.ts), so a test's
// random choices replay from a printed seed exactly as a run's do.
import { Rng } from "../../src/load/rng.js";

/** A float in [0, 1) per call, the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}
