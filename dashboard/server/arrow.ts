// Arrow IPC answers: build an apache-arrow Table straight from DuckDB's result chunks and serialise it as
// an IPC stream. Numbers, booleans and text are copied from the chunks' buffers into whole-column typed
// arrays (validity bitmaps copied as bytes: DuckDB's and Arrow's bit order are the same), so no cell
// becomes a JS value on the way (bench/README.md: 100k rows went from 3.7 s to well under a second).
// The decoded values are those of the JSON answer (rows.ts): BIGINT/DECIMAL/DOUBLE as Float64, small
// integers as Int32, DATE as 'YYYY-MM-DD' text, TIMESTAMP as ISO text; other types go through the plain
// values of rows.ts, one whole column at a time.
import duckdb from '@duckdb/node-bindings';
import {
  DuckDBTypeId, type DuckDBDataChunk, type DuckDBDecimalType, type DuckDBEnumType, type DuckDBListType, type DuckDBType,
} from '@duckdb/node-api';
import {
  Bool, Dictionary, Field, Float64, Int16, Int32, Int8, List, RecordBatchStreamWriter, Table, Utf8, makeData, makeVector,
  tableToIPC, vectorFromArray,
  type DataType, type Vector,
} from 'apache-arrow';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { columnValues, type Cell, type ReadResult } from './rows.ts';

export const ARROW_MIME = 'application/vnd.apache.arrow.stream';

/** True when the client asked for Arrow (`Accept: application/vnd.apache.arrow.stream`). */
export function wantsArrow(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.split(',').some((part) => part.trim().split(';')[0].toLowerCase() === ARROW_MIME);
}

/** The Arrow type a DuckDB column is answered as (the same for the fast and the plain-value path). */
export function arrowType(type: DuckDBType): DataType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN: return new Bool();
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return new Int32();
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return new Float64();
    case DuckDBTypeId.LIST: {
      const child = (type as DuckDBListType).valueType;
      const inner = arrowType(child);
      if (inner instanceof List) return new Utf8();
      return new List(new Field('item', inner, true));
    }
    default:
      // VARCHAR, DATE and TIMESTAMP (ISO text), and anything else as text.
      return new Utf8();
  }
}

// ---- whole-column buffers from the chunks ----

/** One chunk's piece of a column: DuckDB's vector and its row count. */
interface Part { vector: duckdb.Vector; rows: number }

function partsOf(chunks: readonly DuckDBDataChunk[], column: number): Part[] {
  return chunks.map((c) => ({ vector: duckdb.data_chunk_get_vector(c.chunk, column), rows: c.rowCount }));
}

/** The vector's data as a typed array (copied when DuckDB's buffer is not aligned for it). */
function typed<T extends ArrayBufferView>(
  part: Part, Ctor: { new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number },
): T {
  const raw = duckdb.vector_get_data(part.vector, part.rows * Ctor.BYTES_PER_ELEMENT);
  if (raw.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(raw.buffer, raw.byteOffset, part.rows);
  const copy = raw.slice();
  return new Ctor(copy.buffer, 0, part.rows);
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => { let n = 0; for (let x = b; x; x >>= 1) n += x & 1; return n; });

interface Validity { bitmap: Uint8Array; nullCount: number }

/** The column's validity bitmap (Arrow layout, LSB first), from DuckDB's per-chunk masks. */
function validityOf(parts: Part[], total: number): Validity {
  const bitmap = new Uint8Array(Math.ceil(total / 8));
  let pos = 0;
  for (const { vector, rows } of parts) {
    const mask = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8) as Uint8Array | null | undefined;
    let i = 0;
    if (pos % 8 === 0) {
      const whole = rows >> 3;
      if (mask) bitmap.set(mask.subarray(0, whole), pos >> 3);
      else bitmap.fill(0xff, pos >> 3, (pos >> 3) + whole);
      i = whole << 3;
    }
    for (; i < rows; i++) {
      if (!mask || (mask[i >> 3] >> (i & 7)) & 1) bitmap[(pos + i) >> 3] |= 1 << ((pos + i) & 7);
    }
    pos += rows;
  }
  let valid = 0;
  const fullBytes = total >> 3;
  for (let b = 0; b < fullBytes; b++) valid += POPCOUNT[bitmap[b]];
  for (let i = fullBytes << 3; i < total; i++) valid += (bitmap[i >> 3] >> (i & 7)) & 1;
  return { bitmap, nullCount: total - valid };
}

