// Export any table or model as CSV, Parquet, JSON or Arrow IPC. The table name is looked up in the
// catalog and only the catalog's own name (through ident) enters SQL; CSV cells that a spreadsheet
// would run as a formula (= + - @, tab, CR first) get a leading single quote.
import type { DuckDBConnection } from '@duckdb/node-api';
import { Bool, DateDay, Float64, Int32, Int64, Table, TimestampMillisecond, Utf8, tableToIPC, vectorFromArray, type DataType } from 'apache-arrow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { all, exec, ident, literal } from './db.ts';

export const EXPORT_FORMATS = ['csv', 'parquet', 'json', 'arrow'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Tables that hold secrets or sign-in identities and are never exported. */
const NEVER_EXPORTED = new Set(['users', 'sessions', 'sso_identities']);

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export function isExportFormat(v: string): v is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(v);
}

interface Column { name: string; type: string }

/** Levenshtein distance (insertions, deletions, substitutions) between two short names. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The catalog's name and columns of a table or view of schema main; ExportError when there is none. */
export async function resolveTable(conn: DuckDBConnection, name: string): Promise<{ table: string; columns: Column[] }> {
  const tables = await all<{ table_name: string }>(conn,
    "select table_name from information_schema.tables where table_schema = 'main' order by table_name");
  const found = tables.find((t) => t.table_name === name) ?? tables.find((t) => t.table_name.toLowerCase() === name.toLowerCase());
  if (!found || NEVER_EXPORTED.has(found.table_name)) {
    // names that contain it or that it contains, or a typo away (an edit or two: headcont → headcount)
    const wanted = name.toLowerCase();
    const close = tables.map((t) => t.table_name).filter((t) => !NEVER_EXPORTED.has(t)
      && (t.includes(wanted) || wanted.includes(t) || editDistance(t, wanted) <= Math.max(1, Math.min(2, Math.floor(wanted.length / 4)))));
    throw new ExportError(`no table or model named "${name}" to export${close.length ? `; did you mean ${close.slice(0, 5).join(', ')}?` : ''}`
      + ' (list them with `trellis export --list`)');
  }
  const columns = await all<{ name: string; type: string }>(conn,
    `select column_name as name, data_type as type from information_schema.columns
     where table_schema = 'main' and table_name = $t order by ordinal_position`, { t: found.table_name });
  return { table: found.table_name, columns };
}

/** Tables and models that can be exported. */
export async function exportableTables(conn: DuckDBConnection): Promise<string[]> {
  const rows = await all<{ table_name: string }>(conn,
    "select table_name from information_schema.tables where table_schema = 'main' order by table_name");
  return rows.map((r) => r.table_name).filter((t) => !NEVER_EXPORTED.has(t));
}

/** The select list of a CSV export: text cells starting with a formula character get a leading quote. */
function csvSelect(columns: Column[]): string {
  return columns.map((c) => {
    const col = ident(c.name);
    if (c.type !== 'VARCHAR' && !c.type.startsWith('ENUM')) return col; // an ENUM column's values are text too
    return `case when left(${col}, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then '''' || ${col} else ${col} end as ${col}`;
  }).join(', ');
}

function arrowType(duckType: string): { type: DataType; sqlCast?: string } {
  const t = duckType.toUpperCase();
  if (t === 'BOOLEAN') return { type: new Bool() };
  if (['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT'].includes(t)) return { type: new Int32() };
  if (t === 'BIGINT') return { type: new Int64() };
  if (['FLOAT', 'DOUBLE', 'UINTEGER', 'UBIGINT', 'HUGEINT'].includes(t) || t.startsWith('DECIMAL')) return { type: new Float64(), sqlCast: 'DOUBLE' };
  if (t === 'DATE') return { type: new DateDay() };
  if (t.startsWith('TIMESTAMP')) return { type: new TimestampMillisecond(), sqlCast: 'TIMESTAMP' };
  return { type: new Utf8(), sqlCast: 'VARCHAR' };
}

async function arrowBytes(conn: DuckDBConnection, table: string, columns: Column[]): Promise<Uint8Array> {
  const plan = columns.map((c) => ({ ...c, ...arrowType(c.type) }));
  const select = plan.map((c) => (c.sqlCast ? `${ident(c.name)}::${c.sqlCast} as ${ident(c.name)}` : ident(c.name))).join(', ');
  const reader = await conn.runAndReadAll(`select ${select} from ${ident(table)}`);
  const data = reader.getColumnsObjectJS() as Record<string, unknown[]>;
  const vectors = Object.fromEntries(plan.map((c) => [c.name, vectorFromArray(data[c.name] ?? [], c.type as never)]));
  return tableToIPC(new Table(vectors), 'stream');
}

/** Write `table` to `file` in `format`. Returns the catalog name and the number of rows written. */
export async function exportTable(conn: DuckDBConnection, name: string, format: ExportFormat, file: string): Promise<{ table: string; rows: number }> {
  if (!isExportFormat(format)) throw new ExportError(`unknown export format "${format}"; use one of ${EXPORT_FORMATS.join(', ')}`);
  const { table, columns } = await resolveTable(conn, name);
  const rows = Number((await all<{ n: number }>(conn, `select count(*)::int as n from ${ident(table)}`))[0].n);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  switch (format) {
    case 'csv':
      await exec(conn, `copy (select ${csvSelect(columns)} from ${ident(table)}) to ${literal(file)} (format csv, header true)`);
      break;
    case 'parquet':
      await exec(conn, `copy (select * from ${ident(table)}) to ${literal(file)} (format parquet)`);
      break;
    case 'json':
      await exec(conn, `copy (select * from ${ident(table)}) to ${literal(file)} (format json, array true)`);
      break;
    case 'arrow':
      fs.writeFileSync(file, await arrowBytes(conn, table, columns));
      break;
  }
  return { table, rows };
}

/** The export as bytes (via a temp file: DuckDB's COPY writes files). */
export async function exportToBuffer(conn: DuckDBConnection, name: string, format: ExportFormat): Promise<{ table: string; rows: number; bytes: Buffer }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-export-'));
  try {
    const file = path.join(dir, `export.${format}`);
    const result = await exportTable(conn, name, format, file);
    return { ...result, bytes: fs.readFileSync(file) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
  json: 'application/json',
  arrow: 'application/vnd.apache.arrow.stream',
};
