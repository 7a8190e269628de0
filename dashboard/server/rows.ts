// Read a query into plain rows and typed columns: BIGINT/HUGEINT become numbers, DATE becomes
// 'YYYY-MM-DD', TIMESTAMP an ISO string, DECIMAL a double. The same columns feed JSON and Arrow.
// The result keeps DuckDB's data chunks: JSON converts them to plain values on first use of `data`,
// Arrow (arrow.ts) builds its vectors from the chunks' buffers without that conversion.
import {
  DuckDBTypeId, JSDuckDBValueConverter,
  type DuckDBConnection, type DuckDBDataChunk, type DuckDBType, type DuckDBValue, type DuckDBValueConverter,
} from '@duckdb/node-api';
import type { Params } from '../../pipeline/src/db.ts';

export type Cell = string | number | boolean | null | Cell[] | { [k: string]: Cell };
export type PlainRow = Record<string, Cell>;

export interface ColumnInfo { name: string; type: DuckDBType }

export interface ReadResult {
  columns: ColumnInfo[];
  /** Column-major values, one array per column, in `columns` order (converted from `chunks` on first use). */
  readonly data: Cell[][];
  rowCount: number;
  /** DuckDB's result chunks, when the result came from a query (Arrow reads their buffers directly). */
  chunks?: readonly DuckDBDataChunk[];
}

export const plainConverter: DuckDBValueConverter<Cell> = (value: DuckDBValue, type: DuckDBType, converter) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return Number(value as bigint);
    case DuckDBTypeId.DATE:
      return String(value);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const d = JSDuckDBValueConverter(value, type, JSDuckDBValueConverter as never) as Date | null;
      return d ? d.toISOString() : null;
    }
    default:
      return JSDuckDBValueConverter(value, type, converter as never) as Cell;
  }
};

/** One column's plain values (as in `data`), converted from the chunks. */
export function columnValues(chunks: readonly DuckDBDataChunk[], column: number): Cell[] {
  const out: Cell[] = [];
  for (const chunk of chunks) {
    chunk.visitColumnValues(column, (value, _r, _c, type) => { out.push(plainConverter(value, type, plainConverter) as Cell); });
  }
  return out;
}

export async function readColumns(conn: DuckDBConnection, sql: string, params?: Params): Promise<ReadResult> {
  // Streamed, not materialized: a materialized result is first collected by DuckDB and then copied chunk
  // by chunk out of that collection (getChunk), twice the memory written; the streamed chunks are the
  // query's own (100k-row retention list: ~130 ms instead of ~300 ms, bench/README.md). `result` stays
  // referenced below as long as its chunks are in use (their strings may point into its memory).
  const result = await conn.stream(sql, params as never);
  const names = result.columnNames();
  const types = result.columnTypes();
  const chunks: DuckDBDataChunk[] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    chunks.push(chunk);
  }
  let rowCount = 0;
  for (const chunk of chunks) rowCount += chunk.rowCount;
  let data: Cell[][] | undefined;
  return {
    columns: names.map((name, i) => ({ name, type: types[i] })),
    get data() {
      data ??= names.map((_, i) => columnValues(chunks, i));
      return data;
    },
    rowCount,
    chunks,
    source: result,
  } as ReadResult;
}

export function toRows(result: ReadResult): PlainRow[] {
  const rows: PlainRow[] = new Array(result.rowCount);
  for (let r = 0; r < result.rowCount; r++) {
    const row: PlainRow = {};
    for (let c = 0; c < result.columns.length; c++) row[result.columns[c].name] = result.data[c][r];
    rows[r] = row;
  }
  return rows;
}

export async function readRows(conn: DuckDBConnection, sql: string, params?: Params): Promise<PlainRow[]> {
  return toRows(await readColumns(conn, sql, params));
}

export async function readOne(conn: DuckDBConnection, sql: string, params?: Params): Promise<PlainRow | undefined> {
  return (await readRows(conn, sql, params))[0];
}
