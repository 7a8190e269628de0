// Read a CSV file into a raw table: canonical columns as VARCHAR plus `_line`, the 1-based physical line
// where the record starts (header = line 1). DuckDB's read_csv does the reading with an explicit dialect
// and every column VARCHAR; the byte scanner (csv-scan.ts) supplies exact physical lines and field counts.
import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatasetDef } from '../datasets.ts';
import { all, exec, ident, literal, one } from '../db.ts';
import { matchColumns, RefusedError } from './columns.ts';
import { breaksNeedNormalizing, normalizeLineBreaks, recordAt, scanCsv, type CsvScan } from './csv-scan.ts';

export interface ReadResult {
  /** Records read from the file (blank lines excluded). */
  rowsRead: number;
  /**
   * For a raw view whose `_line` is null until its rows have been read: called by validation once it has
   * read the view, in file order, into `table`; sets `_line`, may delete rows and throw RefusedError.
   * Answers the rows left in `table` and the read-level rejects it wrote (so validation need not count them).
   */
  finish?: (conn: DuckDBConnection, table: string) => Promise<FinishResult>;
  /** The raw view's column names when the reader knows them (all VARCHAR, `_line` INTEGER): no `describe`. */
  columns?: readonly string[];
  /** Turns an error raised while reading the raw view into a clearer one. */
  readError?: (err: Error) => Error;
  /** Removes what the raw view reads (a temporary copy of the file); call when done with the view. */
  cleanup?: () => void;
}

/** What a reader's `finish` leaves: rows in the work table, and rows written to the read rejects table. */
export interface FinishResult { rows: number; readRejects: number }

/** Table of rejects found while reading: `_line, "column", value, reason`. */
export const READ_REJECTS_DDL = '(_line INTEGER, "column" VARCHAR, value VARCHAR, reason VARCHAR)';

const CSV_REJ = '_ingest_csv_rejects';
const CSV_SCAN = '_ingest_csv_scan';
const BREAKS = '_ingest_csv_breaks';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Why DuckDB's reader rejected a record (its `error_type`), in words; `fields` and `expected` count the record's and the header's fields. */
export function readerReason(type: string, message: string, fields: number, expected: number): string {
  switch (type) {
    case 'TOO MANY COLUMNS':
    case 'MISSING COLUMNS':
      return `the row has ${plural(fields, 'field')}, the header has ${expected}: a quote or separator is probably missing`;
    case 'UNQUOTED VALUE':
      return 'a quoted field is not closed properly (inside quotes, write a quote as "")';
    case 'INVALID ENCODING':
    case 'INVALID UNICODE':
      return 'the row is not valid UTF-8 text; save the file as UTF-8';
    case 'LINE SIZE OVER MAXIMUM':
      return 'the row is longer than the maximum line size (2 MB); shorten the long field (a cell holds text, not documents)';
    default:
      return `the row cannot be read: ${message}`;
  }
}

