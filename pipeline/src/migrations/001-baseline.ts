// Version 1: the tables as Trellis made them before schema versions existed. On a fresh database it
// creates them; on one made by an earlier version (no schema_migrations) it keeps every table and row and
// adds the columns that came late (run_files.mapping, run_history.n_top_of_ladder, rejects.dataset), last,
// so both end with the same columns in the same order.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Migration } from './index.ts';

const TABLES = [
  // pipeline bookkeeping (docs/architecture.md "Tables")
  `create table if not exists runs (
    run_id INTEGER, started_at TIMESTAMP, finished_at TIMESTAMP, as_of DATE, "trigger" VARCHAR,
    status VARCHAR, error VARCHAR, models_sha256 VARCHAR)`,
  `create table if not exists run_files (
    run_id INTEGER, file VARCHAR, dataset VARCHAR, sha256 VARCHAR, status VARCHAR,
    rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER, rows_warned INTEGER, reason VARCHAR, mapping VARCHAR)`,
  'alter table run_files add column if not exists mapping VARCHAR',
  `create table if not exists loaded_files (
    sha256 VARCHAR, file VARCHAR, dataset VARCHAR, run_id INTEGER, loaded_at TIMESTAMP)`,
  `create table if not exists run_history (
    run_id INTEGER, as_of DATE, headcount INTEGER, n_no_path INTEGER, n_plan_only INTEGER, n_on_path INTEGER,
    n_high_risk INTEGER, succession_readiness_rate DOUBLE, bench_strength_index DOUBLE, n_top_of_ladder INTEGER)`,
  'alter table run_history add column if not exists n_top_of_ladder INTEGER',
  // app-owned: dashboard accounts (docs/access.md)
  `create table if not exists users (
    username varchar primary key, role varchar not null, employee_id varchar,
    password_hash varchar not null, created_at timestamp not null, disabled boolean not null default false)`,
  `create table if not exists sessions (
    id varchar primary key, username varchar not null, created_at timestamp not null,
    last_seen_at timestamp not null, expires_at timestamp not null)`,
  `create table if not exists audit_log (
    "at" timestamp not null, username varchar, action varchar not null, target varchar, detail varchar, ip varchar)`,
];

const REJECTS = `create table if not exists rejects (
  run_id INTEGER, file VARCHAR, line INTEGER, "column" VARCHAR, value VARCHAR, reason VARCHAR, severity VARCHAR, dataset VARCHAR)`;

async function hasColumn(conn: DuckDBConnection, table: string, column: string): Promise<boolean> {
  const reader = await conn.runAndReadAll(`select count(*)::int as n from information_schema.columns
    where table_catalog = current_database() and table_schema = 'main' and table_name = $table and column_name = $column`, { table, column });
  return Number(reader.getRowObjectsJS()[0].n) > 0;
}

/**
 * A `rejects` made before it had `dataset` gets the column, its rows kept; an old row's dataset is filled
 * in when its file fed exactly one dataset in that run (`run_files`), else left null.
 */
async function addRejectsDataset(conn: DuckDBConnection): Promise<void> {
  if (await hasColumn(conn, 'rejects', 'dataset')) return;
  await conn.run('alter table rejects add column dataset VARCHAR');
  await conn.run(`update rejects r set dataset = f.dataset
    from (select run_id, file, min(dataset) as dataset from run_files where dataset is not null
          group by run_id, file having count(distinct dataset) = 1) f
    where r.run_id = f.run_id and r.file = f.file`);
}

export const baseline: Migration = {
  version: 1,
  name: 'baseline',
  async up(conn) {
    for (const sql of TABLES) await conn.run(sql);
    await conn.run(REJECTS);
    await addRejectsDataset(conn);
  },
};
