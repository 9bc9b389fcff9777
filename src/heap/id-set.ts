// The ids of a snapshot, for "did this object exist then?". V8 hands out ids two apart as it
// first sees objects, so a snapshot's ids are nearly dense runs: per chunk of 65,536 ids, a
// bitmap (8 KB for up to 32,768 ids: a quarter byte each) when the chunk is dense, else the
// sorted low halves (2 bytes each). A sorted Uint32Array took 4 bytes per id and a binary
// search of ~20 steps per lookup.

const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
/** A chunk with more ids than this is kept as a bitmap: that many low halves take as many bytes. */
const LIST_LIMIT = CHUNK_SIZE / 16;

/** A set of node ids, from a snapshot (IdSetBuilder) or a list (IdSet.from). */
export class IdSet {
  /** Made by IdSetBuilder (or IdSet.from). */
  constructor(
    /** Sorted chunk numbers (id >>> 16) that hold ids. */
    private readonly keys: Uint32Array,
    /** Per chunk: a bitmap of CHUNK_SIZE bits (a Uint8Array), or its ids' sorted low 16 bits. */
    private readonly chunks: readonly (Uint8Array | Uint16Array)[],
    /** The largest id (0 when empty). */
    readonly max: number,
    readonly size: number,
  ) {}

  /** The set of the first `count` ids of `ids` (any order). */
  static from(ids: ArrayLike<number>, count = ids.length): IdSet {
    const builder = new IdSetBuilder();
    builder.addAll(ids, count);
    return builder.finish();
  }

  has(id: number): boolean {
    // Ids are handed out in increasing order: anything above the largest is newer.
    if (id > this.max || id < 0) return false;
    const key = id >>> CHUNK_BITS;
    const keys = this.keys;
    let low = 0;
    let high = keys.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = keys[middle];
      if (value === key) return chunkHas(this.chunks[middle], id & (CHUNK_SIZE - 1));
      if (value < key) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  /** What it is made of, to send to another thread (IdSet's constructor takes the same). */
  parts(): { keys: Uint32Array; chunks: (Uint8Array | Uint16Array)[]; max: number; size: number } {
    return { keys: this.keys, chunks: [...this.chunks], max: this.max, size: this.size };
  }

  /** Bytes held, for measurements. */
  get byteLength(): number {
    return this.keys.byteLength + this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  }
}

function chunkHas(chunk: Uint8Array | Uint16Array, low: number): boolean {
  if (chunk instanceof Uint8Array) return (chunk[low >>> 3] & (1 << (low & 7))) !== 0;
  let from = 0;
  let to = chunk.length - 1;
  while (from <= to) {
    const middle = (from + to) >>> 1;
    const value = chunk[middle];
    if (value === low) return true;
    if (value < low) from = middle + 1;
    else to = middle - 1;
  }
  return false;
}

/** A chunk being filled: a list of low halves (unsorted) until it passes LIST_LIMIT, then a bitmap. */
class ChunkBuilder {
  list: Uint16Array | undefined = new Uint16Array(16);
  count = 0;
  bitmap: Uint8Array | undefined;

  add(low: number): void {
    if (this.bitmap !== undefined) {
      this.bitmap[low >>> 3] |= 1 << (low & 7);
      return;
    }
    let list = this.list!;
    if (this.count === list.length) {
      if (this.count >= LIST_LIMIT) {
        this.toBitmap();
        this.add(low);
        return;
      }
      const bigger = new Uint16Array(list.length * 2);
      bigger.set(list);
      this.list = list = bigger;
    }
    list[this.count++] = low;
  }

  private toBitmap(): void {
    const bitmap = new Uint8Array(CHUNK_SIZE >>> 3);
    const list = this.list!;
    for (let i = 0; i < this.count; i++) bitmap[list[i] >>> 3] |= 1 << (list[i] & 7);
    this.bitmap = bitmap;
    this.list = undefined;
  }

  finish(): Uint8Array | Uint16Array {
    if (this.bitmap !== undefined) return this.bitmap;
    return this.list!.slice(0, this.count).sort();
  }
}

/** Collects ids as a snapshot streams by, in any order (mostly ascending in practice). */
export class IdSetBuilder {
  private readonly chunks = new Map<number, ChunkBuilder>();
  private lastKey = -1;
  private last: ChunkBuilder | undefined;
  private max = 0;
  private size = 0;

  addAll(ids: ArrayLike<number>, count: number): void {
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      const key = id >>> CHUNK_BITS;
      if (key !== this.lastKey) {
        let chunk = this.chunks.get(key);
        if (chunk === undefined) this.chunks.set(key, (chunk = new ChunkBuilder()));
        this.last = chunk;
        this.lastKey = key;
      }
      this.last!.add(id & (CHUNK_SIZE - 1));
      if (id > this.max) this.max = id;
    }
    this.size += count;
  }

  finish(): IdSet {
    const keys = Uint32Array.from(this.chunks.keys()).sort();
    const chunks = Array.from(keys, (key) => this.chunks.get(key)!.finish());
    return new IdSet(keys, chunks, this.max, this.size);
  }
}