/** A rejected record's text as the reject's value: without its line break, at most 200 characters. */
export function shorten(text: string): string {
  const t = text.replace(/^[\r\n]+|[\r\n]+$/g, '');
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/**
 * Drop what a CSV read leaves behind for its raw view; call once the raw table has been validated. DuckDB's
 * reject tables go when the read is finished (`numberLines`), or before the next read makes them again.
 */
export async function dropCsvTemps(conn: DuckDBConnection, rawTable: string): Promise<void> {
  await exec(conn, `drop view if exists ${ident(rawTable)}`);
}

const UTF16 = 'save it as UTF-8 (in Excel: Save As → "CSV UTF-8 (Comma delimited)")';

/** Refuse what DuckDB cannot read as UTF-8 CSV text: UTF-16 files and binary files named .csv. */
function checkText(scan: CsvScan, name: string): void {
  const h = scan.head;
  if ((h[0] === 0xff && h[1] === 0xfe) || (h[0] === 0xfe && h[1] === 0xff)) {
    throw new RefusedError(`${name}: the file is UTF-16 text; ${UTF16}`);
  }
  if (scan.nul === 0) return;
  // UTF-16 without a byte-order mark: every other byte of ASCII text is NUL
  if (h.length >= 4 && ((h[1] === 0 && h[3] === 0 && h[0] !== 0) || (h[0] === 0 && h[2] === 0 && h[1] !== 0))) {
    throw new RefusedError(`${name}: the file looks like UTF-16 text (a NUL byte after every letter); ${UTF16}`);
  }
  throw new RefusedError(`${name}: line ${scan.firstNulLine} contains NUL bytes, so this is not a text CSV file ` +
    '(a spreadsheet, archive or other binary file renamed to .csv?); export the data as CSV (UTF-8) and drop that file');
}

/** A clearer reason than "missing columns" when the header is a different dialect or not text. */
function headerHint(header: string[], name: string): string | null {
  const first = header[0]?.trim().toLowerCase() ?? '';
  if (/^sep=.?$/.test(first)) {
    return `${name}: line 1 is an Excel "${header[0].trim()}" line, not the header; delete that line so that line 1 holds the column names`;
  }
  if (header.length === 1) {
    const sep = [';', '\t', '|'].find((c) => header[0].includes(c));
    if (sep) {
      const shown = sep === '\t' ? 'tabs' : `"${sep}"`;
      return `${name}: the header uses ${shown} between column names, not commas; save the file as comma-separated CSV`;
    }
  }
  if (header.some((h) => h.includes('\uFFFD'))) {
    return `${name}: the header row is not valid UTF-8 text; ${UTF16.replace('save it', 'save the file')}`;
  }
  return null;
}

/**
 * Make `rawTable` a temp view that reads `file` (valid until dropCsvTemps); its `_line` and the read-level
 * rejects (into `rejectsTable`) come from the result's `finish`, once the view has been read. Throws
 * RefusedError when the file cannot be read or lacks a required column. `scanned`: the file's scan, when
 * the caller started it ahead.
 */
export async function readCsv(
  conn: DuckDBConnection, file: string, name: string, def: DatasetDef, rawTable: string, rejectsTable: string,
  maxRejects: number, scanned?: Promise<CsvScan>,
): Promise<ReadResult> {
  let scan: CsvScan;
  try {
    scan = await (scanned ?? scanCsv(file));
  } catch (err) {
    throw new RefusedError(`${name}: the file cannot be read (${(err as Error).message})`);
  }
  checkText(scan, name);
  // DuckDB stops with an error (which would abort the run's transaction) on a file that mixes LF and
  // CRLF or has lone CRs: read a copy with LF breaks instead.
  let copy: string | null = null;
  if (breaksNeedNormalizing(scan)) {
    copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-csv-')), 'lf.csv');
    try {
      await normalizeLineBreaks(file, copy);
      scan = await scanCsv(copy);
    } catch (err) {
      fs.rmSync(path.dirname(copy), { recursive: true, force: true });
      throw new RefusedError(`${name}: the file cannot be read (${(err as Error).message})`);
    }
  }
  const removeCopy = () => { if (copy) fs.rmSync(path.dirname(copy), { recursive: true, force: true }); };
  try {
    // the view reads the copy: it goes when the caller is done with the view
    return { ...await readScanned(conn, copy ?? file, scan, name, def, rawTable, rejectsTable, maxRejects), cleanup: removeCopy };
  } catch (err) {
    removeCopy();
    throw err;
  }
}

async function readScanned(
  conn: DuckDBConnection, file: string, scan: CsvScan, name: string, def: DatasetDef, rawTable: string, rejectsTable: string,
  maxRejects: number,
): Promise<ReadResult> {
  if (!scan.header) throw new RefusedError(`${name}: the file is empty; line 1 must be the header row`);
  if (scan.headerLine !== 1) throw new RefusedError(`${name}: line 1 is empty; line 1 must be the header row`);
  const header = scan.header;
  let colIndex: Map<string, number>;
  try {
    colIndex = matchColumns(def, name, header);
  } catch (err) {
    const hint = err instanceof RefusedError ? headerHint(header, name) : null;
    throw hint ? new RefusedError(hint) : err;
  }
  const n = header.length;

  await exec(conn, `drop table if exists ${ident(CSV_REJ)}`);
  await exec(conn, `drop table if exists ${ident(CSV_SCAN)}`);
  const columns = header.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const select = def.columns.map((c) => {
    const i = colIndex.get(c.name);
    return i === undefined ? `NULL::VARCHAR as ${ident(c.name)}` : `t.${ident(`c${i}`)} as ${ident(c.name)}`;
  });
  await exec(conn, `create or replace temp table ${ident(rejectsTable)} ${READ_REJECTS_DDL}`);
  // The raw view reads the file itself: validation materializes it once, in file order, and then calls
  // `finish` to number the lines from the rows' order (a CSV read has no row number of its own).
  await exec(conn, `create or replace temp view ${ident(rawTable)} as
    select ${select.join(', ')}, NULL::INTEGER as _line
    from read_csv(${literal(file)}, delim = ',', quote = '"', escape = '"', header = true,
      auto_detect = false, columns = {${columns}}, encoding = 'utf-8',
      store_rejects = true, rejects_table = ${literal(CSV_REJ)}, rejects_scan = ${literal(CSV_SCAN)}) t`);
  return {
    rowsRead: scan.count,
    columns: [...def.columns.map((c) => c.name), '_line'],
    finish: (c, table) => numberLines(c, table, scan, name, def, n, rejectsTable, maxRejects),
    readError: (err) => new RefusedError(`${name}: the file cannot be read as CSV (${err.message.split('\n')[0]})`),
  };
}

/**
 * Once the raw view has been read, in file order, into `table` (whose `_line` is still null): match
 * DuckDB's rejected records to the scanner's records, refuse the file when too many cannot be read, set
 * `_line` of every row, delete rows the scanner found to have the wrong number of fields, and write the
 * read-level rejects to `rejectsTable`. Returns the rows left in `table` and the number of read-level rejects.
 */
async function numberLines(
  conn: DuckDBConnection, table: string, scan: CsvScan, name: string, def: DatasetDef, n: number,
  rejectsTable: string, maxRejects: number,
): Promise<FinishResult> {
  try {
    return await numberLinesOf(conn, table, scan, name, def, n, rejectsTable, maxRejects);
  } finally {
    await exec(conn, `drop table if exists ${ident(CSV_REJ)}`);
    await exec(conn, `drop table if exists ${ident(CSV_SCAN)}`);
  }
}

async function numberLinesOf(
  conn: DuckDBConnection, table: string, scan: CsvScan, name: string, def: DatasetDef, n: number,
  rejectsTable: string, maxRejects: number,
): Promise<FinishResult> {
  // One entry per rejected record; whitespace-only lines are skipped, not rejected.
  const duckRejects = await all<{ pos: number; type: string; csv_line: string; message: string }>(conn, `
    select min(line_byte_position)::DOUBLE as pos, first(error_type::VARCHAR order by byte_position) as type,
      first(csv_line) as csv_line, first(error_message order by byte_position) as message
    from ${ident(CSV_REJ)}
    where trim(coalesce(csv_line, ''), ' ' || chr(9) || chr(10) || chr(13)) <> ''
    group by line_byte_position order by 1`);
  if (duckRejects.length > maxRejects) {
    throw new RefusedError(`${name}: ${duckRejects.length} rows cannot be read (more than ${maxRejects}); ` +
      `the file does not look like a CSV export of ${def.name}`);
  }
  const rejected = new Map<number, { reason: string; value: string }>();
  for (const r of duckRejects) {
    const idx = recordAt(scan, Number(r.pos));
    if (idx < 0 || rejected.has(idx)) continue;
    rejected.set(idx, { reason: readerReason(r.type, r.message, scan.fields[idx], n), value: shorten(r.csv_line ?? '') });
  }

  // Records DuckDB accepted, in insertion order: the k-th row of `table` (rowids are contiguous, but
  // start high inside a transaction) is the k-th accepted record. Lines come as breakpoints of
  // `line - (k + 2)` (changes only after blank lines, quoted newlines and rejected records).
  const breakK: number[] = [];
  const breakOff: number[] = [];
  const drops: number[] = [];
  const fieldRejects: { line: number; reason: string }[] = [];
  let k = 0;
  let lastOff = Number.NaN;
  for (let i = 0; i < scan.count; i++) {
    if (rejected.has(i)) continue;
    const off = scan.lines[i] - (k + 2);
    if (off !== lastOff) { breakK.push(k); breakOff.push(off); lastOff = off; }
    if (scan.fields[i] !== n) {
      drops.push(k);
      fieldRejects.push({ line: scan.lines[i], reason: readerReason('TOO MANY COLUMNS', '', scan.fields[i], n) });
    }
    k++;
  }
  const stats = await one<{ n: number; base: number }>(conn,
    `select count(*)::DOUBLE as n, coalesce(min(rowid), 0)::DOUBLE as base from ${ident(table)}`);
  const loaded = Number(stats?.n ?? 0);
  if (loaded !== k) {
    throw new RefusedError(`${name}: the rows could not be told apart reliably (${loaded} read, ${k} expected); ` +
      'check the quoting: a field with commas, quotes or line breaks must be in double quotes, with inner quotes doubled');
  }
  const kExpr = `(rowid - ${Number(stats?.base ?? 0)})`;
  if (breakK.length <= 1) {
    // Common case: no blank line, quoted newline or rejected record before the last row.
    await exec(conn, `update ${ident(table)} set _line = (${kExpr} + ${2 + (breakOff[0] ?? 0)})::INTEGER`);
  } else {
    await exec(conn, `create or replace temp table ${ident(BREAKS)} (k BIGINT, off INTEGER)`);
    await exec(conn, `insert into ${ident(BREAKS)} select unnest($k::BIGINT[]), unnest($off::INTEGER[])`,
      { k: listValue(breakK), off: listValue(breakOff) });
    await exec(conn, `update ${ident(table)} set _line = x._line from (
        select r._rid, (r._k + 2 + b.off)::INTEGER as _line
        from (select rowid as _rid, ${kExpr} as _k from ${ident(table)}) r asof join ${ident(BREAKS)} b on r._k >= b.k) x
      where ${ident(table)}.rowid = x._rid`);
    await exec(conn, `drop table ${ident(BREAKS)}`);
  }
  if (drops.length > 0) {
    await exec(conn, `delete from ${ident(table)} where ${kExpr} in (select unnest($k::BIGINT[]))`, { k: listValue(drops) });
  }

  const lines: number[] = [];
  const reasons: string[] = [];
  const values: string[] = [];
  for (const [idx, r] of rejected) { lines.push(scan.lines[idx]); reasons.push(r.reason); values.push(r.value); }
  for (const r of fieldRejects) { lines.push(r.line); reasons.push(r.reason); values.push(''); }
  if (lines.length > 0) {
    await exec(conn, `insert into ${ident(rejectsTable)}
      select unnest($lines::INTEGER[]), NULL, nullif(unnest($values::VARCHAR[]), ''), unnest($reasons::VARCHAR[])`,
    { lines: listValue(lines), values: listValue(values), reasons: listValue(reasons) });
  }
  return { rows: k - drops.length, readRejects: lines.length };
}
