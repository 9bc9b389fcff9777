// Number formats shared by the judge's sentences and every renderer.

/** Bytes with a binary unit: 812 B, 3.1 KB, 42.0 MB (signed when negative). */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? "-" : "";
  let value = Math.abs(bytes);
  const units = ["B", "KB", "MB", "GB"];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A signed whole number: +3, 0, -2. */
export function formatSigned(value: number): string {
  return value > 0 ? `+${value.toLocaleString("en-US")}` : value.toLocaleString("en-US");
}
