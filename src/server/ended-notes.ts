// The `bytes:N` leak mode: a note of N bytes kept per ended session in a module-level Map,
// as a real server keeps "recently ended" records and forgets to drop them (issue 11).
// `bytes:N:max:M` drops the oldest past M: a bounded cache, which is not a leak.
import type { FreeReason } from "../protocol.js";

/** One ended session's note: the object and its string are what a heap snapshot sees. */
export interface EndedNote {
  reason: FreeReason;
  note: string;
}

/** Module-level, as leaks of this kind are: every server of the process shares it. */
export const endedNotes = new Map<number, EndedNote>();
let ended = 0;

/**
 * Keeps `bytes` bytes for an ended session: a fresh flat string of that many one-byte
 * characters in a record under a small-integer key (about 100 bytes more for the record, its
 * string header and the Map entry: N + 100 in all, measured in test/server/leak-modes.test.ts).
 */
export function keepEndedNote(reason: FreeReason, bytes: number, max: number | undefined): void {
  // Buffer → string makes a new flat string each time: no two notes share memory.
  const note = bytes > 0 ? Buffer.alloc(bytes, "n").toString("latin1") : "";
  endedNotes.set(++ended, { reason, note });
  if (max === undefined) return;
  // Map keys iterate oldest first: evict from the front.
  for (const key of endedNotes.keys()) {
    if (endedNotes.size <= max) break;
    endedNotes.delete(key);
  }
}

/** Forgets every note: a server closing ends the leak it made (tests start many in one process). */
export function clearEndedNotes(): void {
  endedNotes.clear();
}
