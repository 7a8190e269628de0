// The tables ingest writes: `src_<dataset>` (the data in effect) and `rejects`.
import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASETS, duckType, type DatasetDef, type DatasetName } from '../datasets.ts';
import { exec, ident, tableExists } from '../db.ts';

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

/** Create, when absent, `src_<dataset>` for every dataset of the contract and the `rejects` table. */
export async function ensureSourceTables(conn: DuckDBConnection): Promise<void> {
  for (const def of DATASETS) {
    await exec(conn, `create table if not exists ${ident(srcTable(def.name))} (${srcColumnsDdl(def)})`);
  }
  // `dataset` comes last: databases made before it get it appended (upgradeRejects), so every `rejects` has one column order
  await exec(conn, `create table if not exists ${ident(REJECTS_TABLE)} (
    run_id INTEGER, file VARCHAR, line INTEGER, "column" VARCHAR, value VARCHAR, reason VARCHAR, severity VARCHAR, dataset VARCHAR)`);
  await upgradeRejects(conn);
}

/**
 * A `rejects` table made before it had `dataset` gets the column, its rows kept; an old row's dataset is
 * filled in when its file fed exactly one dataset in that run (`run_files`), else left null.
 */
export async function upgradeRejects(conn: DuckDBConnection): Promise<void> {
  if (!(await tableExists(conn, REJECTS_TABLE))) return;
  const columns = (await conn.runAndReadAll(`select * from ${ident(REJECTS_TABLE)} limit 0`)).columnNames();
  if (columns.includes('dataset')) return;
  await exec(conn, `alter table ${ident(REJECTS_TABLE)} add column dataset VARCHAR`);
  if (!(await tableExists(conn, 'run_files'))) return;
  await exec(conn, `update ${ident(REJECTS_TABLE)} r set dataset = f.dataset
    from (select run_id, file, min(dataset) as dataset from run_files where dataset is not null
          group by run_id, file having count(distinct dataset) = 1) f
    where r.run_id = f.run_id and r.file = f.file`);
}
