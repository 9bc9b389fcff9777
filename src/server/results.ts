// The bounded list of recently finished sessions behind GET /api/results/recent.
import type { RecentResult, RecentResultsBody } from "../protocol.js";

/**
 * Keeps the last `max` results. It grows, then plateaus: legitimate memory that a
 * leak gate must not mistake for a leak, which is why the bundled server has it.
 */
export class RecentResults {
  private readonly items: RecentResult[] = [];

  constructor(readonly max: number) {}

  /** Appends a result, dropping the oldest once the list is full. */
  add(result: RecentResult): void {
    if (this.max <= 0) return;
    this.items.push(result);
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
  }

  /** The number of results held. */
  get size(): number {
    return this.items.length;
  }

  /** The HTTP body: a copy, oldest first, so callers cannot change the list. */
  toJSON(): RecentResultsBody {
    return { max: this.max, results: [...this.items] };
  }
}
