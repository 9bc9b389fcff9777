// The streaming .heapsnapshot reader against JSON.parse of the same file: real snapshots from a
// child process, every chunk boundary, re-formatted files, and corrupt files that must fail
// fast with a SnapshotFormatError naming the byte.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  edgeName,
  edgeTarget,
  edgeType,
  edgeTypeName,
  nodeId,
  nodeName,
  nodeSelfSize,
  nodeTypeName,
  readHeapSnapshot,
  selfSizeOf,
  SnapshotFormatError,
  type HeapSnapshot,
} from "../../src/heap/snapshot.js";
import { formatLikeV8, readRaw, shrink, takeSnapshot, type RawSnapshot } from "./fixtures/snapshots.js";

const THINGS = 1234;
let dir: string;
let realFile: string;
let real: RawSnapshot;
/** A ~30 KB snapshot derived from the real one, with hard strings and values to skip. */
let smallFile: string;
let small: RawSnapshot;
let smallText: string;

// Strings the reader must decode exactly as JSON.parse does, some longer than a chunk.
const HARD_STRINGS = [
  "",
  "plain ascii",
  "escapes: \" \\ / \b \f \n \r \t \u0000 \u001f",
  "latin-1: café ünïcödé ß",
  "cjk: 中文字符串 日本語",
  "astral: 😀 𝄞",
  "lone surrogates: \ud800 x \udfff",
  "reversed pair: \ude00\ud83d",
  `long mixed: ${"aé中😀\n\\\"".repeat(2_000)}`,
  `long ascii: ${"x".repeat(10_000)}`,
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "leakcheck-heap-reader-"));
  realFile = path.join(dir, "real.heapsnapshot");
  await takeSnapshot(realFile, THINGS);
  real = await readRaw(realFile);
  small = shrink(real, 300, HARD_STRINGS);
  smallText = formatLikeV8(small);
  smallFile = path.join(dir, "small.heapsnapshot");
  await writeFile(smallFile, smallText);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Index of the first difference between our values and JSON.parse's, or -1. */
function firstMismatch(ours: ArrayLike<number | string>, theirs: ArrayLike<number | string>): number {
  if (ours.length !== theirs.length) return Math.min(ours.length, theirs.length);
  for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) return i;
  return -1;
}

/** Field `field` of every record of a flat JSON array (`width` values per record). */
function column(values: number[], width: number, field: number): number[] {
  const out: number[] = [];
  for (let k = field; k < values.length; k += width) out.push(values[k]);
  return out;
}

/** Every string of the table, decoded. */
function allStrings(s: HeapSnapshot): string[] {
  return Array.from({ length: s.strings.length }, (_, i) => s.strings.get(i));
}

/** The node columns as the file has them: type, name, id and self size per node (accessors, so big self sizes count). */
function nodeFields(s: HeapSnapshot): { type: number[]; name: number[]; id: number[]; selfSize: number[] } {
  const nodes = Array.from({ length: s.nodeCount }, (_, i) => i);
  return { type: nodes.map((i) => s.nodes.type[i]), name: nodes.map((i) => s.nodes.name[i]), id: nodes.map((i) => nodeId(s, i)), selfSize: nodes.map((i) => nodeSelfSize(s, i)) };
}

