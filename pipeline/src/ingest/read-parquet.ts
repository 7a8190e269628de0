// Read a Parquet file into a raw view of the canonical columns plus `_line` (row number + 1, so the
// first row is line 2 as in a CSV with its header), for the same validation as CSV. Columns are text,
// except those whose Parquet type is exactly the canonical type (nativeOrText).
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ColumnType, DatasetDef } from '../datasets.ts';
import { all, exec, ident, literal } from '../db.ts';
import { matchColumns, RefusedError } from './columns.ts';
import { READ_REJECTS_DDL, type ReadResult } from './read-csv.ts';

const INTEGER_TYPES = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT',
  'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'];
const TIMESTAMP_TYPES = ['TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS'];

/** Whether a Parquet column of DuckDB type `type` can hold values of the canonical type. */
export function parquetTypeFits(canonical: ColumnType, type: string): boolean {
  const t = type.toUpperCase();
  if (t === 'VARCHAR') return true;
  const isInt = INTEGER_TYPES.includes(t);
  switch (canonical) {
    case 'text': return isInt;
    case 'int': return isInt;
    case 'number': return isInt || t === 'FLOAT' || t === 'DOUBLE' || t.startsWith('DECIMAL');
    case 'date': return t === 'DATE' || TIMESTAMP_TYPES.includes(t);
    case 'bool': return t === 'BOOLEAN' || isInt;
    case 'enum': return false;
  }
}

/**
 * A Parquet column as the raw view passes it on: typed when it holds exactly what the canonical type
 * holds (a date, a timestamp's date, a 32-bit-or-smaller integer, a boolean), so validation skips the
 * text round trip; otherwise as text, validated like a CSV cell.
 */
export function nativeOrText(canonical: ColumnType, type: string, expr: string): string {
  const t = type.toUpperCase();
  if (canonical === 'date' && TIMESTAMP_TYPES.includes(t)) return `cast(${expr} as DATE)`;
  if (canonical === 'date' && t === 'DATE') return expr;
  if (canonical === 'int' && ['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT'].includes(t)) return `cast(${expr} as INTEGER)`;
  if (canonical === 'bool' && t === 'BOOLEAN') return expr;
  const text = TIMESTAMP_TYPES.includes(t) ? `cast(${expr} as DATE)` : expr;
  return `cast(${text} as VARCHAR)`;
}

let probeInstance: Promise<DuckDBInstance> | null = null;

/**
 * Columns and row count of a Parquet file, read on a private in-memory DuckDB: a file DuckDB cannot
 * read (truncated, not Parquet at all) fails there and is refused, instead of failing a statement
 * inside the run's transaction, which would abort the whole run.
 */
async function probe(file: string, name: string): Promise<{ described: { column_name: string; column_type: string }[]; rows: number }> {
  const instance = await (probeInstance ??= DuckDBInstance.create(':memory:'));
  const conn = await instance.connect();
  try {
    const described = await all<{ column_name: string; column_type: string }>(conn, `describe select * from read_parquet(${literal(file)})`);
    const n = await all<{ n: number }>(conn, `select count(*)::BIGINT::DOUBLE as n from read_parquet(${literal(file)})`);
    return { described, rows: Number(n[0]?.n ?? 0) };
  } catch (err) {
    throw new RefusedError(`${name}: the file cannot be read as Parquet (${(err as Error).message.split('\n')[0]}); ` +
      'export it again (the file may be cut short or not be Parquet at all)');
  } finally {
    conn.closeSync();
  }
}

export async function readParquet(
  conn: DuckDBConnection, file: string, name: string, def: DatasetDef, rawTable: string, rejectsTable: string,
): Promise<ReadResult> {
  const { described, rows } = await probe(file, name);
  const colIndex = matchColumns(def, name, described.map((d) => d.column_name));
  const select: string[] = [];
  for (const col of def.columns) {
    const i = colIndex.get(col.name);
    if (i === undefined) { select.push(`NULL::VARCHAR as ${ident(col.name)}`); continue; }
    const { column_name: src, column_type: type } = described[i];
    if (!parquetTypeFits(col.type, type)) {
      throw new RefusedError(`${name}: column "${src}" has type ${type}, which cannot hold ${col.name} ` +
        `(${col.type}); export it as ${col.type === 'enum' ? 'text' : `${col.type} or text`}`);
    }
    select.push(`${nativeOrText(col.type, type, ident(src))} as ${ident(col.name)}`);
  }
  // A view: validation reads the file once when it materializes the trimmed rows.
  await exec(conn, `create or replace temp view ${ident(rawTable)} as
    select ${select.join(', ')}, (file_row_number + 2)::INTEGER as _line
    from read_parquet(${literal(file)}, file_row_number = true)`);
  await exec(conn, `create or replace temp table ${ident(rejectsTable)} ${READ_REJECTS_DDL}`);
  return { rowsRead: rows };
}
