// The byte-level JSON reader's state belongs to each reader: two readers in one thread,
// interleaved at every chunk they wait for, read exactly what each reads alone (the
// scanners' state once lived in module variables and one reader corrupted the other's).

import type { FileHandle } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ByteReader, type UintSink } from "../../src/heap/json-bytes.js";
import { StringTableBuilder } from "../../src/heap/strings.js";

/** A file held in memory; every read resolves on a later turn, so readers awaiting it take turns. */
function memoryFile(text: string): FileHandle {
  const bytes = Buffer.from(text);
  const read = async (buffer: Buffer, offset: number, length: number, position: number) => {
    await Promise.resolve();
    const bytesRead = Math.max(0, Math.min(length, bytes.length - position));
    bytes.copy(buffer, offset, position, position + bytesRead);
    return { bytesRead, buffer };
  };
  return { read } as unknown as FileHandle;
}

function growingSink(label: string): UintSink {
  return { values: new Uint32Array(4), count: 0, drained: 0, limit: Number.MAX_SAFE_INTEGER, label };
}

interface Read {
  numbers: number[][];
  strings: string[];
  /** How many chunks this read waited for. */
  turns: number;
}

/** Reads `{"a":[uints],"s":[strings],"b":[uints]}` in chunks of `chunkSize` bytes, counting the turns it waits for. */
async function readDocument(text: string, chunkSize: number, log?: string[], name?: string): Promise<Read> {
  const file = memoryFile(text);
  const reader = new ByteReader(file, name ?? "doc", Buffer.byteLength(text), { chunkSize });
  let turns = 0;
  const more = reader.more.bind(reader);
  reader.more = async (keepFrom: number) => {
    turns++;
    log?.push(name ?? "");
    return more(keepFrom);
  };
  const numbers: number[][] = [];
  const table = new StringTableBuilder();
  await reader.expect(0x7b, '"{"', "document");
  for (;;) {
    const c = await reader.peek();
    if (c === 0x7d) break;
    if (c === 0x2c) {
      reader.pos++;
      continue;
    }
    const key = await reader.readString("a key");
    await reader.expect(0x3a, '":"', "after a key");
    await reader.peek();
    if (key === "s") await reader.readStrings(table);
    else {
      const sink = growingSink(key);
      await reader.readUints(sink, undefined);
      numbers.push(Array.from(sink.values.subarray(0, sink.count)));
    }
  }
  const strings = table.finish();
  return { numbers, strings: Array.from({ length: strings.length }, (_, i) => strings.get(i)), turns };
}

/** A document whose arrays span many chunks, with numbers and strings cut at every place. */
function documentOf(seed: number, length: number): string {
  const a = Array.from({ length }, (_, i) => (i * 2_654_435_761 + seed) >>> 0);
  const strings = Array.from({ length }, (_, i) => `s${seed}-${i}${i % 7 === 0 ? ' "quoted" \\ é' : ""}`);
  const b = Array.from({ length }, (_, i) => (i * 40_503 + seed * 7) % 100_000);
  return `{"a": [${a.join(", ")}],\n"s":${JSON.stringify(strings)},"b":[ ${b.join(" ,")} ]}`;
}

describe("ByteReader: state per reader", () => {
  it("two readers interleaved in one thread read exactly what each reads alone", async () => {
    const first = documentOf(1, 400);
    const second = documentOf(2, 300);
    // Different chunk sizes put the two readers' waits at different places in their arrays:
    // one waits after a comma while the other starts an array or stands in a string.
    const aloneFirst = await readDocument(first, 61);
    const aloneSecond = await readDocument(second, 47);
    expect(aloneFirst.numbers[0]).toHaveLength(400);
    expect(aloneFirst.strings).toEqual(JSON.parse(first).s);
    expect(aloneSecond.numbers[1]).toEqual(JSON.parse(second).b);

    const log: string[] = [];
    const [together1, together2] = await Promise.all([readDocument(first, 61, log, "first"), readDocument(second, 47, log, "second")]);
    expect(together1).toEqual(aloneFirst);
    expect(together2).toEqual(aloneSecond);
    // They did take turns: hundreds of switches from one reader to the other mid-array.
    const switches = log.filter((name, i) => i > 0 && name !== log[i - 1]).length;
    expect(switches).toBeGreaterThan(200);
  });
});
