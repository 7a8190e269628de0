// Validation of one raw table (canonical VARCHAR columns + `_line`) and applying the survivors to
// `src_<dataset>`. The raw table may be a view: it is read once, into the typed work table (trimmed, cast
// and own rules flagged in one projection). All set-based SQL: own rules → duplicates → references →
// cycles → derived defaults.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { dataset as datasetDef, duckType, type DatasetDef, type DatasetName } from '../datasets.ts';
import { all, currentSchema, exec, ident, literal, one, tableExists } from '../db.ts';
import { mustBePresent, RefusedError } from './columns.ts';
import { checkCycles, checkReferences, MSG, workTable } from './references.ts';
import { NATIVE_TYPES, oneOf, ownRules, typedSql } from './rules.ts';
import { REJECTS_TABLE, srcTable } from './tables.ts';
import { changed } from './changed.ts';
import { deriveDefaults } from './derive.ts';
import type { FinishResult, ReadResult } from './read.ts';

export const DEFAULT_MAX_REJECTS_PER_FILE = 10_000;

export interface ValidateContext {
  runId: number;
  /** File name recorded in `rejects` and `src_*._file`. */
  file: string;
  maxRejectsPerFile?: number;
  /** Optional table of rejects found while reading (`_line, "column", value, reason`), one per row. */
  readRejectsTable?: string;
  /** Optional table of warnings about rows of the raw table (`_line, "column", value, reason`): the rows load. */
  warningsTable?: string;
  /** What the reader of the raw view left to do once it has been read (`ReadResult` of read.ts). */
  read?: Pick<ReadResult, 'finish' | 'readError' | 'columns'>;
}

export interface ValidateResult {
  status: 'loaded' | 'refused';
  reason?: string;
  /** Rows in the raw table plus rows rejected while reading. */
  rowsRead: number;
  /** Rows written to `src_<dataset>`. Event rows replaced by a later line of the same file are not counted. */
  rowsLoaded: number;
  rowsRejected: number;
  rowsWarned: number;
}

const BROKEN = '_ingest_broken';
const STAGE_GIVEN = 0;
const STAGE_OWN = 1;
const STAGE_DUPES = 2;
// Trimmed from both ends of every cell: space, tab, LF, CR, no-break space.
const WS_CODES = [32, 9, 10, 13, 160];
const WS = WS_CODES.map((c) => `chr(${c})`).join(' || ');

/**
 * `v` without the whitespace at its ends. `trim` with a set of characters costs ~4× a test of the first
 * and last character, and almost no cell has any, so only those that do are trimmed (same result).
 */
function trimCell(v: string): string {
  const ends = WS_CODES.map((c) => `ends_with(${v}, chr(${c}))`).join(' or ');
  return `case when ${oneOf(`ascii(${v})`, WS_CODES)} or ${ends} then trim(${v}, ${WS}) else ${v} end`;
}