const isValid = (bitmap: Uint8Array, i: number) => ((bitmap[i >> 3] >> (i & 7)) & 1) === 1;

function nulls(v: Validity) {
  return v.nullCount ? { nullBitmap: v.bitmap, nullCount: v.nullCount } : { nullCount: 0 };
}

function int32Column(parts: Part[], total: number, typeId: DuckDBTypeId): Vector {
  const validity = validityOf(parts, total);
  const out = new Int32Array(total);
  let pos = 0;
  for (const part of parts) {
    switch (typeId) {
      case DuckDBTypeId.INTEGER: out.set(typed(part, Int32Array), pos); break;
      case DuckDBTypeId.SMALLINT: out.set(typed(part, Int16Array), pos); break;
      case DuckDBTypeId.USMALLINT: out.set(typed(part, Uint16Array), pos); break;
      case DuckDBTypeId.TINYINT: out.set(typed(part, Int8Array), pos); break;
      default: out.set(typed(part, Uint8Array), pos); break; // UTINYINT
    }
    pos += part.rows;
  }
  return makeVector(makeData({ type: new Int32(), length: total, data: out, ...nulls(validity) }));
}

function float64Column(parts: Part[], total: number, type: DuckDBType): Vector {
  const validity = validityOf(parts, total);
  const out = new Float64Array(total);
  let pos = 0;
  for (const part of parts) {
    switch (type.typeId) {
      case DuckDBTypeId.DOUBLE: out.set(typed(part, Float64Array), pos); break;
      case DuckDBTypeId.FLOAT: out.set(typed(part, Float32Array), pos); break;
      case DuckDBTypeId.UINTEGER: out.set(typed(part, Uint32Array), pos); break;
      case DuckDBTypeId.BIGINT:
      case DuckDBTypeId.UBIGINT: {
        const src = type.typeId === DuckDBTypeId.BIGINT ? typed(part, BigInt64Array) : typed(part, BigUint64Array);
        for (let i = 0; i < part.rows; i++) out[pos + i] = Number(src[i]);
        break;
      }
      case DuckDBTypeId.DECIMAL: {
        const { width, scale } = type as DuckDBDecimalType;
        const div = 10 ** scale;
        if (width <= 18) {
          const src = width <= 4 ? typed(part, Int16Array) : width <= 9 ? typed(part, Int32Array) : typed(part, BigInt64Array);
          for (let i = 0; i < part.rows; i++) out[pos + i] = Number(src[i]) / div;
        }
        break;
      }
    }
    pos += part.rows;
  }
  return makeVector(makeData({ type: new Float64(), length: total, data: out, ...nulls(validity) }));
}

function boolColumn(parts: Part[], total: number): Vector {
  const validity = validityOf(parts, total);
  const out = new Uint8Array(Math.ceil(total / 8));
  let pos = 0;
  for (const part of parts) {
    const src = typed(part, Uint8Array);
    for (let i = 0; i < part.rows; i++) if (src[i]) out[(pos + i) >> 3] |= 1 << ((pos + i) & 7);
    pos += part.rows;
  }
  return makeVector(makeData({ type: new Bool(), length: total, data: out, ...nulls(validity) }));
}

