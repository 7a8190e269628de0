// The run bookkeeping tables (docs/architecture.md "Tables"): runs, run_files, loaded_files, run_history.
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec } from './db.ts';
import { ensureRunHistory } from './run-history.ts';

export async function ensureMetaTables(conn: DuckDBConnection): Promise<void> {
  await exec(conn, `create table if not exists runs (
    run_id INTEGER, started_at TIMESTAMP, finished_at TIMESTAMP, as_of DATE, "trigger" VARCHAR,
    status VARCHAR, error VARCHAR, models_sha256 VARCHAR)`);
  await exec(conn, `create table if not exists run_files (
    run_id INTEGER, file VARCHAR, dataset VARCHAR, sha256 VARCHAR, status VARCHAR,
    rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER, rows_warned INTEGER, reason VARCHAR, mapping VARCHAR)`);
  // databases made before column mappings: the mapping file (name) a file was read through
  await exec(conn, 'alter table run_files add column if not exists mapping VARCHAR');
  await exec(conn, `create table if not exists loaded_files (
    sha256 VARCHAR, file VARCHAR, dataset VARCHAR, run_id INTEGER, loaded_at TIMESTAMP)`);
  await ensureRunHistory(conn);
}