/** Checks a read snapshot against JSON.parse of the same file, field by field. */
function expectSameAsJson(s: HeapSnapshot, raw: RawSnapshot, { edges = true } = {}): void {
  const meta = raw.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  expect(s.nodeFields).toEqual(meta.node_fields);
  expect(s.edgeFields).toEqual(meta.edge_fields);
  expect(s.nodeTypes).toEqual(meta.node_types[meta.node_fields.indexOf("type")]);
  expect(s.edgeTypes).toEqual(meta.edge_types[meta.edge_fields.indexOf("type")]);
  expect(s.nodeCount).toBe(raw.snapshot.node_count);
  expect(s.edgeCount).toBe(raw.snapshot.edge_count);
  expect([s.nodeFieldCount, s.edgeFieldCount]).toEqual([nf, ef]);
  // Only the node fields the analysis uses are kept (not trace_node_id, detachedness).
  expect(Object.keys(s.nodes).sort()).toEqual(["bigSelfSize", "id", "name", "selfSize", "type"]);
  expect(s.nodes.type.length).toBe(s.nodeCount);
  const fields = nodeFields(s);
  for (const [key, field] of [["type", "type"], ["name", "name"], ["id", "id"], ["selfSize", "self_size"]] as const) {
    expect(firstMismatch(fields[key], column(raw.nodes, nf, meta.node_fields.indexOf(field))), key).toBe(-1);
  }
  expect(firstMismatch(allStrings(s), raw.strings)).toBe(-1);
  const locationFields = meta.location_fields ?? [];
  expect(s.locationFields).toEqual(locationFields);
  const objectAt = locationFields.indexOf("object_index");
  const locations = (raw.locations ?? []).map((value, i) => (i % locationFields.length === objectAt ? value / nf : value));
  expect(firstMismatch(s.locations, locations)).toBe(-1);
  if (!edges) return;
  const counts = column(raw.nodes, nf, meta.node_fields.indexOf("edge_count"));
  expect(firstMismatch(s.firstEdge!, [0, ...counts.map(((sum) => (count: number) => (sum += count))(0))])).toBe(-1);
  expect(s.edges).toBeDefined();
  expect(s.edges!.link.length).toBe(s.edgeCount);
  const edgeIndices = Array.from({ length: s.edgeCount }, (_, e) => e);
  expect(firstMismatch(edgeIndices.map((e) => edgeType(s, e)), column(raw.edges, ef, meta.edge_fields.indexOf("type")))).toBe(-1);
  expect(firstMismatch(edgeIndices.map((e) => s.edges!.nameOrIndex[e]), column(raw.edges, ef, meta.edge_fields.indexOf("name_or_index")))).toBe(-1);
  expect(firstMismatch(edgeIndices.map((e) => edgeTarget(s, e)), column(raw.edges, ef, meta.edge_fields.indexOf("to_node")).map((to) => to / nf))).toBe(-1);
}

/** The same content read two ways: every column equal. */
function expectSameSnapshot(a: HeapSnapshot, b: HeapSnapshot): void {
  for (const key of ["type", "name", "id", "selfSize"] as const) expect(firstMismatch(a.nodes[key], b.nodes[key]), key).toBe(-1);
  expect([...a.nodes.bigSelfSize]).toEqual([...b.nodes.bigSelfSize]);
  expect(firstMismatch(a.edges?.link ?? [], b.edges?.link ?? [])).toBe(-1);
  expect(firstMismatch(a.edges?.nameOrIndex ?? [], b.edges?.nameOrIndex ?? [])).toBe(-1);
  expect(firstMismatch(a.firstEdge ?? [], b.firstEdge ?? [])).toBe(-1);
  expect(firstMismatch(allStrings(a), allStrings(b))).toBe(-1);
  expect(firstMismatch(a.locations, b.locations)).toBe(-1);
  expect([a.nodeCount, a.edgeCount, a.rootOrdinal]).toEqual([b.nodeCount, b.edgeCount, b.rootOrdinal]);
}

