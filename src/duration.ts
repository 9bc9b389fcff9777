// Durations on the command line and in files: `500ms`, `15s`, `10m`, `1h` or bare milliseconds.
// The one parser and the one formatter: leakcheck's options and the bundled server's flags both read through here.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds (rounded to whole) for a duration string, or undefined when it is not one; callers check the range. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? "ms"];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** A duration the way a person reads it: 850ms, 12.3s, 2m05s, 1h05m. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  // Each unit is chosen by the value as it will be rounded, so a carry moves up a unit
  // (999.6 ms is 1.0s, 59,960 ms 1m00s, 119,700 ms 2m00s) instead of printing 1000ms, 60.0s or 1m60s.
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${pad(seconds % 60)}s`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}h${pad(minutes % 60)}m`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
