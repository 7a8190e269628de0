// Reads a vendor export (CSV, or Parquet) into a temp table of VARCHAR columns named as in the header
// (trimmed) plus `_line`: the 1-based physical line where the record starts, the header being line 1.
// Line numbers are computed in SQL: the file's lines, a running count of quote characters (a line starts a
// record when the quotes before it are balanced), and the n-th non-blank record start after the header is
// the n-th row DuckDB read. Records DuckDB cannot read (wrong number of fields, a broken quote) come back as
// `readRejects` with their line, in the words the ingest uses for canonical files.
import type { DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import { all, exec, ident, literal, one } from '../db.ts';
import { readerReason, shorten } from '../ingest/index.ts';
import type { SourceOptions } from './types.ts';

export interface ReadReject { line: number | null; reason: string; /** The record's text. */ value: string | null }

export interface SourceTable {
  table: string;
  /** Header names as read (trimmed), in file order. */
  header: string[];
  rowsRead: number;
  readRejects: ReadReject[];
}

let counter = 0;
/** A fresh temp-table name prefix (unique in this process). */
export function tempName(stem: string): string {
  counter += 1;
  return `_map_${stem.replace(/[^a-z0-9]+/gi, '_').toLowerCase().slice(0, 30)}_${process.pid}_${counter}`;
}

export async function readSource(conn: DuckDBConnection, file: string, options: SourceOptions,
  table = tempName(path.basename(file))): Promise<SourceTable> {
  if (/\.parquet$/i.test(file)) return readParquet(conn, file, table);
  const csv = `${table}_csv`;
  const rej = `${table}_rej`;
  const scan = `${table}_scan`;
  const dialect = [
    'header = true', 'all_varchar = true', `delim = ${literal(options.delimiter)}`, `quote = ${literal(options.quote)}`,
    `escape = ${literal(options.quote)}`, 'strict_mode = true', 'store_rejects = true',
    `rejects_table = ${literal(rej)}`, `rejects_scan = ${literal(scan)}`,
    ...(options.encoding ? [`encoding = ${literal(options.encoding)}`] : []),
  ].join(', ');
  try {
    await exec(conn, `create or replace temp table ${ident(csv)} as select row_number() over () - 1 as __trellis_ord, * from read_csv(${literal(file)}, ${dialect})`);
  } catch (e) {
    throw new Error(`${file}: cannot be read as CSV (${(e as Error).message.split('\n')[0]}); check the delimiter and encoding in the mapping's source:`);
  }
  // The ordinal is numbered while reading: rowid is not usable (inside a transaction it starts far from 0).
  const cols = (await all<{ name: string }>(conn, `select column_name as name from (describe ${ident(csv)})`)).map((r) => r.name)
    .filter((n) => n !== '__trellis_ord');
  const header = cols.map((c) => c.replace(/^\uFEFF/, '').trim());

  // Physical lines: every record start (balanced quotes before it), numbered as DuckDB numbers its rejects
  // (blank lines included, header = 1), and the data rows among them in order.
  const q = options.quote.replaceAll("'", "''");
  await exec(conn, `
    create or replace temp table ${ident(`${table}_lines`)} as
    with text as (select content from read_text(${literal(file)})),
    lines as (
      select generate_subscripts(parts, 1) as line, unnest(parts) as txt
      from (select string_split(content, chr(10)) as parts from text)
    ),
    quoted as (
      select line, txt, coalesce(sum(length(txt) - length(replace(txt, '${q}', ''))) over (
        order by line rows between unbounded preceding and 1 preceding), 0) as quotes_before
      from lines
    ),
    starts as (
      select line, txt, row_number() over (order by line) as duck_line
      from quoted where quotes_before % 2 = 0
    )
    select line, duck_line from starts
    where duck_line > 1 and regexp_full_match(txt, '\\s*') = false`);
  await exec(conn, `
    create or replace temp table ${ident(`${table}_rows`)} as
    select line, row_number() over (order by line) - 1 as ord
    from ${ident(`${table}_lines`)}
    where duck_line not in (select line from ${ident(rej)})`);

  // DuckDB may report a record more than once (once per extra field): one reject per record.
  const rejects = await all<{ line: number | null; type: string; message: string; csv_line: string | null }>(conn, `
    select l.line::int as line, first(e.error_type::VARCHAR order by e.byte_position) as type,
      first(e.error_message order by e.byte_position) as message, first(e.csv_line) as csv_line
    from ${ident(rej)} e left join ${ident(`${table}_lines`)} l on l.duck_line = e.line
    where l.line is not null or e.error_type <> 'MISSING COLUMNS' or e.csv_line is null
       or not regexp_full_match(e.csv_line, '\\s*')
    group by e.line, l.line order by e.line`);

  const select = cols.map((c, i) => `c.${ident(c)} as ${ident(header[i])}`).join(', ');
  await exec(conn, `
    create or replace temp table ${ident(table)} as
    select r.line::int as _line, ${select}
    from ${ident(csv)} c
    left join ${ident(`${table}_rows`)} r on r.ord = c.__trellis_ord
    order by c.__trellis_ord`);
  const n = await one<{ n: number }>(conn, `select count(*)::int as n, count(_line)::int as lined from ${ident(table)}`);
  for (const t of [csv, `${table}_lines`, `${table}_rows`, rej, scan]) await exec(conn, `drop table if exists ${ident(t)}`);
  return {
    table, header, rowsRead: Number(n?.n ?? 0),
    readRejects: rejects.map((r) => ({
      line: r.line === null ? null : Number(r.line),
      reason: readerReason(r.type, r.message, countFields(r.csv_line ?? '', options), header.length),
      value: r.csv_line === null ? null : shorten(r.csv_line),
    })),
  };
}

/** The fields of one record's text (quote-aware: a separator inside quotes does not count). */
function countFields(record: string, { delimiter, quote }: SourceOptions): number {
  let fields = 1;
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    if (record.startsWith(quote, i)) quoted = !quoted;
    else if (!quoted && record.startsWith(delimiter, i)) { fields++; i += delimiter.length - 1; }
  }
  return fields;
}

async function readParquet(conn: DuckDBConnection, file: string, table: string): Promise<SourceTable> {
  const cols = (await all<{ name: string }>(conn, `select column_name as name from (describe select * from read_parquet(${literal(file)}))`)).map((r) => r.name);
  const header = cols.map((c) => c.trim());
  const select = cols.map((c, i) => `cast(${ident(c)} as varchar) as ${ident(header[i])}`).join(', ');
  await exec(conn, `create or replace temp table ${ident(table)} as
    select (file_row_number + 2)::int as _line, ${select} from read_parquet(${literal(file)}, file_row_number = true) order by file_row_number`);
  const n = await one<{ n: number }>(conn, `select count(*)::int as n from ${ident(table)}`);
  return { table, header, rowsRead: Number(n?.n ?? 0), readRejects: [] };
}
