// A byte-level JSON reader over a file read in big chunks: just the shapes a heap snapshot
// has (arrays of uint32, arrays of strings, anything else skipped), with no whole-file
// string, so files past V8's ~512 MB string limit read. Tokens never need more than one
// chunk: an incomplete token is kept at the front of the buffer when the next chunk is read,
// and the buffer doubles for a token longer than half of it (a long script source).
import { constants } from "node:buffer";
import type { FileHandle } from "node:fs/promises";
import { SnapshotFormatError, showByte } from "./format-error.js";
import { decodeJsonString, hexValue, type StringTableBuilder } from "./strings.js";

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
const PROGRESS_EVERY = 4 * 1024 * 1024;
const MAX_DEPTH = 10_000;
const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;
/** The characters after "\\" that JSON allows besides "u": " \\ / b f n r t. */
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/**
 * Where an array of numbers goes: a typed array that doubles (locations), or a small scratch
 * array that `drain` empties into the snapshot's own columns a batch of whole records at a
 * time (nodes, edges), so only the fields kept are ever stored.
 */
export interface UintSink {
  /** Where values are scanned to. */
  values: Uint32Array;
  /** Values in `values`, not drained yet. */
  count: number;
  /** Values drained so far. */
  drained: number;
  /** With `drain`: the most values the array may hold (the header's count); a value more is an error. */
  readonly limit: number;
  /** Takes the whole records at the front of values[0..count), knowing `drained` values came before; returns how many values it took. */
  readonly drain?: (values: Uint32Array, count: number, drained: number) => number;
  /** "node", "edge", "location": for messages. */
  readonly label: string;
}

/** Values read into a sink so far. */
export function sinkTotal(sink: UintSink): number {
  return sink.drained + sink.count;
}

export interface ByteReaderOptions {
  chunkSize: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Reads JSON tokens from a file handle; `pos` indexes `buf`, `base` is the file offset of `buf[0]`. */
export class ByteReader {
  buf: Buffer;
  pos = 0;
  end = 0;
  base = 0;
  eof = false;
  private filePos = 0;
  private reported = 0;
  // State of a string scan that ran into the end of the buffer (bytes after the quote already scanned).
  private scanned = 0;
  private scanHigh = 0;
  private scanEscape = false;
  /** This reader's state between calls of the array scanners (never shared: a reader may wait for a chunk while another scans). */
  private readonly arrayScan = new ArrayScan();

  constructor(
    private readonly file: FileHandle,
    readonly path: string,
    readonly totalBytes: number,
    private readonly options: ByteReaderOptions,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(options.chunkSize, 16));
  }

  /** Bytes read from the file so far. */
  get bytesRead(): number {
    return this.filePos;
  }

  fail(problem: string, at: number = this.pos, detail?: string): never {
    throw new SnapshotFormatError(this.path, this.base + at, problem, detail);
  }

  /** End of file where more was needed: `detail` says what (the message reads "truncated? <detail>"). */
  failEof(detail: string): never {
    throw new SnapshotFormatError(this.path, this.base + this.end, "unexpected end of file", `truncated? ${detail}`);
  }