async function rawColumns(conn: DuckDBConnection, rawTable: string): Promise<{ name: string; type: string }[]> {
  const rows = await all<{ column_name: string; column_type: string }>(conn, `describe ${ident(rawTable)}`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  return Number((await one<{ n: number }>(conn, sql))?.n ?? 0);
}

/**
 * Validate `rawTable` against the contract of `name` and, unless the file has too many rejected rows,
 * write rejects/warnings to `rejects` and the accepted rows to `src_<name>` (snapshot: replace; event:
 * upsert by key). Runs inside the caller's transaction; leaves `src_` untouched when refused.
 */
export async function validateAndApply(
  conn: DuckDBConnection, rawTable: string, name: DatasetName, ctx: ValidateContext,
): Promise<ValidateResult> {
  const def = datasetDef(name);
  const WORK = workTable(def);
  const maxRejects = ctx.maxRejectsPerFile ?? DEFAULT_MAX_REJECTS_PER_FILE;
  const countReadRejects = async () => (ctx.readRejectsTable
    ? count(conn, `select count(*)::INTEGER as n from ${ident(ctx.readRejectsTable)}`) : 0);
  const refused = (reason: string, rowsRead: number, rowsRejected: number): ValidateResult =>
    ({ status: 'refused', reason, rowsRead, rowsLoaded: 0, rowsRejected, rowsWarned: 0 });

  // 1. The columns: a required one the raw table lacks refuses the file. A CSV reader names its view's
  // columns (all text), so only other raw tables are described.
  const raw = ctx.read?.columns
    ? ctx.read.columns.map((c) => ({ name: c, type: c === '_line' ? 'INTEGER' : 'VARCHAR' }))
    : await rawColumns(conn, rawTable);
  const present = new Map(raw.map((c) => [c.name.toLowerCase(), c.name]));
  // Columns that arrive with their canonical type (a Parquet DATE, INTEGER or BOOLEAN column) are used as
  // they are: no text round trip (millions of casts and pattern matches at scale).
  const rawType = new Map(raw.map((c) => [c.name.toLowerCase(), c.type]));
  const native = new Set(def.columns.filter((c) => NATIVE_TYPES.includes(c.type) && rawType.get(c.name) === duckType(c)).map((c) => c.name));
  if (!present.has('_line')) throw new Error(`validateAndApply: raw table ${rawTable} has no _line column`);
  const missing = def.columns.filter((c) => mustBePresent(def, c) && !present.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    const n = await countReadRejects();
    return refused(`${ctx.file}: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for dataset ${name}`, n, n);
  }
  // 2. One pass over the raw rows: trimmed text (an empty cell is null; columns the raw table lacks are
  // null), typed values with their defaults, and the row's own rules. Only a row breaking a rule keeps its
  // trimmed text (`_text`), for its messages; the rest is typed only. WORK's rowid identifies a row.
  const trimmed = def.columns.map((c) => {
    const src = present.get(c.name);
    if (src === undefined) return `NULL::VARCHAR as ${ident(c.name)}`;
    if (native.has(c.name)) return `${ident(src)} as ${ident(c.name)}`;
    return `nullif(${trimCell(`cast(${ident(src)} as VARCHAR)`)}, '') as ${ident(c.name)}`;
  });
  const rules = ownRules(def, native);
  const typed = def.columns.map((c) => `cast(${typedSql(def, c, native)} as ${duckType(c)}) as ${ident(c.name)}`);
  const text = `[${def.columns.map((c) => (native.has(c.name) ? `cast(${ident(c.name)} as VARCHAR)` : ident(c.name))).join(', ')}]`;
  const anyBroken = rules.length > 0 ? rules.map((r) => `(${r.broken})`).join(' or ') : 'false';
  // WORK has the columns of `src_` (then `_text`), so that it can become `src_` (applyRows). It is an
  // ordinary table, not a temp one: its rows are written to the database file once, not copied there.
  const create = `create or replace table ${WORK} as
    select ${typed.join(', ')}, $run::INTEGER as _run_id, $file::VARCHAR as _file, _line,
      case when ${anyBroken} then ${text} end as _text
    from (select ${ident(present.get('_line')!)}::INTEGER as _line, ${trimmed.join(', ')} from ${ident(rawTable)})`;
  const params = { run: ctx.runId, file: ctx.file };
  if (ctx.read?.finish) await mustKeepOrder(conn, create, params, name);
  let finished: FinishResult | undefined;
  try {
    await exec(conn, create, params);
    finished = await ctx.read?.finish?.(conn, WORK);
  } catch (err) {
    if (err instanceof RefusedError) {
      await exec(conn, `drop table if exists ${WORK}`);
      return refused(err.message, 0, 0);
    }
    throw ctx.read?.readError && err instanceof Error ? ctx.read.readError(err) : err;
  }
  // The reader's finish counted both; other raw tables are counted here.
  const readRejects = finished ? finished.readRejects : await countReadRejects();
  const rawRows = finished ? finished.rows : await count(conn, `select count(*)::INTEGER as n from ${WORK}`);
  const rowsRead = rawRows + readRejects;
  // Rows in WORK and in MSG, kept from the counts DuckDB gives for each insert and delete: a stage that
  // found nothing skips its follow-up statements, and nothing is counted twice.
  let workRows = rawRows;
  let msgRows = 0;
  await exec(conn, `create or replace temp table ${MSG} (_rid BIGINT, _line INTEGER, "column" VARCHAR, value VARCHAR,
    reason VARCHAR, severity VARCHAR, _stage INTEGER)`);

  // 3. A row's own rules, over the trimmed text of the (few) rows that break one: each broken rule is its own entry.
  if (rules.length > 0 && await count(conn, `select count(*)::INTEGER as n from (select 1 from ${WORK} where _text is not null limit 1)`) > 0) {
    const cols = def.columns.map((c, i) => `_text[${i + 1}] as ${ident(c.name)}`).join(', ');
    await exec(conn, `create or replace temp table ${BROKEN} as
      select rowid as _rid, _line, ${cols} from ${WORK} where _text is not null`);
    msgRows += await changed(conn, `insert into ${MSG} ` + ownRules(def).map((r) =>
      `select _rid, _line, ${literal(r.column)}, ${r.value}, ${r.reason}, 'reject', ${STAGE_OWN} from ${BROKEN} where ${r.broken}`,
    ).join('\nunion all\n'));
    await exec(conn, `drop table ${BROKEN}`);
    workRows -= await changed(conn, `delete from ${WORK} where _text is not null`);
  }
  // Warnings given with the raw table, for the rows its own rules kept.
  if (ctx.warningsTable) {
    msgRows += await changed(conn, `insert into ${MSG} select w.rowid, w._line, g."column", g.value, g.reason, 'warning', ${STAGE_GIVEN}
      from ${WORK} w join ${ident(ctx.warningsTable)} g on g._line = w._line`);
  }
  // Give up early on garbage: later stages only add rejects.
  const ownRejected = msgRows === 0 ? 0 : await count(conn, `select count(distinct _rid)::INTEGER as n from ${MSG}`);
  if (ownRejected + readRejects > maxRejects) {
    return refused(await garbageReason(conn, ctx.file, ownRejected + readRejects, maxRejects), rowsRead, ownRejected + readRejects);
  }

  // 4. Duplicates.
  const dupes = await checkDuplicates(conn, def);
  // 5. References, then 6. cycles.
  const refs = await checkReferences(conn, def);
  const cycles = await checkCycles(conn, def);
  msgRows += dupes.messages + refs.messages + cycles;
  workRows -= dupes.deleted + refs.deleted;
  // 7. Defaults that need other datasets (a progression's move from role levels).
  await deriveDefaults(conn, def, WORK);

  const counted = msgRows === 0 ? { rejected: 0, warned: 0 } : await one<{ rejected: number; warned: number }>(conn,
    `select count(distinct _rid) filter (where severity = 'reject')::INTEGER as rejected,
      count(distinct _rid) filter (where severity = 'warning')::INTEGER as warned from ${MSG}`);
  const rowsRejected = readRejects + Number(counted?.rejected ?? 0);
  if (rowsRejected > maxRejects) {
    return refused(await garbageReason(conn, ctx.file, rowsRejected, maxRejects), rowsRead, rowsRejected);
  }
  const rowsWarned = Number(counted?.warned ?? 0);
  // A snapshot replaces everything loaded before: one with no row to load (a header-only export, or
  // every row rejected) is far more likely a broken export than an emptied dataset, so it is refused.
  const empty = def.kind === 'snapshot' && workRows === 0;

  // 8. Write rejects and warnings, then the accepted rows.
  const rejectParams = { ...params, dataset: name };
  if (ctx.readRejectsTable && readRejects > 0) {
    await exec(conn, `insert into ${ident(REJECTS_TABLE)} (run_id, file, dataset, line, "column", value, reason, severity)
      select $run, $file, $dataset, _line, "column", value, reason, 'reject' from ${ident(ctx.readRejectsTable)} order by _line`, rejectParams);
  }
  if (msgRows > 0) {
    await exec(conn, `insert into ${ident(REJECTS_TABLE)} (run_id, file, dataset, line, "column", value, reason, severity)
      select $run, $file, $dataset, _line, "column", value, reason, severity from ${MSG} order by _line, _stage, "column"`, rejectParams);
  }
  if (empty) {
    const kept = `the ${name} loaded before stay in effect`;
    const reason = rowsRead === 0
      ? `${ctx.file}: the file has no data rows; a ${name} file replaces all ${name}, so an empty one is refused and ${kept}; check the export`
      : `${ctx.file}: none of its ${rowsRead} row${rowsRead === 1 ? '' : 's'} can be loaded${await firstReject(conn, ctx.readRejectsTable)}; ` +
        `a ${name} file replaces all ${name}, so it was refused whole and ${kept}; fix the rows listed as rejected and drop the file again`;
    for (const t of [WORK, MSG]) await exec(conn, `drop table if exists ${t}`);
    return { status: 'refused', reason, rowsRead, rowsLoaded: 0, rowsRejected, rowsWarned };
  }
  const rowsLoaded = await applyRows(conn, def, workRows);
  await exec(conn, `drop table if exists ${MSG}`);
  return { status: 'loaded', rowsRead, rowsLoaded, rowsRejected, rowsWarned };
}

/**
 * A reader that numbers lines from the order rows arrive in (`finish`) needs a plan that keeps that order:
 * scans, filters and projections do; a join, aggregate or sort may not (DuckDB plans a long IN list as a
 * join, for one). Our SQL comes from the contract, so this guards against a change to it or to DuckDB.
 */
async function mustKeepOrder(conn: DuckDBConnection, sql: string, params: Record<string, DuckDBValue>, dataset: string): Promise<void> {
  const plan = (await all<{ explain_value: string }>(conn, `explain ${sql}`, params)).map((r) => r.explain_value).join('\n');
  const breaking = plan.match(/\b[A-Z_]*(JOIN|GROUP_BY|WINDOW|ORDER_BY|TOP_N|UNION|CROSS_PRODUCT)[A-Z_]*\b/);
  if (breaking) {
    throw new Error(`internal: the typed read of ${dataset} would not keep the file's row order (its plan has ${breaking[0]}), ` +
      'so line numbers could be wrong; nothing was loaded');
  }
}

/** " (the first: line 4, level \"x\" is not …)" from the read rejects and the messages, or "". */
async function firstReject(conn: DuckDBConnection, readRejectsTable?: string): Promise<string> {
  const read = readRejectsTable ? `select _line, reason from ${ident(readRejectsTable)} union all ` : '';
  const first = await one<{ line: number; reason: string }>(conn,
    `select _line as line, reason from (${read}select _line, reason from ${MSG} where severity = 'reject') order by _line limit 1`);
  return first ? ` (the first: line ${first.line}, ${first.reason})` : '';
}

async function garbageReason(conn: DuckDBConnection, file: string, n: number, max: number): Promise<string> {
  const first = await one<{ line: number; reason: string }>(conn,
    `select _line as line, reason from ${MSG} where severity = 'reject' order by _line limit 1`);
  const example = first ? ` (the first: line ${first.line}, ${first.reason})` : '';
  return `${file}: ${n} rows are rejected, more than the limit of ${max}${example}; ` +
    'the file was refused whole; check that it is the right export';
}

/**
 * True when every row's key is greater than the previous row's (in the order one streaming pass reads
 * them): then no key repeats, whatever that order is. Exports are usually sorted by their key, and this
 * pass costs a fraction of finding repeats by partitioning millions of rows (1M check_ins: 0.9 s vs 22 s).
 * A null key part, any row out of order or a pass that was not one sequence answers false, and the full
 * check runs.
 */
async function keysIncrease(conn: DuckDBConnection, def: DatasetDef): Promise<boolean> {
  const WORK = workTable(def);
  const k = def.key.map((c) => ident(c));
  const p = def.key.map((_, i) => `_p${i}`);
  const greater = (i: number): string => (i === k.length - 1
    ? `${k[i]} > ${p[i]}` : `(${k[i]} > ${p[i]} or (${k[i]} = ${p[i]} and ${greater(i + 1)}))`);
  const lags = k.map((c, i) => `lag(${c}) over () as ${p[i]}`).join(', ');
  // exactly one row (the first) may lack a predecessor: more would mean the pass was not one sequence
  const r = await one<{ bad: number; starts: number; n: number }>(conn, `select
      count(*) filter (where not coalesce(${greater(0)}, ${p[0]} is null))::INTEGER as bad,
      count(*) filter (where ${p[0]} is null)::INTEGER as starts, count(*)::INTEGER as n
    from (select ${k.join(', ')}, ${lags} from ${WORK})`);
  return Number(r?.bad) === 0 && Number(r?.starts) === Math.min(1, Number(r?.n));
}

/**
 * True when no two rows share a key, for a file not in key order: as many distinct hashes of the key as
 * rows (rows with the same key have the same hash, so a repeat always lowers the count; a collision may
 * too, and then the full search runs and finds nothing). One hash aggregate over integers costs about
 * half the window over the key (1.27M employee_skills rows, 100k org: 0.23 s vs 0.40 s CPU).
 */
async function keysDistinct(conn: DuckDBConnection, def: DatasetDef): Promise<boolean> {
  const WORK = workTable(def);
  const r = await one<{ n: number; d: number }>(conn, `select count(*)::INTEGER as n,
    count(distinct hash(${def.key.map(ident).join(', ')}))::INTEGER as d from ${WORK}`);
  return Number(r?.n) === Number(r?.d);
}

/**
 * Snapshot: the first row with a key is kept, later ones rejected. Event: the last line wins silently.
 * Answers the messages written and the rows deleted.
 */
async function checkDuplicates(conn: DuckDBConnection, def: DatasetDef): Promise<{ messages: number; deleted: number }> {
  const WORK = workTable(def);
  const keys = def.key.map(ident).join(', ');
  let messages = 0;
  let deleted = 0;
  if (await keysIncrease(conn, def) || await keysDistinct(conn, def)) {
    // no key repeats: nothing to reject or replace
  } else if (def.kind === 'snapshot') {
    const label = def.key.map((k, i) =>
      `${literal(`${i === 0 ? '' : ' with '}${k} "`)} || cast(${ident(k)} as VARCHAR) || '"'`).join(' || ');
    const dupes = await changed(conn, `insert into ${MSG}
      select _rid, _line, ${literal(def.key.join(', '))}, concat_ws(', ', ${def.key.map((k) => `cast(${ident(k)} as VARCHAR)`).join(', ')}),
        'duplicate ' || ${label} || ': the first row (line ' || first_line || ') is kept', 'reject', ${STAGE_DUPES}
      from (select rowid as _rid, *, row_number() over w as rn, first_value(_line) over w as first_line
            from ${WORK} window w as (partition by ${keys} order by _line))
      where rn > 1`);
    messages += dupes;
    if (dupes > 0) deleted += await changed(conn, `delete from ${WORK} where rowid in (select _rid from ${MSG} where _stage = ${STAGE_DUPES})`);
  } else {
    // one window over all rows: a sort per partition costs less than finding the repeated keys with a
    // hash aggregate first (millions of groups; bench/README.md)
    deleted += await changed(conn, `delete from ${WORK} where rowid in (select _rid from (
      select rowid as _rid, row_number() over (partition by ${keys} order by _line desc) as rn from ${WORK}) where rn > 1)`);
  }
  for (const col of def.columns.filter((c) => c.unique === 'lower')) {
    const v = ident(col.name);
    // as in keysDistinct: as many distinct hashes as values proves that none repeats
    const seen = await one<{ n: number; d: number }>(conn, `select count(*)::INTEGER as n,
      count(distinct hash(lower(${v})))::INTEGER as d from ${WORK} where ${v} is not null`);
    if (Number(seen?.n) === Number(seen?.d)) continue;
    const used = await changed(conn, `insert into ${MSG}
      select _rid, _line, ${literal(col.name)}, ${v},
        ${literal(`${col.name} "`)} || ${v} || '" is already used on line ' || first_line || '; it is left empty on this row',
        'warning', ${STAGE_DUPES}
      from (select rowid as _rid, *, row_number() over w as rn, first_value(_line) over w as first_line
            from ${WORK} where ${v} is not null window w as (partition by lower(${v}) order by _line))
      where rn > 1`);
    messages += used;
    if (used > 0) {
      await exec(conn, `update ${WORK} set ${v} = NULL where rowid in
        (select _rid from ${MSG} where _stage = ${STAGE_DUPES} and severity = 'warning' and "column" = ${literal(col.name)})`);
    }
  }
  return { messages, deleted };
}

/**
 * Snapshot: replace the contents of `src_`. Event: upsert by key. Returns the rows written. When nothing of
 * `src_` is kept (a snapshot, or the first load of an event dataset) WORK itself becomes `src_`: dropping
 * its `_text` and renaming it costs nothing, where copying millions of rows costs seconds.
 */
async function applyRows(conn: DuckDBConnection, def: DatasetDef, rows: number): Promise<number> {
  const WORK = workTable(def);
  const name = srcTable(def.name);
  const src = ident(name);
  // The connection's schema: `main`, or a run's own (run-schema.ts), where `src_` is written while the one in
  // `main` keeps serving; a name not (yet) in it is read from `main`.
  const here = await currentSchema(conn);
  const own = `${ident(here)}.${src}`;
  const replace = def.kind === 'snapshot'
    || await count(conn, `select count(*)::INTEGER as n from (select 1 from ${src} limit 1)`) === 0;
  if (replace) {
    await exec(conn, `alter table ${WORK} drop column _text`);
    await exec(conn, `drop table if exists ${own}`);
    await exec(conn, `alter table ${WORK} rename to ${src}`);
    return rows;
  }
  if (!(await tableExists(conn, name, here))) await exec(conn, `create table ${own} as select * from ${src}`);
  const match = def.key.map((k) => `${own}.${ident(k)} = w.${ident(k)}`).join(' and ');
  await exec(conn, `delete from ${own} using ${WORK} w where ${match}`);
  await exec(conn, `insert into ${own} select * exclude (_text) from ${WORK}`);
  return rows;
}

export { RefusedError };
