// Dictionary encoding of text columns: distinct values → codes in an open-addressing hash table of typed
// arrays, read straight from DuckDB's string headers (dictionaryFromHeaders) or from Utf8 offsets and bytes
// (textVector); a column with too many distinct values is left to plain Utf8.
import duckdb from '@duckdb/node-bindings';
import { Dictionary, Int16, Int32, Int8, Utf8, makeData, makeVector, type Vector } from 'apache-arrow';
import { isValid, nulls, type Part, type Validity } from './arrow-chunks.ts';


/** Text columns with at most this share of distinct values (of their rows) are answered as Dictionary. */
const DICTIONARY_MAX_SHARE = 0.5;

/** A 32-bit hash of the bytes view[from, from + length): four bytes per step, then murmur3's finalizer. */
function hashBytes(view: DataView, from: number, length: number): number {
  let h = length ^ 0x2f6b3a1d;
  const end = from + length;
  let k = from;
  for (; k + 4 <= end; k += 4) {
    h = Math.imul(h ^ view.getInt32(k, true), 0x9e3779b1);
    h = (h << 13) | (h >>> 19);
  }
  for (; k < end; k++) h = Math.imul(h ^ view.getUint8(k), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function sameBytes(view: DataView, a: number, b: number, length: number): boolean {
  let k = 0;
  for (; k + 4 <= length; k += 4) if (view.getInt32(a + k, true) !== view.getInt32(b + k, true)) return false;
  for (; k < length; k++) if (view.getUint8(a + k) !== view.getUint8(b + k)) return false;
  return true;
}

/**
 * Scratch arrays reused by every text column of every answer: the rows' codes, long strings' offsets and
 * bytes. They never end up in an answer (what does is copied out), and the encoder is synchronous, so one
 * set serves the process. Freshly allocated arrays this size (≥ 128 KiB) are new pages each time, and on
 * this kind of machine page faults are a large share of an answer's time (bench/README.md).
 */
const SCRATCH_MAX_BYTES = 64 * 1024 * 1024;
const scratch = { codes: new Int32Array(0), at: new Int32Array(0), heap: new Uint8Array(0) };

export function scratchInt32(name: 'codes' | 'at', n: number): Int32Array {
  if (scratch[name].length >= n) return scratch[name].subarray(0, n);
  const fresh = new Int32Array(n);
  if (n * 4 <= SCRATCH_MAX_BYTES) scratch[name] = fresh;
  return fresh;
}

function scratchBytes(n: number): Uint8Array {
  if (scratch.heap.length >= n) return scratch.heap.subarray(0, n);
  const fresh = new Uint8Array(n);
  if (n <= SCRATCH_MAX_BYTES) scratch.heap = fresh;
  return fresh;
}

/** After this many rows, a column whose values were nearly all distinct so far is taken as unique (ids). */
const DICTIONARY_PROBE_ROWS = 4096;
const DICTIONARY_PROBE_SHARE = 0.9;

function hashWords(length: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(length ^ 0x2f6b3a1d, 0x9e3779b1);
  h = Math.imul(((h ^ w1) << 13) | ((h ^ w1) >>> 19), 0x9e3779b1);
  h = Math.imul(((h ^ w2) << 13) | ((h ^ w2) >>> 19), 0x9e3779b1);
  h = Math.imul(((h ^ w3) << 13) | ((h ^ w3) >>> 19), 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The Dictionary of a VARCHAR column straight from DuckDB's 16-byte string headers, or null when too many
 * values are distinct (then the caller builds plain Utf8). A string of up to 12 bytes is all in its header
 * (length + bytes), so it is hashed and compared as four 32-bit words, never copied; longer strings' bytes are
 * first copied out of DuckDB's heap into one buffer (one native call per run of adjacent strings, as in
 * utf8Column) and hashed from there. Only the dictionary's values are assembled, once each. (Were two equal
 * short strings to differ in their header's padding they would become two entries with the same value: a
 * larger dictionary, never a wrong value.)
 */
export function dictionaryFromHeaders(parts: Part[], headers: Int32Array[], total: number, validity: Validity): Vector | null {
  const maxDistinct = Math.floor(total * DICTIONARY_MAX_SHARE);
  if (maxDistinct < 1 || validity.nullCount === total) return null;
  const heap = longStrings(parts, headers, validity, total);
  if (!heap) return null;
  const dict = new TextDictionary(maxDistinct, heap.bytes);
  const codes = scratchInt32('codes', total);
  const probe = total > 2 * DICTIONARY_PROBE_ROWS ? DICTIONARY_PROBE_ROWS : -1;
  const bitmap = validity.bitmap;
  const hasNulls = validity.nullCount > 0;
  let pos = 0;
  for (let p = 0; p < parts.length; p++) {
    const words = headers[p];
    const rows = parts[p].rows;
    for (let i = 0; i < rows; i++, pos++) {
      if (pos === probe && dict.distinct > probe * DICTIONARY_PROBE_SHARE) return null;
      if (hasNulls && !isValid(bitmap, pos)) { codes[pos] = 0; continue; } // code 0 under a null bit
      const len = words[i * 4];
      const code = len <= 12
        ? dict.short(len, words[i * 4 + 1], words[i * 4 + 2], words[i * 4 + 3])
        : dict.long(heap.at[pos], len);
      if (code < 0) return null; // mostly distinct: plain Utf8
      codes[pos] = code;
    }
  }
  const { offsets, data } = dict.values();
  return dictionaryVector(codes, dict.distinct, offsets, data, validity, total);
}
/**
 * The bytes of a column's strings longer than 12 bytes, copied from DuckDB's heap into one buffer (`at`:
 * row → offset), one native call per run of strings adjacent in the heap; null when over 2 GiB.
 */
function longStrings(parts: Part[], headers: Int32Array[], validity: Validity, total: number): { bytes: Uint8Array; at: Int32Array } | null {
  const bitmap = validity.bitmap;
  const hasNulls = validity.nullCount > 0;
  let size = 0;
  let pos = 0;
  for (let p = 0; p < parts.length; p++) {
    const words = headers[p];
    for (let i = 0; i < parts[p].rows; i++, pos++) {
      const len = words[i * 4];
      if (len > 12 && !(hasNulls && !isValid(bitmap, pos))) size += len;
    }
  }
  if (size > 0x7fffffff) return null;
  if (!size) return { bytes: new Uint8Array(0), at: new Int32Array(0) };
  const at = scratchInt32('at', total);
  const bytes = scratchBytes(size);
  let to = 0;
  pos = 0;
  for (let p = 0; p < parts.length; p++) {
    const words = headers[p];
    const raw = words.buffer;
    const base = words.byteOffset;
    let runFrom = 0; // header index of the run's first string
    let runTo = 0;
    let runLength = 0;
    let runEnd = 0;
    for (let i = 0; i < parts[p].rows; i++, pos++) {
      const len = words[i * 4];
      if (len <= 12 || (hasNulls && !isValid(bitmap, pos))) continue;
      at[pos] = to;
      const address = (words[i * 4 + 2] >>> 0) + (words[i * 4 + 3] >>> 0) * 4294967296;
      if (runLength && address === runEnd) runLength += len;
      else {
        if (runLength) bytes.set(duckdb.get_data_from_pointer(raw as ArrayBuffer, base + runFrom * 16 + 8, runLength), runTo);
        runFrom = i;
        runTo = to;
        runLength = len;
      }
      runEnd = address + len;
      to += len;
    }
    if (runLength) bytes.set(duckdb.get_data_from_pointer(raw as ArrayBuffer, base + runFrom * 16 + 8, runLength), runTo);
  }
  return { bytes, at };
}

/**
 * Distinct text values → codes 0, 1, … in order of first appearance: an open-addressing hash table in typed
 * arrays, grown by doubling (a column of 11 departments never allocates more than a few hundred bytes). A value
 * is either its length and three header words (`short`, ≤ 12 bytes, from DuckDB's string headers) or its bytes
 * in `heap` (`long`, any length).
 */
class TextDictionary {
  distinct = 0;
  private size = 0;
  private mask = 63;
  private slots = new Int32Array(64).fill(-1);
  private hashes = new Int32Array(32);
  private lengths = new Int32Array(32);
  private words = new Int32Array(96);
  private heapAt = new Int32Array(32);
  private readonly heapView: DataView;

  constructor(private readonly max: number, private readonly heap: Uint8Array) {
    this.heapView = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
  }

  /** The code of a short value, or -1 when the dictionary is full. */
  short(len: number, w1: number, w2: number, w3: number): number {
    const h = hashWords(len, w1, w2, w3);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const code = this.slots[slot];
      if (code < 0) {
        const c = this.add(slot, h, len);
        if (c >= 0) { this.words[c * 3] = w1; this.words[c * 3 + 1] = w2; this.words[c * 3 + 2] = w3; this.heapAt[c] = -1; }
        return c;
      }
      if (this.hashes[code] === h && this.lengths[code] === len && this.words[code * 3] === w1
        && this.words[code * 3 + 1] === w2 && this.words[code * 3 + 2] === w3) return code;
    }
  }

  /** The code of a long value (its bytes at `from` in the heap), or -1 when the dictionary is full. */
  long(from: number, len: number): number {
    const h = hashBytes(this.heapView, from, len);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const code = this.slots[slot];
      if (code < 0) {
        const c = this.add(slot, h, len);
        if (c >= 0) this.heapAt[c] = from;
        return c;
      }
      if (this.hashes[code] === h && this.lengths[code] === len && sameBytes(this.heapView, this.heapAt[code], from, len)) return code;
    }
  }

  private add(slot: number, h: number, len: number): number {
    if (this.distinct === this.max) return -1;
    const c = this.distinct++;
    if (c === this.hashes.length) this.growCodes();
    this.slots[slot] = c;
    this.hashes[c] = h;
    this.lengths[c] = len;
    this.size += len;
    if (this.distinct * 2 > this.mask) this.rehash();
    return c;
  }

  private growCodes(): void {
    const grow = <T extends Int32Array>(a: T, n: number): T => { const b = new Int32Array(n) as T; b.set(a); return b; };
    const n = this.hashes.length * 2;
    this.hashes = grow(this.hashes, n);
    this.lengths = grow(this.lengths, n);
    this.words = grow(this.words, n * 3);
    this.heapAt = grow(this.heapAt, n);
  }

  /** Twice the slots, every code placed again by its hash (load stays under one half). */
  private rehash(): void {
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity).fill(-1);
    for (let c = 0; c < this.distinct; c++) {
      let slot = this.hashes[c] & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = c;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** The distinct values as Utf8 offsets and bytes, in code order. */
  values(): { offsets: Int32Array; data: Uint8Array } {
    const offsets = new Int32Array(this.distinct + 1);
    const data = new Uint8Array(this.size);
    const wordBytes = new Uint8Array(this.words.buffer, this.words.byteOffset, this.words.byteLength);
    for (let c = 0; c < this.distinct; c++) {
      const len = this.lengths[c];
      const at = offsets[c];
      const from = this.heapAt[c];
      data.set(from < 0 ? wordBytes.subarray(c * 12, c * 12 + len) : this.heap.subarray(from, from + len), at);
      offsets[c + 1] = at + len;
    }
    return { offsets, data };
  }
}

/** Dictionary<Int8|Int16|Int32, Utf8> from the rows' codes and the dictionary's offsets and bytes. */
export function dictionaryVector(codes: Int32Array, distinct: number, dictOffsets: Int32Array, dictData: Uint8Array, validity: Validity, total: number): Vector {
  const dictionary = makeVector(makeData({ type: new Utf8(), length: distinct, valueOffsets: dictOffsets, data: dictData, nullCount: 0 }));
  // The narrowest index type (TypedArray.set narrows the codes natively; they all fit).
  const narrow = <T extends Int8Array | Int16Array>(Ctor: new (n: number) => T): T => { const a = new Ctor(total); a.set(codes); return a; };
  const props = { length: total, dictionary, ...nulls(validity) };
  if (distinct <= 0x7f) return makeVector(makeData({ type: new Dictionary(new Utf8(), new Int8()), data: narrow(Int8Array), ...props }));
  if (distinct <= 0x7fff) return makeVector(makeData({ type: new Dictionary(new Utf8(), new Int16()), data: narrow(Int16Array), ...props }));
  return makeVector(makeData({ type: new Dictionary(new Utf8(), new Int32()), data: codes.slice(), ...props }));
}

/**
 * A Utf8 column (offsets + bytes) as an Arrow Dictionary<Int8|Int16|Int32, Utf8> when at most half its values
 * are distinct (as textColumn does for DuckDB's text), else as plain Utf8; the same values either way.
 */
export function textVector(offsets: Int32Array, data: Uint8Array, validity: Validity, total: number): Vector {
  const plain = () => makeVector(makeData({ type: new Utf8(), length: total, valueOffsets: offsets, data, ...nulls(validity) }));
  const maxDistinct = Math.floor(total * DICTIONARY_MAX_SHARE);
  if (maxDistinct < 1 || validity.nullCount === total) return plain();
  const dict = new TextDictionary(maxDistinct, data);
  const codes = scratchInt32('codes', total);
  const probe = total > 2 * DICTIONARY_PROBE_ROWS ? DICTIONARY_PROBE_ROWS : -1;
  const hasNulls = validity.nullCount > 0;
  for (let i = 0; i < total; i++) {
    if (i === probe && dict.distinct > probe * DICTIONARY_PROBE_SHARE) return plain();
    if (hasNulls && !isValid(validity.bitmap, i)) { codes[i] = 0; continue; } // code 0 under a null bit
    const code = dict.long(offsets[i], offsets[i + 1] - offsets[i]);
    if (code < 0) return plain(); // mostly distinct: plain Utf8
    codes[i] = code;
  }
  const values = dict.values();
  return dictionaryVector(codes, dict.distinct, values.offsets, values.data, validity, total);
}
