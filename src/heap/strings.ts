// A snapshot's strings array kept as the bytes the file has them in (JSON escapes and all), in
// blocks, decoded only when asked for: the analysis looks at a few thousand of the strings
// (class names, edge names on paths), and a JS string per entry costs ~24 bytes more than
// its text and GC time on a big heap.

/** New strings go into blocks of this size; a longer string gets a block of its own. */
const BLOCK_SIZE = 1024 * 1024;

/** The strings of a snapshot, by index, decoded on demand exactly as JSON.parse would. */
export class StringTable {
  // Where the last located string lies: set by locate(), read right after it.
  private from = 0;
  private to = 0;

  /** Made by StringTableBuilder.finish (or StringTable.of). */
  constructor(
    /** String i lies in blocks[b] (b: the last block whose first string is ≤ i), from the previous string's end (0 for a block's first) to ends[i]. */
    private readonly blocks: readonly Buffer[],
    /** Index of the first string of each block. */
    private readonly blockFirst: Uint32Array,
    private readonly ends: Uint32Array,
  ) {}

  /** A table of `texts`, for tests and hand-made snapshots. */
  static of(texts: readonly string[]): StringTable {
    const builder = new StringTableBuilder();
    for (const text of texts) {
      const bytes = Buffer.from(JSON.stringify(text).slice(1, -1), "utf8");
      builder.add(bytes, 0, bytes.length);
    }
    return builder.finish();
  }

  get length(): number {
    return this.ends.length;
  }

  /** String `index`; a RangeError outside 0..length-1 (the reader checks every index it keeps). */
  get(index: number): string {
    const block = this.locate(index);
    const { from, to } = this;
    for (let i = from; i < to; i++) if (block[i] === 0x5c) return decodeJsonString(block, from, to);
    return block.toString("utf8", from, to);
  }

  /** get(index) === text, without decoding when the stored bytes are plain ASCII. */
  equals(index: number, text: string): boolean {
    const block = this.locate(index);
    const { from, to } = this;
    if (to - from < text.length) return false; // stored bytes are never fewer than the text's UTF-16 units
    for (let i = from, k = 0; i < to; i++, k++) {
      const c = block[i];
      if (c >= 0x80 || c === 0x5c) return this.get(index) === text;
      if (k >= text.length || c !== text.charCodeAt(k)) return false;
    }
    return to - from === text.length;
  }

  /**
   * Per text of `texts` (plain ASCII), the index of the first string equal to it, or -1: one pass
   * over the strings' lengths, bytes compared only where a length matches.
   */
  indicesOf(texts: readonly string[]): number[] {
    const found = texts.map(() => -1);
    const longest = Math.max(0, ...texts.map((text) => text.length));
    const wanted = new Uint8Array(longest + 1);
    for (const text of texts) wanted[text.length] = 1;
    const { ends, blockFirst, blocks } = this;
    let block = 0;
    let remaining = texts.length;
    for (let index = 0; index < ends.length && remaining > 0; index++) {
      while (block + 1 < blockFirst.length && blockFirst[block + 1] <= index) block++;
      const from = index === blockFirst[block] ? 0 : ends[index - 1];
      const length = ends[index] - from;
      if (length > longest || wanted[length] === 0) continue;
      const bytes = blocks[block];
      for (let t = 0; t < texts.length; t++) {
        const text = texts[t];
        if (found[t] !== -1 || text.length !== length) continue;
        let same = true;
        for (let k = 0; k < length && same; k++) same = bytes[from + k] === text.charCodeAt(k);
        if (same) {
          found[t] = index;
          remaining--;
        }
      }
    }
    return found;
  }

  /** get(index).startsWith(prefix), without decoding when the stored bytes start plain ASCII. */
  startsWith(index: number, prefix: string): boolean {
    const block = this.locate(index);
    const { from, to } = this;
    for (let i = from, k = 0; k < prefix.length; i++, k++) {
      if (i >= to) return false;
      const c = block[i];
      if (c >= 0x80 || c === 0x5c) return this.get(index).startsWith(prefix);
      if (c !== prefix.charCodeAt(k)) return false;
    }
    return true;
  }

  /** The block string `index` is in; its bytes are block[this.from..this.to). */
  private locate(index: number): Buffer {
    if (!(index >= 0 && index < this.ends.length)) throw new RangeError(`string ${index} of ${this.ends.length}`);
    const first = this.blockFirst;
    let low = 0;
    let high = first.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (first[middle] <= index) low = middle;
      else high = middle - 1;
    }
    this.from = index === first[low] ? 0 : this.ends[index - 1];
    this.to = this.ends[index];
    return this.blocks[low];
  }
}

/** Collects raw string bytes while the strings array is read. */
export class StringTableBuilder {
  private readonly blocks: Buffer[] = [];
  private readonly blockFirst: number[] = [];
  private block = Buffer.alloc(0);
  private used = 0;
  private ends = new Uint32Array(1024);
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Adds the bytes `source[from..to)`: a string's content between its quotes, escapes checked by the caller. */
  add(source: Uint8Array, from: number, to: number): void {
    const size = to - from;
    if (this.blockFirst.length === 0 || this.used + size > this.block.length) this.newBlock(size);
    const block = this.block;
    let at = this.used;
    if (size < 64) {
      for (let i = from; i < to; i++) block[at++] = source[i];
    } else {
      block.set(source.subarray(from, to), at);
      at += size;
    }
    this.used = at;
    if (this.count === this.ends.length) {
      const bigger = new Uint32Array(this.ends.length * 2);
      bigger.set(this.ends);
      this.ends = bigger;
    }
    this.ends[this.count++] = at;
  }

  private newBlock(size: number): void {
    this.closeBlock();
    // Never written past `used`: the untouched rest of a block costs no memory.
    this.block = Buffer.allocUnsafeSlow(Math.max(BLOCK_SIZE, size));
    this.used = 0;
    this.blockFirst.push(this.count);
  }

  private closeBlock(): void {
    if (this.blockFirst.length > 0) this.blocks.push(this.block.subarray(0, this.used));
  }

  finish(): StringTable {
    if (this.blockFirst.length === 0) this.newBlock(0);
    this.closeBlock();
    return new StringTable(this.blocks, Uint32Array.from(this.blockFirst), this.ends.subarray(0, this.count));
  }
}

/** `bytes[from..to)`, the inside of a JSON string with escapes already checked, decoded as JSON.parse does (lone surrogates kept). */
export function decodeJsonString(bytes: Buffer, from: number, to: number): string {
  let text = "";
  let segment = from;
  for (let i = from; i < to; i++) {
    if (bytes[i] !== 0x5c) continue;
    if (i > segment) text += bytes.toString("utf8", segment, i);
    const e = bytes[i + 1];
    switch (e) {
      case 0x62: text += "\b"; break;
      case 0x66: text += "\f"; break;
      case 0x6e: text += "\n"; break;
      case 0x72: text += "\r"; break;
      case 0x74: text += "\t"; break;
      case 0x75: {
        let unit = 0;
        for (let k = i + 2; k < i + 6; k++) unit = unit * 16 + hexValue(bytes[k]);
        text += String.fromCharCode(unit);
        i += 4;
        break;
      }
      default: text += String.fromCharCode(e); // \" \\ \/
    }
    i++;
    segment = i + 1;
  }
  if (segment < to) text += bytes.toString("utf8", segment, to);
  return text;
}

/** The value of a hex digit, or -1. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
