// The baseline (and the rounds) read on a second thread while the main thread reads the last
// snapshot and builds its graph: they are independent until the survivors are counted, and
// the machine has more than one core. Their census and ids are all that comes back.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { readSummary, type Census, type SnapshotSummary } from "./census.js";
import { SnapshotFormatError } from "./format-error.js";
import { IdSet } from "./id-set.js";

const WORKER = new URL("./summary-worker.js", import.meta.url);

/** What the worker posts per file. */
type Message =
  | { ok: true; census: Census; ids: { keys: Uint32Array; chunks: (Uint8Array | Uint16Array)[]; max: number; size: number }; byteLength: number }
  | { ok: false; error: { name: string; message: string; path?: string; offset?: number; code?: string; errno?: number; syscall?: string } };

/**
 * The summaries of `files`, in order, read on a worker thread (in this one when the worker
 * script is not there, as when running from sources).
 */
export async function readSummaries(files: string[], options: { signal?: AbortSignal } = {}): Promise<SnapshotSummary[]> {
  options.signal?.throwIfAborted();
  if (files.length === 0) return [];
  if (!existsSync(fileURLToPath(WORKER))) {
    const summaries: SnapshotSummary[] = [];
    for (const file of files) {
      summaries.push(await readSummary(file, { signal: options.signal }));
    }
    return summaries;
  }
  // No flags of this process (such as --input-type, which a worker refuses): it needs none.
  const worker = new Worker(WORKER, { workerData: { files }, execArgv: [] });
  const summaries: SnapshotSummary[] = [];
  try {
    return await new Promise<SnapshotSummary[]>((resolve, reject) => {
      const abort = () => reject(options.signal!.reason);
      options.signal?.addEventListener("abort", abort, { once: true });
      const settle = () => options.signal?.removeEventListener("abort", abort);
      worker.on("message", (message: Message) => {
        if (!message.ok) {
          settle();
          reject(rebuildError(message.error));
          return;
        }
        summaries.push({
          census: message.census,
          ids: new IdSet(message.ids.keys, message.ids.chunks, message.ids.max, message.ids.size),
          byteLength: message.byteLength,
        });
        if (summaries.length === files.length) {
          settle();
          resolve(summaries);
        }
      });
      worker.on("error", (error) => {
        settle();
        reject(error);
      });
      worker.on("exit", (code) => {
        settle();
        if (summaries.length < files.length) reject(new Error(`the snapshot-reading worker exited (code ${code}) before reading ${files[summaries.length]}`));
      });
    });
  } finally {
    // Its heap is released at once, before the main thread's analysis needs the memory.
    await worker.terminate();
  }
}

/** The message for one summary, and the buffers to transfer with it. */
export function summaryMessage(summary: SnapshotSummary): { message: Message; transfer: ArrayBuffer[] } {
  const { keys, chunks, max, size } = summary.ids.parts();
  const transfer = [keys.buffer as ArrayBuffer, ...chunks.map((chunk) => chunk.buffer as ArrayBuffer)];
  return { message: { ok: true, census: summary.census, ids: { keys, chunks, max, size }, byteLength: summary.byteLength }, transfer };
}

/** An error as a message: what it takes to throw the same kind of error on the other side. */
export function errorMessage(error: unknown): Message {
  const e = error as Partial<SnapshotFormatError & NodeJS.ErrnoException>;
  return {
    ok: false,
    error: { name: e.name ?? "Error", message: e.message ?? String(error), path: e.path, offset: e.offset, code: e.code, errno: e.errno, syscall: e.syscall },
  };
}

function rebuildError(error: Extract<Message, { ok: false }>["error"]): Error {
  if (error.name === "SnapshotFormatError") {
    const rebuilt = new SnapshotFormatError(error.path ?? "", error.offset ?? 0, "");
    rebuilt.message = error.message;
    return rebuilt;
  }
  const rebuilt = Object.assign(new Error(error.message), { code: error.code, errno: error.errno, syscall: error.syscall, path: error.path });
  rebuilt.name = error.name;
  return rebuilt;
}
