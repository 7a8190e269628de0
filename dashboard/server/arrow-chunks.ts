// Whole-column buffers from DuckDB's result chunks, for the Arrow encoders (arrow-columns.ts, arrow-text.ts,
// arrow-dictionary.ts): each chunk's vector of a column, its data as a typed array, its validity as one
// Arrow bitmap (DuckDB's and Arrow's bit order are the same, so masks are copied as bytes).
import duckdb from '@duckdb/node-bindings';
import type { DuckDBDataChunk } from '@duckdb/node-api';


/** One chunk's piece of a column: DuckDB's vector and its row count. */
export interface Part { vector: duckdb.Vector; rows: number }

export function partsOf(chunks: readonly DuckDBDataChunk[], column: number): Part[] {
  return chunks.map((c) => ({ vector: duckdb.data_chunk_get_vector(c.chunk, column), rows: c.rowCount }));
}

/** The vector's data as a typed array (copied when DuckDB's buffer is not aligned for it). */
export function typed<T extends ArrayBufferView>(
  part: Part, Ctor: { new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number },
): T {
  const raw = duckdb.vector_get_data(part.vector, part.rows * Ctor.BYTES_PER_ELEMENT);
  if (raw.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(raw.buffer, raw.byteOffset, part.rows);
  const copy = raw.slice();
  return new Ctor(copy.buffer, 0, part.rows);
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => { let n = 0; for (let x = b; x; x >>= 1) n += x & 1; return n; });

export interface Validity { bitmap: Uint8Array; nullCount: number }

/** The column's validity bitmap (Arrow layout, LSB first), from DuckDB's per-chunk masks. */
export function validityOf(parts: Part[], total: number): Validity {
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

export const isValid = (bitmap: Uint8Array, i: number) => ((bitmap[i >> 3] >> (i & 7)) & 1) === 1;

export function nulls(v: Validity) {
  return v.nullCount ? { nullBitmap: v.bitmap, nullCount: v.nullCount } : { nullCount: 0 };
}

/** A vector's 16-byte string headers as 32-bit words (length, then 12 inline bytes or prefix + pointer). */
export function headerWords(part: Part): Int32Array {
  const raw = duckdb.vector_get_data(part.vector, part.rows * 16);
  if (raw.byteOffset % 4 === 0) return new Int32Array(raw.buffer, raw.byteOffset, part.rows * 4);
  return new Int32Array(raw.slice().buffer, 0, part.rows * 4);
}