/** A growing byte buffer for Utf8 value data. */
class Bytes {
  buf: Uint8Array;
  length = 0;
  constructor(capacity: number) { this.buf = new Uint8Array(Math.max(64, capacity)); }
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

/**
 * VARCHAR: the bytes of each string_t (inline up to 12 bytes, else behind its pointer) appended as is.
 * Long strings whose bytes follow each other in DuckDB's string heap (the usual case: a result chunk's
 * strings are copied there row by row) are read with one native call per run, not one per string; a run
 * covers exactly the bytes of its strings, so nothing outside them is read.
 */
function utf8Column(parts: Part[], headers: Int32Array[], total: number, validity: Validity): Vector {
  const offsets = new Int32Array(total + 1);
  const raws = headers.map((words) => new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
  // First pass: the byte length of every string (in its string_t header) → offsets, one exact buffer.
  let pos = 0;
  let size = 0;
  for (let p = 0; p < parts.length; p++) {
    const raw = raws[p];
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < parts[p].rows; i++, pos++) {
      if (isValid(validity.bitmap, pos)) size += view.getUint32(i * 16, true);
      offsets[pos + 1] = size;
    }
  }
  if (size > 0x7fffffff) throw new Error(`Arrow answer too large: one text column holds ${size} bytes (the limit is 2 GiB); ask for fewer rows (limit/offset)`);
  const data: Uint8Array = Buffer.allocUnsafe(size);
  pos = 0;
  for (let p = 0; p < parts.length; p++) {
    const raw = raws[p];
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    let runFrom = 0; // byte offset of the run's first string_t in `raw`
    let runTo = 0; // where its bytes go in `data`
    let runLength = 0;
    let runEnd = 0; // heap address just after the run
    for (let i = 0; i < parts[p].rows; i++, pos++) {
      const at = i * 16;
      const len = offsets[pos + 1] - offsets[pos];
      if (len === 0) continue; // null or empty
      if (len <= 12) {
        const o = offsets[pos];
        for (let k = 0, from = at + 4; k < len; k++) data[o + k] = raw[from + k];
      } else {
        const address = view.getUint32(at + 8, true) + view.getUint32(at + 12, true) * 4294967296;
        if (runLength && address === runEnd && runTo + runLength === offsets[pos]) {
          runLength += len; // adjacent in DuckDB's heap and in `data` (no inline string in between)
        } else {
          if (runLength) data.set(duckdb.get_data_from_pointer(raw.buffer as ArrayBuffer, raw.byteOffset + runFrom + 8, runLength), runTo);
          runFrom = at;
          runTo = offsets[pos];
          runLength = len;
        }
        runEnd = address + len;
      }
    }
    if (runLength) data.set(duckdb.get_data_from_pointer(raw.buffer as ArrayBuffer, raw.byteOffset + runFrom + 8, runLength), runTo);
  }
  return makeVector(makeData({ type: new Utf8(), length: total, valueOffsets: offsets, data, ...nulls(validity) }));
}

/**
 * VARCHAR: a Dictionary when few values are distinct (read from the string headers), else plain Utf8.
 * Each vector's headers are copied out of DuckDB once (vector_get_data copies: on this kind of machine
 * fresh memory costs more than the loops over it, bench/README.md) and serve both attempts.
 */
function textColumn(parts: Part[], total: number): Vector {
  const validity = validityOf(parts, total);
  const headers = parts.map((part) => headerWords(part));
  return dictionaryFromHeaders(parts, headers, total, validity) ?? utf8Column(parts, headers, total, validity);
}

// ---- dictionary encoding of text columns ----

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

function scratchInt32(name: 'codes' | 'at', n: number): Int32Array {
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
function dictionaryFromHeaders(parts: Part[], headers: Int32Array[], total: number, validity: Validity): Vector | null {
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

/** A vector's 16-byte string headers as 32-bit words (length, then 12 inline bytes or prefix + pointer). */
function headerWords(part: Part): Int32Array {
  const raw = duckdb.vector_get_data(part.vector, part.rows * 16);
  if (raw.byteOffset % 4 === 0) return new Int32Array(raw.buffer, raw.byteOffset, part.rows * 4);
  return new Int32Array(raw.slice().buffer, 0, part.rows * 4);
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
function dictionaryVector(codes: Int32Array, distinct: number, dictOffsets: Int32Array, dictData: Uint8Array, validity: Validity, total: number): Vector {
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
function textVector(offsets: Int32Array, data: Uint8Array, validity: Validity, total: number): Vector {
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

const encoder = new TextEncoder();

/** A text vector (Utf8, or Dictionary when few values are distinct) from whole-column text values (null stays null; non-text values as JSON). */
export function utf8FromValues(values: readonly Cell[]): Vector {
  const total = values.length;
  const offsets = new Int32Array(total + 1);
  const bitmap = new Uint8Array(Math.ceil(total / 8));
  const bytes = new Bytes(total * 16);
  let nullCount = 0;
  for (let i = 0; i < total; i++) {
    const v = values[i];
    if (v === null || v === undefined) nullCount++;
    else {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      bytes.reserve(text.length * 3);
      bytes.length += encoder.encodeInto(text, bytes.buf.subarray(bytes.length)).written;
      bitmap[i >> 3] |= 1 << (i & 7);
    }
    offsets[i + 1] = bytes.length;
  }
  return textVector(offsets, bytes.buf.subarray(0, bytes.length), { bitmap, nullCount }, total);
}

/** A column from its plain values (rows.ts conversion), for the types without a direct path. */
function plainColumn(values: Cell[], type: DuckDBType): Vector {
  const arrow = arrowType(type);
  if (arrow instanceof Utf8) return utf8FromValues(values);
  return vectorFromArray(values as unknown[], arrow);
}

/** DATE as 'YYYY-MM-DD' text: days since the epoch, each distinct day formatted once. */
function dateColumn(chunks: readonly DuckDBDataChunk[], i: number, type: DuckDBType, total: number): Vector {
  const parts = partsOf(chunks, i);
  const validity = validityOf(parts, total);
  const text = new Map<number, string>();
  const values: Cell[] = new Array(total);
  let pos = 0;
  for (const part of parts) {
    const days = typed(part, Int32Array);
    for (let r = 0; r < part.rows; r++, pos++) {
      if (!isValid(validity.bitmap, pos)) { values[pos] = null; continue; }
      const d = days[r];
      let t = text.get(d);
      if (t === undefined) {
        // Outside years 1000..9999 (and ±infinity) the plain converter's text is another shape: use it.
        if (d < -354285 || d > 2932896) return plainColumn(columnValues(chunks, i), type);
        t = new Date(d * 86_400_000).toISOString().slice(0, 10);
        text.set(d, t);
      }
      values[pos] = t;
    }
  }
  return utf8FromValues(values);
}

/**
 * ENUM: already a dictionary — the vector holds each row's index into the type's values. Answered as
 * Dictionary<Int8|Int16|Int32, Utf8> of the values some row uses, in the type's order: the type holds the
 * column's values across the whole table, and an answer scoped to a manager's organisation must not carry
 * the others (names, reasons) in its dictionary.
 */
function enumColumn(parts: Part[], total: number, type: DuckDBEnumType): Vector {
  const validity = validityOf(parts, total);
  const codes = scratchInt32('codes', total);
  let pos = 0;
  for (const part of parts) {
    switch (type.internalTypeId) {
      case DuckDBTypeId.UTINYINT: codes.set(typed(part, Uint8Array), pos); break;
      case DuckDBTypeId.USMALLINT: codes.set(typed(part, Uint16Array), pos); break;
      default: codes.set(typed(part, Uint32Array), pos); break; // UINTEGER
    }
    pos += part.rows;
  }
  // Type value → code in the answer (-1: unused), numbered in the type's order.
  const remap = new Int32Array(type.values.length).fill(-1);
  const hasNulls = validity.nullCount > 0;
  for (let i = 0; i < total; i++) if (!hasNulls || isValid(validity.bitmap, i)) remap[codes[i]] = 0;
  const used: string[] = [];
  for (let v = 0; v < remap.length; v++) if (remap[v] === 0) { remap[v] = used.length; used.push(type.values[v]); }
  for (let i = 0; i < total; i++) codes[i] = !hasNulls || isValid(validity.bitmap, i) ? remap[codes[i]] : 0; // in range under a null
  const bytes = used.map((v) => encoder.encode(v));
  const offsets = new Int32Array(used.length + 1);
  for (let c = 0; c < used.length; c++) offsets[c + 1] = offsets[c] + bytes[c].length;
  const data = new Uint8Array(offsets[used.length]);
  bytes.forEach((b, c) => data.set(b, offsets[c]));
  return dictionaryVector(codes, used.length, offsets, data, validity, total);
}

/** Arrow vector for column `i` of a result read from DuckDB. */
function chunkColumn(chunks: readonly DuckDBDataChunk[], i: number, type: DuckDBType, total: number): Vector {
  const parts = () => partsOf(chunks, i);
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR: return textColumn(parts(), total);
    case DuckDBTypeId.BOOLEAN:
      if (duckdb.sizeof_bool === 1) return boolColumn(parts(), total);
      break;
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UTINYINT:
      return int32Column(parts(), total, type.typeId);
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
      return float64Column(parts(), total, type);
    case DuckDBTypeId.DECIMAL:
      if ((type as DuckDBDecimalType).width <= 18) return float64Column(parts(), total, type);
      break;
    case DuckDBTypeId.DATE: return dateColumn(chunks, i, type, total);
    case DuckDBTypeId.ENUM: return enumColumn(parts(), total, type as DuckDBEnumType);
  }
  return plainColumn(columnValues(chunks, i), type);
}

/** An Arrow table with one column per result column, types mapped from DuckDB's. */
export function toArrowTable(result: ReadResult): Table {
  const vectors: Record<string, Vector> = {};
  result.columns.forEach((col, i) => {
    vectors[col.name] = result.chunks
      ? chunkColumn(result.chunks, i, col.type, result.rowCount)
      : plainColumn(result.data[i], col.type);
  });
  return new Table(vectors);
}

export function toArrowIPC(result: ReadResult): Uint8Array {
  return tableToIPC(toArrowTable(result), 'stream');
}

/** An Arrow IPC stream as the writer's pieces (message headers, padding, the columns' own buffers), not joined. */
export interface ArrowBytes {
  chunks: readonly Uint8Array[];
  byteLength: number;
  /** Bytes of the ArrayBuffers the pieces keep alive (what a cache of this answer holds). */
  retainedBytes: number;
  /** Headers that go with the answer (e.g. x-total-count of a list). */
  headers?: Record<string, string>;
}

/**
 * The IPC stream of the rows without joining it into one buffer: tableToIPC copies every column once
 * more into a fresh buffer of the answer's size, and on this kind of machine fresh memory is what costs
 * (bench/README.md). The pieces are the vectors' own buffers.
 */
export async function toArrowBytes(result: ReadResult): Promise<ArrowBytes> {
  const writer = RecordBatchStreamWriter.writeAll(toArrowTable(result));
  const chunks: Uint8Array[] = [];
  let byteLength = 0;
  for await (const chunk of writer) {
    chunks.push(chunk);
    byteLength += chunk.byteLength;
  }
  let retainedBytes = 0;
  for (const buffer of new Set(chunks.map((c) => c.buffer))) retainedBytes += buffer.byteLength;
  return { chunks, byteLength, retainedBytes };
}

/** Send IPC pieces: small answers as one Buffer, large ones streamed piece by piece with their length. */
export function sendArrowBytes(reply: FastifyReply, bytes: ArrowBytes, extraHeaders: Record<string, string> = bytes.headers ?? {}) {
  reply.header('content-type', ARROW_MIME);
  for (const [k, v] of Object.entries(extraHeaders)) reply.header(k, v);
  if (bytes.byteLength <= 64 * 1024) return reply.send(Buffer.concat(bytes.chunks as Uint8Array[], bytes.byteLength));
  reply.header('content-length', String(bytes.byteLength));
  return reply.send(Readable.from(bytes.chunks, { objectMode: false }));
}

/** Send the rows as an Arrow IPC stream. */
export async function sendArrow(reply: FastifyReply, result: ReadResult, extraHeaders: Record<string, string> = {}) {
  return sendArrowBytes(reply, await toArrowBytes(result), extraHeaders);
}