  /** Reads the next chunk, keeping `buf[keepFrom..end)` at the front; false at end of file. */
  async more(keepFrom: number): Promise<boolean> {
    if (this.eof) return false;
    this.options.signal?.throwIfAborted();
    const keep = this.end - keepFrom;
    if (keep > this.buf.length >>> 1) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, keepFrom, this.end);
      this.buf = bigger;
    } else if (keep > 0 && keepFrom > 0) {
      this.buf.copyWithin(0, keepFrom, this.end);
    }
    this.base += keepFrom;
    this.pos -= keepFrom;
    this.end = keep;
    const length = Math.min(this.options.chunkSize, this.buf.length - keep);
    const { bytesRead } = await this.file.read(this.buf, keep, length, this.filePos);
    if (bytesRead === 0) {
      this.eof = true;
      this.report(true);
      return false;
    }
    this.filePos += bytesRead;
    this.end += bytesRead;
    this.report(false);
    return true;
  }

  private report(last: boolean): void {
    const onProgress = this.options.onProgress;
    if (onProgress === undefined) return;
    if (last ? this.reported !== this.filePos : this.filePos - this.reported >= PROGRESS_EVERY) {
      this.reported = this.filePos;
      onProgress(this.filePos, this.totalBytes);
    }
  }

  /** Skips whitespace; the next byte (not consumed), or -1 at end of file. */
  async peek(): Promise<number> {
    for (;;) {
      const { buf, end } = this;
      let p = this.pos;
      while (p < end) {
        const c = buf[p];
        if (!isWhitespace(c)) {
          this.pos = p;
          return c;
        }
        p++;
      }
      this.pos = p;
      if (!(await this.more(p))) return -1;
    }
  }

  /** Skips whitespace and consumes `byte`, or fails naming what was expected. */
  async expect(byte: number, expected: string, eofDetail: string): Promise<void> {
    const c = await this.peek();
    if (c === -1) this.failEof(eofDetail);
    if (c !== byte) this.fail(`expected ${expected}, found ${showByte(c)}`);
    this.pos++;
  }

  /** A JSON string; `pos` is at its opening quote. */
  async readString(eofDetail: string): Promise<string> {
    const close = await this.stringEnd(eofDetail);
    const from = this.pos + 1;
    this.pos = close + 1;
    if (this.scanEscape) return decodeJsonString(this.buf, from, close);
    return this.buf.toString(this.scanHigh < 0x80 ? "latin1" : "utf8", from, close);
  }

  /**
   * The index in `buf` of the closing quote of the string whose opening quote is at `pos`
   * (reading more as needed; `pos` moves with the buffer but stays at the quote). Its escapes
   * are checked; scanEscape and scanHigh tell whether it has any, and any byte ≥ 0x80.
   */
  private async stringEnd(eofDetail: string): Promise<number> {
    for (;;) {
      const close = this.scanString();
      if (close !== -1) return close;
      if (!(await this.more(this.pos))) this.failEof(`${eofDetail}: inside a string that starts at byte ${this.base + this.pos}`);
    }
  }

  /**
   * The closing quote of the string whose opening quote is at `pos`, or -1 when its end is not
   * in the buffer yet (the scan resumes where it stopped after `more`).
   */
  private scanString(): number {
    const { buf, end } = this;
    const start = this.pos;
    let q = start + 1 + this.scanned;
    let high = this.scanHigh;
    let escape = this.scanEscape;
    if (this.scanned === 0) {
      high = 0;
      escape = false;
    }
    for (;;) {
      if (q >= end) {
        // Longer than any JS string can be: garbage, not a snapshot (and the buffer would grow without end).
        if (q - start > MAX_STRING_LENGTH) this.fail(`a string longer than ${MAX_STRING_LENGTH} bytes`, start);
        this.scanned = q - start - 1;
        this.scanHigh = high;
        this.scanEscape = escape;
        return -1;
      }
      const c = buf[q];
      if (c === 0x22) break;
      if (c === 0x5c) {
        escape = true;
        q += 2;
        continue;
      }
      if (c < 0x20) this.fail(`control character ${showByte(c)} inside a string (JSON needs it escaped)`, q);
      high |= c;
      q++;
    }
    this.scanned = 0;
    this.scanHigh = high;
    this.scanEscape = escape;
    if (escape) this.checkEscapes(start + 1, q);
    return q;
  }

  /** Fails on an escape JSON does not have in `buf[from..to)`, as JSON.parse would. */
  private checkEscapes(from: number, to: number): void {
    const buf = this.buf;
    for (let i = from; i < to; i++) {
      if (buf[i] !== 0x5c) continue;
      const e = buf[i + 1];
      if (e === 0x75) {
        for (let k = i + 2; k < i + 6; k++) {
          if (k >= to || hexValue(buf[k]) < 0) this.fail(`expected 4 hex digits after "\\u", found ${showByte(k < to ? buf[k] : 0x22)}`, k);
        }
        i += 4;
      } else if (!SIMPLE_ESCAPES.has(e)) {
        this.fail(`invalid escape "\\${String.fromCharCode(e)}" in a string`, i);
      }
      i++;
    }
  }

  /** A JSON array of uint32 into `sink`; `pos` is at "[". Fails on anything but whole numbers 0..2^32-1. */
  async readUints(sink: UintSink, expectedTotal: number | undefined): Promise<void> {
    const scan = this.arrayScan;
    this.pos++;
    scan.grammar = AFTER_OPEN;
    for (;;) {
      scan.count = sink.count;
      const cap = sink.drain === undefined ? sink.values.length : Math.min(sink.values.length, sink.limit - sink.drained);
      const p = scanUints(this.buf, this.pos, this.end, sink.values, cap, this.eof, scan);
      sink.count = scan.count;
      this.pos = p;
      if (p < this.end && this.buf[p] === 0x5d && scan.grammar !== AFTER_COMMA) {
        this.pos++;
        if (sink.drain !== undefined && sink.count > 0) drainSink(sink);
        return;
      }
      if (p < this.end && this.stoppedAt(sink)) continue;
      if (!(await this.more(this.pos))) {
        const missing = expectedTotal === undefined ? "" : `expected ${expectedTotal - sinkTotal(sink)} more ${sink.label} values`;
        this.failEof(missing || `the ${sink.label}s array has no closing "]"`);
      }
    }
  }

  /**
   * Why scanUints stopped before the end of the buffer: a number that may go on in the next
   * chunk (false: read more), a full sink (drained or grown, true: scan on), or an error.
   */
  private stoppedAt(sink: UintSink): boolean {
    const { buf, end } = this;
    const p = this.pos;
    const c = buf[p];
    const where = `in the ${sink.label}s array`;
    const state = this.arrayScan.grammar;
    if ((c - 48) >>> 0 < 10 && state !== AFTER_VALUE) {
      let q = p;
      let v = 0;
      while (q < end && (buf[q] - 48) >>> 0 < 10 && q - p <= 10) v = v * 10 + buf[q++] - 48;
      if (q - p > 10 || v > 0xffffffff) this.fail(`${sink.label} value ${digitsAt(buf, p, end)} is larger than 4294967295`, p);
      if (q === end && !this.eof) return false;
      if (sink.drain !== undefined) {
        if (sinkTotal(sink) >= sink.limit) this.fail(`more ${sink.label} values than the snapshot header declares (${sink.limit})`, p);
        drainSink(sink);
        return true;
      }
      const bigger = new Uint32Array(sink.values.length * 2);
      bigger.set(sink.values);
      sink.values = bigger;
      return true;
    }
    if (c === 0x2d) this.fail(`negative number ${where}`, p);
    if (state === AFTER_VALUE && (c === 0x2e || c === 0x65 || c === 0x45)) this.fail(`fractional number ${where}`, p);
    const expected = state === AFTER_OPEN ? 'a digit or "]"' : state === AFTER_VALUE ? '"," or "]"' : "a digit";
    this.fail(`expected ${expected} ${where}, found ${showByte(c)}`, p);
  }

  /** Skips an array of numbers without reading it (`{ edges: false }`); its content is not checked. */
  async skipArray(label: string): Promise<void> {
    for (;;) {
      const close = this.buf.indexOf(0x5d, this.pos);
      if (close !== -1 && close < this.end) {
        this.pos = close + 1;
        return;
      }
      this.pos = this.end;
      if (!(await this.more(this.end))) this.failEof(`the ${label}s array has no closing "]"`);
    }
  }

  /** An array of JSON strings, their raw bytes added to `out`; `pos` is at "[". */
  async readStrings(out: StringTableBuilder): Promise<void> {
    const scan = this.arrayScan;
    this.pos++;
    scan.grammar = AFTER_OPEN;
    let careful = false; // scanString is part-way through a string that ran past the buffer
    for (;;) {
      if (!careful) this.pos = scanStrings(this.buf, this.pos, this.end, out, scan);
      if (this.pos < this.end) {
        const c = this.buf[this.pos];
        if (careful || (c === 0x22 && scan.grammar !== AFTER_VALUE)) {
          // A string with escapes, or one that runs past the buffer: the careful path.
          const close = this.scanString();
          careful = close === -1;
          if (close !== -1) {
            out.add(this.buf, this.pos + 1, close);
            this.pos = close + 1;
            scan.grammar = AFTER_VALUE;
            continue;
          }
        } else if (c === 0x5d && scan.grammar !== AFTER_COMMA) {
          this.pos++;
          return;
        } else {
          const expected = scan.grammar === AFTER_OPEN ? 'a string or "]"' : scan.grammar === AFTER_VALUE ? '"," or "]"' : "a string";
          this.fail(`expected ${expected} in the strings array, found ${showByte(c)}`);
        }
      }
      if (!(await this.more(this.pos))) {
        if (this.pos < this.end) this.failEof(`inside string ${out.length} of the strings array, which starts at byte ${this.base + this.pos}`);
        this.failEof(`the strings array has ${out.length} strings so far and no closing "]"`);
      }
    }
  }

  /**
   * Skips any JSON value (nested arrays, objects, strings) at `pos`, checking only that brackets
   * match and strings end; with `capture`, its bytes are copied there (at most `limit` bytes).
   */
  async skipValue(what: string, capture?: { chunks: Buffer[]; limit: number }): Promise<void> {
    const first = await this.peek();
    if (first === -1) this.failEof(`expected ${what}`);
    const startAt = this.base + this.pos;
    const stack: number[] = [];
    const scalar = first !== 0x5b && first !== 0x7b && first !== 0x22;
    let inString = false;
    let escape = false;
    let captured = 0;
    for (;;) {
      const { buf, end } = this;
      const from = this.pos;
      let p = from;
      let done = false;
      while (p < end && !done) {
        const c = buf[p];
        if (scalar) {
          if (!isScalarByte(c)) {
            if (p === from && captured === 0) this.fail(`expected ${what}, found ${showByte(c)}`, p);
            done = true;
            break;
          }
        } else if (inString) {
          if (escape) escape = false;
          else if (c === 0x5c) escape = true;
          else if (c === 0x22) {
            inString = false;
            done = stack.length === 0;
          } else if (c < 0x20) this.fail(`control character ${showByte(c)} inside a string (JSON needs it escaped)`, p);
        } else if (c === 0x22) {
          inString = true;
        } else if (c === 0x5b || c === 0x7b) {
          if (stack.length === MAX_DEPTH) this.fail(`${what} is nested more than ${MAX_DEPTH} deep`, p);
          stack.push(c + 2); // "]" is "[" + 2, "}" is "{" + 2
        } else if (c === 0x5d || c === 0x7d) {
          if (stack.pop() !== c) this.fail(`unmatched ${showByte(c)} in ${what}`, p);
          done = stack.length === 0;
        }
        p++;
      }
      if (capture !== undefined && p > from) {
        captured += p - from;
        if (captured > capture.limit) this.fail(`${what} is larger than ${capture.limit} bytes`, p);
        capture.chunks.push(Buffer.from(buf.subarray(from, p)));
      } else {
        captured += p - from;
      }
      this.pos = p;
      if (done) return;
      if (!(await this.more(p))) {
        if (scalar && captured > 0) return;
        this.failEof(`inside ${what}, which starts at byte ${startAt}`);
      }
    }
  }
}

