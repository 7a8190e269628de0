// A lookup within the export: a column's value taken from another row of the same file — the row whose
// `in` value matches this row's `find` value gives its `take` value (e.g. manager_id from "Reports To":
// the row whose name matches, its employee number). Values match trimmed, in any case, without accents,
// with runs of spaces as one (and, with `any_order`, commas ignored and words in any order). No match, or several
// rows with different `take` values: the value is empty, and the row gets a warning saying which.
//
// Compiled into statements over the source temp table: a notes table (per row with a `find` value: the
// value found, or the reason there is none) and a column added to the source table holding the value,
// which the dataset's select then reads like any source column.
import { ident } from '../db.ts';
import type { Params } from './compile.ts';

/** A value of the source row (column, expr or template) as VARCHAR SQL, and how to say where it comes from. */
export interface LookupPart { sql: string; describe: string }

export interface LookupPlan {
  /** The canonical column it fills. */
  column: string;
  describe: string;
  /** Added to the source table: the value found. */
  helper: string;
  /** Temp table `_line, find, value, reason` (reason null when one value was found). */
  notes: string;
  /** Run in order (bound parameters: the dataset's `params`). */
  statements: string[];
}

/** SQL of the key a value is matched on. */
function matchKey(v: string, anyOrder: boolean): string {
  const words = `lower(strip_accents(trim(regexp_replace(${v}, '${anyOrder ? '[\\s,]+' : '\\s+'}', ' ', 'g'))))`;
  return `nullif(${anyOrder ? `array_to_string(list_sort(string_split(${words}, ' ')), ' ')` : words}, '')`;
}

export function lookupPlan(o: {
  sourceTable: string; header: string[]; dataset: string; column: string;
  find: LookupPart; in: LookupPart; take: LookupPart; anyOrder: boolean; params: Params;
}): LookupPlan {
  const src = ident(o.sourceTable);
  let helper = `__trellis_${o.dataset}_${o.column}`;
  while (o.header.some((h) => h.toLowerCase() === helper.toLowerCase())) helper += '_';
  const notes = `${o.sourceTable}_${o.dataset}_${o.column}_lookup`;
  const by = o.params.add(`by ${o.in.describe}${o.anyOrder ? ', words in any order' : ''}`);
  const take = o.params.add(o.take.describe);
  const leftEmpty = o.params.add(`; ${o.column} is left empty`);
  return {
    column: o.column,
    describe: `lookup of ${o.find.describe} in ${o.in.describe}${o.anyOrder ? ' (words in any order)' : ''}, taking ${o.take.describe}`,
    helper,
    notes,
    statements: [
      `create or replace temp table ${ident(notes)} as
      with wanted as (select _line, nullif(trim(${o.find.sql}), '') as find from ${src}),
      candidates as (select ${matchKey(o.in.sql, o.anyOrder)} as k, nullif(trim(${o.take.sql}), '') as v, _line from ${src}),
      found as (
        select k, count(distinct v)::int as matches, min(v) as v,
          array_to_string((list(_line order by _line))[1:5], ', ') || case when count(*) > 5 then ', …' else '' end as lines
        from candidates where k is not null and v is not null group by k)
      select w._line, w.find, case when f.matches = 1 then f.v end as value,
        case when f.k is null then 'no row of the file matches "' || w.find || '" (' || ${by} || ')' || ${leftEmpty}
             when f.matches > 1 then 'lines ' || f.lines || ' match "' || w.find || '" (' || ${by} || ') with different ' || ${take} || ${leftEmpty}
        end as reason
      from (select _line, find, ${matchKey('find', o.anyOrder)} as k from wanted where find is not null) w
      left join found f on f.k = w.k`,
      `alter table ${src} add column ${ident(helper)} varchar`,
      `update ${src} set ${ident(helper)} = n.value from ${ident(notes)} n where ${src}._line = n._line and n.value is not null`,
    ],
  };
}

/** The warnings of the rows of `rawTable` (a dataset's rows): `_line, "column", value, reason`. */
export function lookupWarningsSql(plan: LookupPlan, rawTable: string, params: Params): string {
  return `select n._line, ${params.add(plan.column)} as "column", n.find as value, n.reason from ${ident(plan.notes)} n
    where n.reason is not null and n._line in (select _line from ${ident(rawTable)})`;
}
