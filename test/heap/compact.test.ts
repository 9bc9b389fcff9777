// The compact structures the reader and the analysis keep instead of JS arrays and Maps: the
// lazily decoded string table, the chunked id set, the pair table, and the packed edge words.
import { describe, expect, it } from "vitest";
import { typeBitsFor } from "../../src/heap/columns.js";
import { IdSet, IdSetBuilder } from "../../src/heap/id-set.js";
import { PairTable } from "../../src/heap/pair-table.js";
import { StringTable, StringTableBuilder } from "../../src/heap/strings.js";

describe("StringTable: raw bytes, decoded on demand", () => {
  const texts = [
    "",
    "plain ascii",
    'escapes: " \\ / \b \f \n \r \t \u0000 \u001f',
    "latin-1: café ünïcödé ß",
    "cjk: 中文字符串",
    "astral: 😀 𝄞",
    "lone surrogates: \ud800 x \udfff",
    "part of key (Map) -> value",
    `long: ${"x".repeat(3 * 1024 * 1024)}`, // longer than a block: a block of its own
  ];

  it("gives back every string exactly as JSON.parse would, escaped or not", () => {
    const table = StringTable.of(texts);
    expect(table.length).toBe(texts.length);
    expect(Array.from({ length: table.length }, (_, i) => table.get(i))).toEqual(texts);
  });

  it("compares and tests prefixes without decoding, and agrees with decoding", () => {
    const table = StringTable.of(texts);
    for (let i = 0; i < texts.length; i++) {
      for (const other of texts) expect(table.equals(i, other), `${i} vs ${other.slice(0, 20)}`).toBe(texts[i] === other);
      for (const prefix of ["", "p", "part of key", "plain", "escapes: \"", "latin-1: caf", "x"]) {
        expect(table.startsWith(i, prefix), `${i} starts with ${prefix}`).toBe(texts[i].startsWith(prefix));
      }
    }
    expect(table.equals(1, "plain asci")).toBe(false);
    expect(table.equals(1, "plain ascii!")).toBe(false);
  });

  it("throws a RangeError outside its strings", () => {
    const table = StringTable.of(["a"]);
    expect(() => table.get(1)).toThrow(RangeError);
    expect(() => table.get(-1)).toThrow(RangeError);
    expect(StringTable.of([]).length).toBe(0);
  });

  it("finds strings across many blocks", () => {
    const builder = new StringTableBuilder();
    const expected: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      const text = `${i}:${"y".repeat(i % 97)}`; // ~2 MB in all: several 1 MB blocks
      const bytes = Buffer.from(text);
      builder.add(bytes, 0, bytes.length);
      expected.push(text);
    }
    const table = builder.finish();
    for (let i = 0; i < expected.length; i += 7) expect(table.get(i)).toBe(expected[i]);
    expect(table.get(expected.length - 1)).toBe(expected[expected.length - 1]);
  });
});

describe("IdSet: chunks of bitmap or sorted lists", () => {
  it("holds dense, sparse and out-of-order ids, and nothing else", () => {
    const ids: number[] = [];
    for (let id = 1; id < 300_000; id += 2) ids.push(id); // dense, odd: bitmap chunks
    for (let id = 1_000_000_001; id < 1_000_100_000; id += 997) ids.push(id); // sparse: a list
    ids.push(0xffffffff, 0, 65_536, 65_535);
    const shuffled = [...ids].sort((a, b) => ((a * 2654435761) % 1000) - ((b * 2654435761) % 1000));
    const set = IdSet.from(shuffled);
    const members = new Set(ids);
    expect(set.max).toBe(0xffffffff);
    for (const id of ids) expect(set.has(id)).toBe(true);
    for (const id of [2, 4, 299_998, 300_001, 1_000_000_000, 1_000_000_002, 0xfffffffe, 65_537, -1, 2 ** 32]) {
      expect(set.has(id), String(id)).toBe(members.has(id));
    }
  });

  it("turns a chunk's list into a bitmap as it fills, without losing ids", () => {
    const builder = new IdSetBuilder();
    const ids = Array.from({ length: 10_000 }, (_, i) => 7 * 65_536 + ((i * 6_553) % 65_536));
    builder.addAll(ids, ids.length);
    const set = builder.finish();
    const members = new Set(ids);
    for (let low = 0; low < 65_536; low++) expect(set.has(7 * 65_536 + low)).toBe(members.has(7 * 65_536 + low));
    expect(set.byteLength).toBeLessThan(10_000 * 2); // a bitmap: 8 KB
  });

  it("comes apart and back together (as it crosses threads)", () => {
    const set = IdSet.from([3, 5, 1 << 20, 99]);
    const { keys, chunks, max, size } = set.parts();
    const again = new IdSet(keys, chunks, max, size);
    expect([3, 5, 1 << 20, 99, 4].map((id) => again.has(id))).toEqual([true, true, true, true, false]);
  });

  it("is empty when built from nothing", () => {
    const set = IdSet.from([]);
    expect([set.has(0), set.has(1), set.max]).toEqual([false, false, 0]);
  });
});

describe("PairTable", () => {
  it("numbers pairs densely in the order first seen, through growth", () => {
    const table = new PairTable();
    const pairs: [number, number][] = [];
    for (let i = 0; i < 5000; i++) pairs.push([i % 97, (i * 7919) | 0], [-i, 0x7fffffff - i]);
    const seen = new Map<string, number>();
    for (const [a, b] of pairs) {
      const key = `${a},${b}`;
      if (!seen.has(key)) seen.set(key, seen.size);
      expect(table.index(a, b)).toBe(seen.get(key));
    }
    expect(table.size).toBe(seen.size);
    // uint32 values are taken as int32: 0xffffffff and -1 are one key.
    expect(table.index(0xffffffff, 1)).toBe(table.index(-1, 1));
  });
});

describe("packed edge words", () => {
  it("give the type as many bits as the type names need", () => {
    expect([1, 2, 3, 4, 5, 7, 8, 9, 16, 17].map(typeBitsFor)).toEqual([1, 1, 2, 2, 3, 3, 3, 4, 4, 5]);
  });
});
