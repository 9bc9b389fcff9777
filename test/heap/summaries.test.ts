// The baseline read on a worker thread (the built code: the worker runs dist/): the same census
// and ids as read in-thread, the reader's own errors on the other side, and an abort that ends it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSummary } from "../../dist/src/heap/census.js";
import { SnapshotFormatError } from "../../dist/src/heap/format-error.js";
import { readSummaries } from "../../dist/src/heap/summaries.js";
import { takeSnapshot } from "./fixtures/snapshots.js";

let dir: string;
let first: string;
let second: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "leakcheck-heap-summaries-"));
  first = path.join(dir, "first.heapsnapshot");
  second = path.join(dir, "second.heapsnapshot");
  await Promise.all([takeSnapshot(first, 300), takeSnapshot(second, 700)]);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("readSummaries on a worker thread", () => {
  it("gives what readSummary gives in this thread, file by file", async () => {
    const summaries = await readSummaries([first, second]);
    const expected = [await readSummary(first), await readSummary(second)];
    expect(summaries.map((summary) => summary.census)).toEqual(expected.map((summary) => summary.census));
    expect(summaries.map((summary) => summary.byteLength)).toEqual(expected.map((summary) => summary.byteLength));
    for (const [index, summary] of summaries.entries()) {
      expect(summary.ids.max).toBe(expected[index].ids.max);
      for (let id = 0; id <= Math.min(summary.ids.max, 400_000); id++) {
        if (summary.ids.has(id) !== expected[index].ids.has(id)) throw new Error(`id ${id} of file ${index}`);
      }
    }
    expect(await readSummaries([])).toEqual([]);
  });

  it("throws the reader's SnapshotFormatError, with its file and byte", async () => {
    const broken = path.join(dir, "broken.heapsnapshot");
    await writeFile(broken, '{"snapshot":{"meta":{}},"nodes":[]}');
    const inThread = (await readSummary(broken).then(
      () => undefined,
      (error: unknown) => error,
    )) as SnapshotFormatError;
    const error = await readSummaries([first, broken]).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SnapshotFormatError);
    expect(error).toMatchObject({ name: "SnapshotFormatError", message: inThread.message, path: broken, offset: inThread.offset });
    await expect(readSummaries([path.join(dir, "missing.heapsnapshot")])).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("stops when aborted", async () => {
    await expect(readSummaries([first], { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    const controller = new AbortController();
    const reading = readSummaries([first, second, first, second], { signal: controller.signal });
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
  });
});
