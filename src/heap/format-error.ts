// The one error a corrupt, truncated or foreign .heapsnapshot file produces.

/** A file that is not a well-formed V8 heap snapshot: one line naming the file, what was expected and the byte offset. */
export class SnapshotFormatError extends Error {
  override name = "SnapshotFormatError";
  constructor(
    readonly path: string,
    /** Byte offset in the file where the problem was found. */
    readonly offset: number,
    problem: string,
    detail?: string,
  ) {
    super(`${path}: ${problem} at byte ${offset}${detail === undefined ? "" : ` (${detail})`}`);
  }
}

/** How a byte is shown in an error message: `"x"` when printable ASCII, else `byte 0xNN`. */
export function showByte(byte: number): string {
  if (byte < 0) return "end of file";
  if (byte >= 0x20 && byte < 0x7f) return JSON.stringify(String.fromCharCode(byte));
  return `byte 0x${byte.toString(16).padStart(2, "0")}`;
}