describe("a real snapshot from a child process", () => {
  it("reads every node, edge, string and location exactly as JSON.parse sees them", async () => {
    const s = await readHeapSnapshot(realFile);
    expectSameAsJson(s, real);
    expect(s.locations.length).toBeGreaterThan(0);
    expect(s.byteLength).toBe((await stat(realFile)).size);
    expect(s.path).toBe(realFile);
  });

  it("finds the allocated class with its count, its fields and valid edges", async () => {
    const s = await readHeapSnapshot(realFile);
    const things: number[] = [];
    for (let i = 0; i < s.nodeCount; i++) {
      if (nodeTypeName(s, i) === "object" && nodeName(s, i) === "LeakyThing") things.push(i);
    }
    expect(things).toHaveLength(THINGS);
    // Each LeakyThing has a "label" property pointing at its string and an "onEvent" closure.
    const labels = new Set<string>();
    for (const thing of things) {
      const out = new Map<string, number>();
      for (let e = s.firstEdge![thing]; e < s.firstEdge![thing + 1]; e++) out.set(`${edgeTypeName(s, e)}:${edgeName(s, e)}`, edgeTarget(s, e));
      const label = out.get("property:label");
      expect(label).toBeDefined();
      labels.add(nodeName(s, label!));
      expect(nodeTypeName(s, out.get("property:onEvent")!)).toBe("closure");
      expect(nodeSelfSize(s, thing)).toBeGreaterThan(0);
      expect(nodeId(s, thing) % 2).toBe(1); // V8 gives heap objects odd ids
    }
    expect(labels.size).toBe(THINGS);
    expect(labels.has(`thing-${THINGS - 1}`)).toBe(true);
    // firstEdge covers all edges in order; every target is a node.
    expect(s.firstEdge).toHaveLength(s.nodeCount + 1);
    expect(s.firstEdge![s.nodeCount]).toBe(s.edgeCount);
    let unordered = 0;
    for (let i = 0; i < s.nodeCount; i++) if (s.firstEdge![i + 1] < s.firstEdge![i]) unordered++;
    expect(unordered).toBe(0);
    let badTargets = 0;
    let elementEdge = -1;
    for (let e = 0; e < s.edgeCount; e++) {
      if (edgeTarget(s, e) >= s.nodeCount) badTargets++;
      if (elementEdge === -1 && edgeTypeName(s, e) === "element") elementEdge = e;
    }
    expect(badTargets).toBe(0);
    // Element and hidden edges are named by their index.
    expect(edgeName(s, elementEdge)).toMatch(/^\d+$/);
    expect(s.rootOrdinal).toBe(0);
    expect(nodeTypeName(s, s.rootOrdinal)).toBe("synthetic");
    // An edge is one link word (target ordinal above the type bits) and its name_or_index.
    expect(s.edges!.typeBits).toBe(3); // V8's 7 edge types
    expect(s.edges!.link[0] >>> s.edges!.typeBits).toBe(edgeTarget(s, 0));
    expect(s.edges!.link[0] & s.edges!.typeMask).toBe(edgeType(s, 0));
  });

  it("skips edges with { edges: false } and keeps nodes and strings", async () => {
    const s = await readHeapSnapshot(realFile, { edges: false });
    expect(s.edges).toBeUndefined();
    expect(s.firstEdge).toBeUndefined();
    expectSameAsJson(s, real, { edges: false });
    expect(() => edgeName(s, 0)).toThrow(/edges: false/);
  });

  it("hands the nodes to visitNodes a batch at a time instead of keeping them", async () => {
    const s0 = await readHeapSnapshot(realFile, { edges: false });
    const seen = { type: [] as number[], name: [] as number[], id: [] as number[], selfSize: [] as number[] };
    let next = 0;
    const s = await readHeapSnapshot(realFile, {
      edges: false,
      chunkSize: 4096,
      visitNodes: (batch) => {
        expect(batch.first).toBe(next);
        next += batch.count;
        expect(batch.nodeTypes).toEqual(s0.nodeTypes);
        for (let i = 0; i < batch.count; i++) {
          seen.type.push(batch.type[i]);
          seen.name.push(batch.name[i]);
          seen.id.push(batch.id[i]);
          seen.selfSize.push(selfSizeOf(batch, i));
        }
      },
    });
    expect(next).toBe(s.nodeCount);
    expect(s.nodes.type.length).toBe(0);
    expect(s.locations.length).toBe(0); // only a kept snapshot places closures
    expect(seen).toEqual(nodeFields(s0));
    expect(firstMismatch(allStrings(s), real.strings)).toBe(-1);
    await expect(readHeapSnapshot(realFile, { visitNodes: () => undefined })).rejects.toThrow(/visitNodes needs \{ edges: false \}/);
  });

  it("reads two snapshots at once in one thread exactly as one after the other", async () => {
    const [a, b] = await Promise.all([readHeapSnapshot(realFile, { chunkSize: 1000 }), readHeapSnapshot(smallFile, { chunkSize: 777 })]);
    expectSameSnapshot(a, await readHeapSnapshot(realFile));
    expectSameSnapshot(b, await readHeapSnapshot(smallFile));
  });

  it("reports progress up to the file size and stops when aborted", async () => {
    const seen: number[] = [];
    const s = await readHeapSnapshot(realFile, { chunkSize: 64 * 1024, onProgress: (bytes, total) => seen.push(bytes, total) });
    expect(seen.at(-2)).toBe(s.byteLength);
    expect(seen.at(-1)).toBe(s.byteLength);
    expect(seen.length / 2).toBeLessThan(s.byteLength / (4 * 1024 * 1024) + 2); // every 4 MB at most
    await expect(readHeapSnapshot(realFile, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    const controller = new AbortController();
    const reading = readHeapSnapshot(realFile, { chunkSize: 64 * 1024, signal: controller.signal });
    controller.abort(); // while the read is under way: it stops at the next chunk
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
  });

  it("reads the same at any chunk size", async () => {
    const whole = await readHeapSnapshot(realFile);
    for (const chunkSize of [64, 1000, 65_536]) {
      expectSameSnapshot(await readHeapSnapshot(realFile, { chunkSize }), whole);
    }
  });

  it("reads a re-formatted file (pretty-printed, raw UTF-8) identically", async () => {
    const pretty = path.join(dir, "pretty.heapsnapshot");
    await writeFile(pretty, JSON.stringify(real, null, 1));
    const whole = await readHeapSnapshot(realFile);
    expectSameSnapshot(await readHeapSnapshot(pretty), whole);
    expectSameSnapshot(await readHeapSnapshot(pretty, { chunkSize: 4096 }), whole);
  });
});

describe("chunk boundaries everywhere (a small derived snapshot)", () => {
  it("decodes every string, number and skipped value at chunk sizes 1, 7, 64 and the default", async () => {
    const whole = await readHeapSnapshot(smallFile);
    expectSameAsJson(whole, small);
    expect(allStrings(whole).slice(-HARD_STRINGS.length)).toEqual(HARD_STRINGS);
    for (const chunkSize of [1, 7, 64]) {
      const s = await readHeapSnapshot(smallFile, { chunkSize });
      expectSameSnapshot(s, whole);
      expect(s.byteLength).toBe(Buffer.byteLength(smallText));
    }
  });

  it("reads the compact and the pretty-printed forms the same, with raw multibyte UTF-8 split across chunks", async () => {
    const whole = await readHeapSnapshot(smallFile);
    for (const [name, text] of [
      ["compact", JSON.stringify(small)],
      ["pretty", JSON.stringify(small, null, 1)],
      ["tabs and CRLF", JSON.stringify(small, null, "\t").replaceAll("\n", "\r\n")],
    ]) {
      const file = path.join(dir, `small-${name.replaceAll(" ", "-")}.heapsnapshot`);
      await writeFile(file, text);
      for (const chunkSize of [7, undefined]) expectSameSnapshot(await readHeapSnapshot(file, { chunkSize }), whole);
    }
  });
});

describe("corrupt and foreign files", () => {
  let corruptDir: string;
  beforeAll(async () => {
    corruptDir = path.join(dir, "corrupt");
    await mkdir(corruptDir);
  });

  /** Writes `content`, reads it, and returns the SnapshotFormatError (failing if there is none, or it is slow). */
  async function failure(name: string, content: string | Buffer, chunkSize?: number): Promise<SnapshotFormatError> {
    const file = path.join(corruptDir, `${name}.heapsnapshot`);
    await writeFile(file, content);
    const started = performance.now();
    const error = await readHeapSnapshot(file, { chunkSize }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(performance.now() - started).toBeLessThan(2000);
    if (!(error instanceof SnapshotFormatError)) throw new Error(`${name}: expected a SnapshotFormatError, got ${String(error)}`);
    expect(error.message).not.toContain("\n");
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    expect(error.message).toContain(`at byte ${error.offset}`);
    expect(error.path).toBe(file);
    return error;
  }
  const byteAt = (text: string, index: number): number => Buffer.byteLength(text.slice(0, index));

  it("says where a truncated file ends, and what was still expected", async () => {
    const t = smallText;
    const cuts: Array<[string, number, RegExp]> = [
      ["in the header", 60, /inside the "snapshot" header/],
      ["mid-nodes", t.indexOf('"nodes":[') + 200, /expected \d+ more node values/],
      ["mid-edges", t.indexOf('"edges":[') + 301, /expected \d+ more edge values/],
      ["mid-string", t.indexOf("long mixed: ") + 1000, /inside string \d+ of the strings array/],
      ["mid-strings array", t.indexOf('"plain ascii",') + '"plain ascii",'.length, /strings so far and no closing/],
      ["in a skipped value", t.indexOf('"trace_tree":[') + 20, /inside the "trace_tree" value/],
      ["before the last brace", t.length - 1, /expected "," or "}"/],
    ];
    for (const [name, cut, detail] of cuts) {
      for (const chunkSize of [undefined, 7]) {
        const error = await failure(`truncated ${name}`, t.slice(0, cut), chunkSize);
        expect(error.message).toContain("unexpected end of file");
        expect(error.message).toMatch(detail);
        expect(error.offset).toBe(byteAt(t, cut));
      }
    }
  });

  it("points at a bad byte inside the numbers", async () => {
    const t = smallText;
    const from = t.indexOf('"nodes":[') + 50;
    const number = /,(\d+)/.exec(t.slice(from))!;
    const at = from + number.index + 1; // the first byte of a whole number in the nodes array
    const cases: Array<[string, string, RegExp]> = [
      ["letter", "x", /expected a digit in the nodes array, found "x"/],
      ["negative", "-1", /negative number in the nodes array/],
      ["fraction", "1.5", /fractional number in the nodes array/],
      ["exponent", "1e3", /fractional number in the nodes array/],
      ["too big", "4294967296", /node value 4294967296 is larger than 4294967295/],
      ["far too big", "9".repeat(40), /node value 9{11,20}… is larger than 4294967295/],
      ["missing comma", "1 2", /expected "," or "\]" in the nodes array, found "2"/],
      ["double comma", "1,,2", /expected a digit in the nodes array, found ","/],
      ["quote", '"7"', /expected a digit in the nodes array, found "\\""/],
    ];
    for (const [name, replacement, message] of cases) {
      for (const chunkSize of [undefined, 7]) {
        const error = await failure(`nodes ${name}`, t.slice(0, at) + replacement + t.slice(at + number[1].length), chunkSize);
        expect(error.message).toMatch(message);
        expect(error.offset).toBeGreaterThanOrEqual(byteAt(t, at));
        expect(error.offset).toBeLessThanOrEqual(byteAt(t, at) + replacement.length);
      }
    }
  });

  it("takes the largest uint32, and self sizes past 16 bits", async () => {
    const copy = structuredClone(small);
    const nf = copy.snapshot.meta.node_fields.length;
    copy.nodes[3] = 2 ** 32 - 1; // self_size of the root
    copy.nodes[2] = 2 ** 32 - 1; // its id
    copy.nodes[nf + 3] = 0xffff; // the next node's self size: just at the 16-bit escape
    copy.nodes[2 * nf + 3] = 0xfffe; // just below it
    const file = path.join(corruptDir, "largest.heapsnapshot");
    await writeFile(file, formatLikeV8(copy));
    const s = await readHeapSnapshot(file);
    expect([nodeSelfSize(s, 0), nodeId(s, 0), nodeSelfSize(s, 1), nodeSelfSize(s, 2)]).toEqual([2 ** 32 - 1, 2 ** 32 - 1, 0xffff, 0xfffe]);
    expect([...s.nodes.bigSelfSize.keys()].sort()).toEqual([0, 1]);
    expectSameAsJson(s, copy);
  });

  it("rejects empty, foreign and garbage files at once", async () => {
    expect((await failure("empty", "")).message).toMatch(/empty file at byte 0$/);
    expect((await failure("whitespace", "  \n ")).message).toMatch(/only whitespace/);
    expect((await failure("array json", "[1,2,3]")).message).toMatch(/not a heap snapshot: expected "\{", found "\[" at byte 0/);
    expect((await failure("other json", '{"name":"leakcheck","version":"1.0.0"}')).message).toMatch(/the first key is "name", expected "snapshot"/);
    expect((await failure("no meta", '{"snapshot":{"node_count":1},"nodes":[]}')).message).toMatch(/snapshot.meta is missing at byte 12/);
    expect((await failure("header not json", '{"snapshot":{"meta":{,}},"nodes":[]}')).message).toMatch(/header is not valid JSON/);
    let seed = 42;
    const random = Buffer.from(Array.from({ length: 100_000 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16) & 0xff));
    expect((await failure("garbage", random)).offset).toBe(0);
    random[0] = 0x7b; // "{" then garbage
    expect((await failure("brace then garbage", random)).offset).toBeLessThan(100_000);
    const nul = Buffer.alloc(1 << 20);
    expect((await failure("zeros", nul)).message).toMatch(/found byte 0x00 at byte 0/);
    const deep = `{"snapshot":${"[".repeat(1_000_000)}`;
    expect((await failure("deep", deep)).message).toMatch(/nested more than/);
  });

  it("checks the layout the header declares", async () => {
    const withMeta = (change: (raw: RawSnapshot) => void): string => {
      const copy = structuredClone(small);
      change(copy);
      return formatLikeV8(copy);
    };
    const cases: Array<[string, (raw: RawSnapshot) => void, RegExp]> = [
      ["no id field", (r) => (r.snapshot.meta.node_fields = r.snapshot.meta.node_fields.map((f) => (f === "id" ? "ident" : f))), /node_fields has no "id"/],
      ["no to_node field", (r) => (r.snapshot.meta.edge_fields = ["type", "name_or_index", "target"]), /edge_fields has no "to_node"/],
      ["no node type names", (r) => (r.snapshot.meta.node_types = []), /node_types has no list of type names/],
      ["node_count far too large", (r) => (r.snapshot.node_count = 1e9), /nodes array has 2100 values, but snapshot.node_count says 1000000000 nodes/],
      ["node_count not a number", (r) => (r.snapshot.node_count = "12" as unknown as number), /node_count is "12"/],
      ["fewer nodes than declared", (r) => (r.snapshot.node_count += 1), /nodes array has \d+ values, but snapshot.node_count says 301 nodes/],
      ["more nodes than declared", (r) => (r.snapshot.node_count -= 1), /more node values than the snapshot header declares/],
      ["fewer edges than declared", (r) => (r.snapshot.edge_count += 1), /the edges array has \d+ values, but snapshot.edge_count says/],
      ["edge_count sum", (r) => (r.nodes[4] += 1), /edge_count fields add up to \d+, but snapshot.edge_count is/],
      ["to_node not a multiple", (r) => (r.edges[2] += 1), /edge 0 points to \d+, which is not the start of one of the 300 nodes/],
      ["to_node out of range", (r) => (r.edges[2] = 300 * 7), /edge 0 points to 2100/],
      ["node name out of range", (r) => (r.nodes[1] = 1e6), /node 0 has name 1000000, but there are \d+ strings/],
      ["node type out of range", (r) => (r.nodes[0] = 99), /node 0 has type 99, but there are \d+ node types/],
      ["root_index not a node", (r) => (r.snapshot.root_index = 3), /snapshot.root_index 3 is not the start of a node/],
      ["no strings", (r) => delete (r as Partial<RawSnapshot>).strings, /no "strings" array/],
    ];
    for (const [name, change, message] of cases) {
      const error = await failure(`layout ${name}`, withMeta(change));
      expect(error.message).toMatch(message);
    }
    expect((await failure("nodes not an array", smallText.replace('"nodes":[', '"nodes":{'))).message).toMatch(/expected "\[" to start the "nodes" array, found "\{"/);
    const duplicated = smallText.replace('"samples":[]', '"nodes":[]');
    expect((await failure("duplicate key", duplicated)).message).toMatch(/duplicate key "nodes"/);
    expect((await failure("trailing data", `${smallText}\n{}`)).message).toMatch(/unexpected data after the end of the snapshot: "\{"/);
    expect((await failure("bad escape", smallText.replace('"plain ascii"', '"plain \\q ascii"'))).message).toMatch(/invalid escape "\\q"/);
    expect((await failure("bad unicode escape", smallText.replace('"plain ascii"', '"plain \\u12G4"'))).message).toMatch(/expected 4 hex digits after "\\u", found "G"/);
    expect((await failure("raw control character", smallText.replace('"plain ascii"', '"plain \u0001 ascii"'))).message).toMatch(/control character byte 0x01 inside a string/);
    expect((await failure("number in strings", smallText.replace('"plain ascii"', "12"))).message).toMatch(/expected a string in the strings array, found "1"/);
  });

  it("names a directory or a named pipe as not a file, and leaves a missing file to the usual ENOENT", async () => {
    const error = await readHeapSnapshot(corruptDir).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SnapshotFormatError);
    expect((error as Error).message).toBe(`${corruptDir}: not a file at byte 0 (a directory)`);
    const fifo = path.join(corruptDir, "pipe.heapsnapshot");
    execFileSync("mkfifo", [fifo]);
    await expect(readHeapSnapshot(fifo)).rejects.toThrow(`${fifo}: not a file at byte 0 (a named pipe)`);
    await expect(readHeapSnapshot(path.join(corruptDir, "missing.heapsnapshot"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
