// Dangling event rows: assessments, reviews and check-ins are upserted and kept across loads, so a later
// snapshot (skills, employees) may drop the owner they point at. The contract checks references against
// the rows in effect after the run, so such rows are not in effect: the intermediate models leave them out
// (they join to the owners in stg_*), and the run reports how many there are rather than failing.
import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASETS } from './datasets.ts';
import { all, ident } from './db.ts';
import { srcTable } from './ingest/index.ts';

export interface DanglingCount {
  dataset: string;
  /** Rows with at least one owner missing. */
  rows: number;
  /** Per owner column: rows whose value names no loaded owner. */
  byColumn: { column: string; rows: number }[];
}

/** The owner references of the event datasets, from the contract. */
const CHECKS = DATASETS.filter((d) => d.kind === 'event').flatMap((d) => {
  const owners = d.columns.filter((c) => c.ref?.kind === 'owner');
  return owners.length ? [{ dataset: d.name, owners }] : [];
});

/** Count the dangling rows of every event dataset (one set-based query each). Empty when there are none. */
export async function countDanglingEventRows(conn: DuckDBConnection): Promise<DanglingCount[]> {
  const out: DanglingCount[] = [];
  for (const { dataset, owners } of CHECKS) {
    // Left joins to the distinct owner keys (on the joined side, where DuckDB builds its hash table; inside
    // the run's transaction it cannot see table sizes): a null key is a value that names no loaded owner.
    const joins = owners.map((c, i) => `left join (select distinct ${ident(c.ref!.column)} as k from ${ident(srcTable(c.ref!.dataset as never))}) o${i} on o${i}.k = e.${ident(c.name)}`);
    const cols = owners.map((c, i) => `count(*) filter (where o${i}.k is null)::int as ${ident(c.name)}`);
    const any = owners.map((_, i) => `o${i}.k is null`).join(' or ');
    const [row] = await all<Record<string, number>>(conn,
      `select count(*) filter (where ${any})::int as _rows, ${cols.join(', ')} from ${ident(srcTable(dataset))} e ${joins.join(' ')}`);
    if (!row || row._rows === 0) continue;
    out.push({
      dataset, rows: row._rows,
      byColumn: owners.map((c) => ({ column: c.name, rows: row[c.name] })).filter((c) => c.rows > 0),
    });
  }
  return out;
}

/** One note for the run: "3 dangling event rows (…): employee_skills: 2 (1 whose employee_id, 1 whose skill_id is no longer loaded); reviews: 1 (…)". */
export function danglingNote(counts: DanglingCount[]): string | null {
  if (counts.length === 0) return null;
  const total = counts.reduce((s, c) => s + c.rows, 0);
  const parts = counts.map((c) => `${c.dataset}: ${c.rows} (${c.byColumn.map((b) => `${b.rows} whose ${b.column}`).join(', ')} is no longer loaded)`);
  return `${total} dangling event row${total === 1 ? '' : 's'} (kept, but their owner is not in the data in effect; the models leave them out): ${parts.join('; ')}`;
}
