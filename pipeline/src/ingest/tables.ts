// The tables ingest writes: `src_<dataset>` (the data in effect) and `rejects` (its schema, kept across
// runs, belongs to pipeline/src/migrations).
import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASETS, duckType, type DatasetDef, type DatasetName } from '../datasets.ts';
import { exec, ident } from '../db.ts';

export const REJECTS_TABLE = 'rejects';

export function srcTable(name: DatasetName): string {
  return `src_${name}`;
}

/** Column list of a `src_` table: canonical columns typed by `duckType()`, then lineage. */
export function srcColumnsDdl(def: DatasetDef): string {
  const cols = def.columns.map((c) => `${ident(c.name)} ${duckType(c)}`);
  cols.push('_run_id INTEGER', '_file VARCHAR', '_line INTEGER');
  return cols.join(', ');
}

/** Create, when absent, `src_<dataset>` for every dataset of the contract (or those of `only`). */
export async function ensureSourceTables(conn: DuckDBConnection, only?: readonly string[]): Promise<void> {
  for (const def of DATASETS.filter((d) => !only || only.includes(d.name))) {
    await exec(conn, `create table if not exists ${ident(srcTable(def.name))} (${srcColumnsDdl(def)})`);
  }
}
