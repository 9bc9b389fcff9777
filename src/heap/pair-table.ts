// A hash table from a pair of 32-bit integers to a dense index (0, 1, 2… in the order pairs are
// first seen), over typed arrays: counting millions of nodes by (name, type) or survivors by
// path shape allocates nothing per lookup, where a Map of numbers boxes every key above 2^31.

export class PairTable {
  private firsts = new Int32Array(1024);
  private seconds = new Int32Array(1024);
  /** Dense index + 1 per slot; 0: empty. */
  private slots = new Int32Array(1024);
  size = 0;

  /** The dense index of (first, second), given the next one if the pair is new. Both are taken as int32. */
  index(first: number, second: number): number {
    const a = first | 0;
    const b = second | 0;
    const mask = this.slots.length - 1;
    let slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 15), 0x85ebca6b)) & mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) break;
      if (this.firsts[slot] === a && this.seconds[slot] === b) return entry - 1;
      slot = (slot + 1) & mask;
    }
    this.firsts[slot] = a;
    this.seconds[slot] = b;
    const index = this.size++;
    this.slots[slot] = index + 1;
    if (this.size * 2 > this.slots.length) this.grow();
    return index;
  }

  private grow(): void {
    const { firsts, seconds, slots } = this;
    this.firsts = new Int32Array(firsts.length * 2);
    this.seconds = new Int32Array(seconds.length * 2);
    this.slots = new Int32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let old = 0; old < slots.length; old++) {
      if (slots[old] === 0) continue;
      const a = firsts[old];
      const b = seconds[old];
      let slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 15), 0x85ebca6b)) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.firsts[slot] = a;
      this.seconds[slot] = b;
      this.slots[slot] = slots[old];
    }
  }
}

/** A Float64Array at least `length` long: `array` itself, or a copy twice as long. */
export function ensureLength(array: Float64Array, length: number): Float64Array {
  if (length <= array.length) return array;
  const bigger = new Float64Array(Math.max(length, array.length * 2));
  bigger.set(array);
  return bigger;
}
