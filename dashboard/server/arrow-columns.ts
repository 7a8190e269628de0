// One Arrow vector per DuckDB result column: the Arrow type each DuckDB type is answered as, and the
// encoders of numbers, booleans, dates and ENUMs from the chunks' buffers (text: arrow-text.ts); other
// types go through the plain values of rows.ts, one whole column at a time.
import duckdb from '@duckdb/node-bindings';
import {
  DuckDBTypeId, type DuckDBDataChunk, type DuckDBDecimalType, type DuckDBEnumType, type DuckDBListType, type DuckDBType,
} from '@duckdb/node-api';
import {
  Bool, Field, Float64, Int32, List, Table, Utf8, makeData, makeVector, vectorFromArray,
  type DataType, type Vector,
} from 'apache-arrow';
import { columnValues, type Cell, type ReadResult } from './rows.ts';
import { isValid, nulls, partsOf, typed, validityOf, type Part } from './arrow-chunks.ts';
import { dictionaryVector, scratchInt32 } from './arrow-dictionary.ts';
import { encoder, textColumn, utf8FromValues } from './arrow-text.ts';

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