// The uint32 scanner is a plain function over locals: no calls and no property loads in the
// loop, so TurboFan compiles it into a tight byte loop. Its state between calls lives in the
// reader's own ArrayScan, loaded once on entry and stored once on return: per reader, since two
// readers in one thread interleave at every chunk they wait for (module-level state shared by
// them once corrupted a read). Every branch in it is taken on ordinary V8 output (whitespace is
// a table lookup, "]" is left to the caller): a compare first reached at an array's end would
// deoptimize it for the next array.
const AFTER_OPEN = 0;
const AFTER_VALUE = 1;
const AFTER_COMMA = 2;
const WHITESPACE = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x0d, 0x09]) WHITESPACE[c] = 1;

/** Where an array scan stands between calls: its grammar state and, for numbers, how many values are in the sink. */
class ArrayScan {
  grammar = AFTER_OPEN;
  count = 0;
}

/**
 * Scans uint32 values from `buf[p..end)` into `values` from index scan.count up to `cap`; returns
 * where it stopped: at `end`, or at a byte it cannot take ("]", a number running into `end` before the
 * last chunk, too big, one too many, or a syntax error).
 */
function scanUints(buf: Uint8Array, p: number, end: number, values: Uint32Array, cap: number, last: boolean, scan: ArrayScan): number {
  let state = scan.grammar;
  let count = scan.count;
  while (p < end) {
    const c = buf[p];
    if (c === 0x2c) {
      if (state !== AFTER_VALUE) break;
      state = AFTER_COMMA;
      p++;
      continue;
    }
    let v = c - 48;
    if (v >>> 0 < 10) {
      if (state === AFTER_VALUE) break;
      let q = p + 1;
      let d = 0;
      while (q < end && (d = buf[q] - 48) >>> 0 < 10) {
        v = v * 10 + d;
        q++;
      }
      if (q - p > 10 || v > 0xffffffff || count === cap || (q === end && !last)) break;
      values[count++] = v;
      if (q < end && buf[q] === 0x2c) {
        p = q + 1; // the usual "," right after a number, without another turn of the loop
        state = AFTER_COMMA;
      } else {
        p = q;
        state = AFTER_VALUE;
      }
      continue;
    }
    if (WHITESPACE[c] === 1) {
      p++;
      continue;
    }
    break; // "]" or an error: the caller looks
  }
  scan.grammar = state;
  scan.count = count;
  return p;
}


