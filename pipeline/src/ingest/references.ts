// References and cycles, checked set-based on the working table of rows still accepted (`_ingest_<dataset>`,
// a row identified by its rowid), recording entries into the messages table (`_ingest_msg`). References point at the rows in effect
// after the run: this file's rows for a self-reference, else the `src_` table, which ingest has already
// replaced or upserted when this run brings that dataset (datasets load in reference order).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetDef } from '../datasets.ts';
import { exec, ident, literal } from '../db.ts';
import { srcTable } from './tables.ts';
import { changed } from './changed.ts';

/**
 * The working table of a dataset's rows (an ordinary table of the connection's schema, so that it can become
 * `src_`): one per dataset, so that datasets load beside each other on two connections (load.ts).
 */
export function workTable(def: DatasetDef): string {
  return `_ingest_${def.name}`;
}
export const MSG = '_ingest_msg';
const CANDIDATES = '_ingest_cycle_candidates';

export const STAGE_REFS = 3;
export const STAGE_CYCLES = 4;

/**
 * Every reason a reference not found gives (a reject or a warning: `<column> "<value>" is not in <dataset>`),
 * as a LIKE pattern over `rejects.reason`: the run retries such a file when it is dropped again (run.ts).
 */
const NOT_IN = '" is not in ';
export const UNKNOWN_REFERENCE_LIKE = `%${NOT_IN}%`;

function targetTable(def: DatasetDef, dataset: string): string {
  return dataset === def.name ? workTable(def) : srcTable(dataset as DatasetDef['name']);
}

/**
 * Owner references first (unknown → the row is rejected), then optional links against what remains
 * (unknown → warning, field nulled): a row rejected here counts as unknown for rows pointing at it.
 * Answers the messages written and the rows deleted.
 */
export async function checkReferences(conn: DuckDBConnection, def: DatasetDef): Promise<{ messages: number; deleted: number }> {
  const WORK = workTable(def);
  let messages = 0;
  let deleted = 0;
  for (const kind of ['owner', 'optional'] as const) {
    const cols = def.columns.filter((c) => c.ref?.kind === kind);
    if (cols.length === 0) continue;
    const found = new Map<string, number>();
    for (const col of cols) {
      const ref = col.ref!;
      const v = ident(col.name);
      const reason = kind === 'owner'
        ? `${literal(`${col.name} "`)} || w.${v} || ${literal(`${NOT_IN}${ref.dataset}`)}`
        : `${literal(`${col.name} "`)} || w.${v} || ${literal(`${NOT_IN}${ref.dataset}; the field is left empty`)}`;
      const n = await changed(conn, `insert into ${MSG}
        select w.rowid, w._line, ${literal(col.name)}, w.${v}, ${reason}, ${literal(kind === 'owner' ? 'reject' : 'warning')}, ${STAGE_REFS}
        from ${WORK} w
        anti join ${ident(targetTable(def, ref.dataset))} r on r.${ident(ref.column)} = w.${v}
        where w.${v} is not null`);
      // (an explicit anti join, the referenced table on the joined side: inside the run's transaction DuckDB
      // sees no table sizes and builds on the joined side; NOT EXISTS built its hash table on the big file)
      found.set(col.name, n);
      messages += n;
    }
    // a stage that found nothing has nothing to delete or empty
    if (kind === 'owner') {
      if ([...found.values()].some((n) => n > 0)) {
        deleted += await changed(conn, `delete from ${WORK} where rowid in
          (select _rid from ${MSG} where _stage = ${STAGE_REFS} and severity = 'reject')`);
      }
    } else {
      for (const col of cols.filter((c) => (found.get(c.name) ?? 0) > 0)) {
        await exec(conn, `update ${WORK} set ${ident(col.name)} = NULL where rowid in
          (select _rid from ${MSG} where _stage = ${STAGE_REFS} and severity = 'warning' and "column" = ${literal(col.name)})`);
      }
    }
  }
  return { messages, deleted };
}

/**
 * Self-references that must not loop (manager chains, objective parents): every row on a cycle keeps
 * its row, gets the field nulled and a warning naming the cycle. Answers the warnings written.
 */
export async function checkCycles(conn: DuckDBConnection, def: DatasetDef): Promise<number> {
  const WORK = workTable(def);
  let messages = 0;
  for (const col of def.columns.filter((c) => c.acyclic)) {
    if (!col.ref || col.ref.dataset !== def.name) throw new Error(`datasets.ts: ${def.name}.${col.name} is acyclic but not a self-reference`);
    const key = ident(col.ref.column);
    const parent = ident(col.name);
    // Rows reachable from a top (blank parent) are on no cycle: one pass down the trees leaves the few
    // rows on or leading into a cycle, and only those are walked up.
    await exec(conn, `create or replace temp table ${CANDIDATES} as
      with recursive down(id) as (
        select ${key} from ${WORK} where ${parent} is null
        union all
        select t.${key} from ${WORK} t join down d on t.${parent} = d.id
      )
      select w.rowid as _rid, _line, ${key} as id, ${parent} as parent from ${WORK} w
      where ${parent} is not null and not exists (select 1 from down d where d.id = w.${key})`);
    const n = await changed(conn, `insert into ${MSG}
      with recursive walk(start, cur, path) as (
        select id, parent, [id] from ${CANDIDATES}
        union all
        select w.start, t.parent, list_append(w.path, w.cur)
        from walk w join ${CANDIDATES} t on t.id = w.cur
        where w.cur <> w.start and not list_contains(w.path, w.cur)
      ),
      on_cycle as (select distinct start, array_to_string(list_append(path, cur), ' → ') as chain from walk where cur = start)
      select t._rid, t._line, ${literal(col.name)}, t.parent,
        ${literal(`${col.name} "`)} || t.parent || '" makes a cycle (' || c.chain || '); the field is left empty',
        'warning', ${STAGE_CYCLES}
      from ${CANDIDATES} t join on_cycle c on c.start = t.id`);
    await exec(conn, `drop table ${CANDIDATES}`);
    messages += n;
    if (n === 0) continue;
    await exec(conn, `update ${WORK} set ${parent} = NULL where rowid in
      (select _rid from ${MSG} where _stage = ${STAGE_CYCLES} and "column" = ${literal(col.name)})`);
  }
  return messages;
}
