// Heap growth per session with a 95 % confidence interval (issue 11), instead of a fixed
// floor of growth that a small run can never pass: a least-squares line through heap used
// after GC against sessions run, one point per round (the mean of its GC readings), and the
// interval of its slope from the scatter around the line (Student's t, rounds − 2 degrees).

/** One heap reading after a full GC. Several per round: their mean is the round's point. */
export interface HeapReading {
  round: number;
  /** Sessions run since the baseline. */
  sessions: number;
  heapUsed: number;
}

export interface HeapTrend {
  /** Slope over every round, baseline included: bytes of heap per session. */
  perSessionBytes: number;
  /** Half the width of the 95 % interval: the slope is perSessionBytes ± marginBytes. */
  marginBytes: number;
  confidence: 0.95;
  /** Round points (baseline included) and readings behind them. */
  rounds: number;
  readings: number;
  /** Slope over the later half of the rounds (at least three points): a leak keeps its pace to the end, a cache filling up does not. */
  laterPerSessionBytes: number;
  /** Heap used at the last round's point less the baseline's. */
  growthBytes: number;
}

/** within: the whole interval is under the budget (or growth stopped); over: all of it above, and still growing; unsure: it straddles the budget. */
export type TrendCall = "within" | "over" | "unsure";

/** The trend of `readings`, or undefined with fewer than three rounds (baseline included): no interval from two points. */
export function heapTrend(readings: HeapReading[]): HeapTrend | undefined {
  const points = roundPoints(readings);
  if (points.length < 3) return undefined;
  const fit = leastSquares(points);
  const tail = points.slice(Math.max(0, Math.min(points.length - 3, Math.floor(points.length / 2))));
  return {
    perSessionBytes: fit.slope,
    marginBytes: fit.standardError * studentT95(points.length - 2),
    confidence: 0.95,
    rounds: points.length,
    readings: readings.length,
    laterPerSessionBytes: leastSquares(tail).slope,
    growthBytes: points[points.length - 1].y - points[0].y,
  };
}

/**
 * The trend against a budget in bytes per session. Over only when the whole interval is
 * above it and the later rounds keep the pace (a bounded structure that filled early grows
 * fast over the first rounds, then not at all); within when the whole interval is below, or
 * the later rounds grew less than half the budget's pace.
 */
export function callTrend(trend: HeapTrend, budgetBytes: number): TrendCall {
  const low = trend.perSessionBytes - trend.marginBytes;
  const high = trend.perSessionBytes + trend.marginBytes;
  if (low > budgetBytes && trend.laterPerSessionBytes > budgetBytes) return "over";
  if (high <= budgetBytes || trend.laterPerSessionBytes <= budgetBytes / 2) return "within";
  return "unsure";
}

/**
 * Over the budget by the interval, but less growth in all than `floorBytes`: too little to tell
 * a leak from a structure still filling. The fixed bundled server's list of 500 recent results,
 * 150 sessions into filling, grew a straight +2.6 ± 1.4 KB per session (220 KB): the interval
 * was right that the heap grew, and only a count of objects (survivors) or a run past the
 * cap can say it is not a leak.
 */
export function overButSmall(trend: HeapTrend, budgetBytes: number, floorBytes: number): boolean {
  return callTrend(trend, budgetBytes) === "over" && trend.growthBytes <= floorBytes;
}

/** `+240 ± 60 B per session, 95 %`. */
export function trendText(trend: HeapTrend): string {
  const sign = trend.perSessionBytes < 0 ? "−" : "+";
  return `${sign}${Math.round(Math.abs(trend.perSessionBytes)).toLocaleString("en-US")} ± ${Math.round(trend.marginBytes).toLocaleString("en-US")} B per session, 95 %`;
}

/** The mean heap used per round, in round order. */
function roundPoints(readings: HeapReading[]): { x: number; y: number }[] {
  const byRound = new Map<number, { sessions: number; sum: number; count: number }>();
  for (const reading of readings) {
    const entry = byRound.get(reading.round) ?? { sessions: reading.sessions, sum: 0, count: 0 };
    entry.sum += reading.heapUsed;
    entry.count++;
    byRound.set(reading.round, entry);
  }
  return [...byRound.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => ({ x: entry.sessions, y: entry.sum / entry.count }));
}

/** The least-squares line through the points: its slope and the slope's standard error. */
export function leastSquares(points: { x: number; y: number }[]): { slope: number; standardError: number } {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - meanX) ** 2;
    sxy += (p.x - meanX) * (p.y - meanY);
  }
  if (sxx === 0) return { slope: 0, standardError: 0 };
  const slope = sxy / sxx;
  if (n <= 2) return { slope, standardError: 0 };
  let residuals = 0;
  for (const p of points) residuals += (p.y - meanY - slope * (p.x - meanX)) ** 2;
  return { slope, standardError: Math.sqrt(residuals / (n - 2) / sxx) };
}

// Two-sided 95 % quantiles of Student's t for 1 to 30 degrees of freedom; the normal's beyond.
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** The two-sided 95 % quantile of Student's t with `df` degrees of freedom. */
export function studentT95(df: number): number {
  if (df < 1) return Number.POSITIVE_INFINITY;
  return df <= T95.length ? T95[df - 1] : 1.96;
}