/**
 * Adds the plain strings of a strings array in `buf[p..end)` to `out` (state in scan.grammar, like
 * scanUints); returns where it stopped: at `end`, or at a byte it leaves to the caller ("]", a
 * string with an escape or control character or that runs into `end`, or a syntax error).
 */
function scanStrings(buf: Buffer, p: number, end: number, out: StringTableBuilder, scan: ArrayScan): number {
  let state = scan.grammar;
  while (p < end) {
    const c = buf[p];
    if (c === 0x22) {
      if (state === AFTER_VALUE) break;
      let q = p + 1;
      while (q < end) {
        const b = buf[q];
        if (b === 0x22 || b === 0x5c || b < 0x20) break;
        q++;
      }
      if (q === end || buf[q] !== 0x22) break;
      out.add(buf, p + 1, q);
      p = q + 1;
      state = AFTER_VALUE;
      continue;
    }
    if (c === 0x2c) {
      if (state !== AFTER_VALUE) break;
      state = AFTER_COMMA;
      p++;
      continue;
    }
    if (WHITESPACE[c] === 1) {
      p++;
      continue;
    }
    break;
  }
  scan.grammar = state;
  return p;
}

/** Hands the sink's whole records to its drain and keeps the rest (a partial record) at the front. */
function drainSink(sink: UintSink): void {
  const taken = sink.drain!(sink.values, sink.count, sink.drained);
  if (taken < sink.count) sink.values.copyWithin(0, taken, sink.count);
  sink.count -= taken;
  sink.drained += taken;
}

/** Letters, digits, "+", "-", ".": the bytes of true/false/null and numbers. */
function isScalarByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** The digits of an over-long number, shortened for a message. */
function digitsAt(buf: Buffer, from: number, end: number): string {
  let to = from;
  while (to < end && to - from <= 20 && (buf[to] - 48) >>> 0 < 10) to++;
  const digits = buf.toString("latin1", from, Math.min(to, from + 20));
  return to - from > 20 || to === end ? `${digits}…` : digits;
}
