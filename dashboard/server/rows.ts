// Read a query into plain rows and typed columns: BIGINT/HUGEINT become numbers, DATE becomes
// 'YYYY-MM-DD', TIMESTAMP an ISO string, DECIMAL a double. The same columns feed JSON and Arrow.
// The result keeps DuckDB's data chunks: JSON converts them to plain values on first use of `data`,
// Arrow (arrow.ts) builds its vectors from the chunks' buffers without that conversion.
import {
  DuckDBTypeId, JSDuckDBValueConverter,
  type DuckDBConnection, type DuckDBDataChunk, type DuckDBPreparedStatement, type DuckDBResult, type DuckDBType, type DuckDBValue, type DuckDBValueConverter,
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
  return resultColumns(await conn.stream(sql, params as never));
}

/** A streamed result's columns and chunks (readColumns, readOnePrepared). */
async function resultColumns(result: DuckDBResult): Promise<ReadResult> {
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

// Prepared statements kept per read connection, by SQL text: a statement run again with other parameters is
// not parsed, bound and planned again (the employee page's two statements: ~15 % of their CPU at 100k,
// bench/README.md "The employee page, round 2"). DuckDB binds a kept statement again by itself when a table
// it reads has changed since (a run replaced it). A few per connection, least recently used dropped.
const PREPARED_MAX = 16;
const prepared = new WeakMap<DuckDBConnection, Map<string, Promise<DuckDBPreparedStatement>>>();

function preparedOf(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let kept = prepared.get(conn);
  if (!kept) prepared.set(conn, (kept = new Map()));
  let ps = kept.get(sql);
  if (ps) {
    kept.delete(sql);
  } else {
    ps = conn.prepare(sql);
    ps.catch(() => kept.delete(sql)); // a statement that failed to prepare is not kept
    const oldest = kept.size >= PREPARED_MAX ? kept.keys().next().value : undefined;
    if (oldest !== undefined) {
      kept.get(oldest)?.then((old) => old.destroySync(), () => {});
      kept.delete(oldest);
    }
  }
  kept.set(sql, ps);
  return ps;
}

/** As readOne, through a statement prepared once per connection (for a statement a route runs on every request). */
export async function readOnePrepared(conn: DuckDBConnection, sql: string, params: Record<string, DuckDBValue>): Promise<PlainRow | undefined> {
  const ps = await preparedOf(conn, sql);
  ps.clearBindings();
  ps.bind(params);
  return toRows(await resultColumns(await ps.stream()))[0];
}
