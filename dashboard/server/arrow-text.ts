// Text columns as Arrow: DuckDB's VARCHAR vectors (Dictionary when few values are distinct, else Utf8 copied
// from the string headers and heap) and whole-column JS text values (utf8FromValues).
import duckdb from '@duckdb/node-bindings';
import { Utf8, makeData, makeVector, type Vector } from 'apache-arrow';
import type { Cell } from './rows.ts';
import { headerWords, isValid, nulls, validityOf, type Part, type Validity } from './arrow-chunks.ts';
import { dictionaryFromHeaders, textVector } from './arrow-dictionary.ts';

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
export function textColumn(parts: Part[], total: number): Vector {
  const validity = validityOf(parts, total);
  const headers = parts.map((part) => headerWords(part));
  return dictionaryFromHeaders(parts, headers, total, validity) ?? utf8Column(parts, headers, total, validity);
}

export const encoder = new TextEncoder();

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
