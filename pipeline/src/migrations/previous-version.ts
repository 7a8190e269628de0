// Test helper: a database as the Trellis before schema versions left it. The DDL is written out by hand
// (what users.ts, meta.ts, run-history.ts and ingest/tables.ts created), not taken from the migrations, so
// a migration test compares against what older code really made. Opened with DuckDB directly: openDb would
// migrate it.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface PreviousVersionOptions {
  /** Also leave out the columns that came before rejects.dataset (run_files.mapping, run_history.n_top_of_ladder). */
  oldest?: boolean;
}

/** The password of every account below (its scrypt hash made with users.ts hashPassword): sign-in is checked after migrating. */
export const OLD_PASSWORD = 'kept-across-versions';
const OLD_HASH = 'scrypt$16384$8$1$355b17dec5a8c0c77c2b099faea9c235$'
  + '5aaa564d48869b7323be91c52d4ed0cde80329a023998223361b3ec2d187661295a05023a5543488cd36a71659e400e6c07b6a6e662db7aed2d0c36641411ca8';

function ddl(oldest: boolean): string[] {
  return [
    // users.ts ensureAuthTables
    `create table users (
      username varchar primary key, role varchar not null, employee_id varchar,
      password_hash varchar not null, created_at timestamp not null, disabled boolean not null default false)`,
    `create table sessions (
      id varchar primary key, username varchar not null, created_at timestamp not null,
      last_seen_at timestamp not null, expires_at timestamp not null)`,
    `create table audit_log (
      "at" timestamp not null, username varchar, action varchar not null, target varchar, detail varchar, ip varchar)`,
    // meta.ts ensureMetaTables and run-history.ts ensureRunHistory
    `create table runs (
      run_id INTEGER, started_at TIMESTAMP, finished_at TIMESTAMP, as_of DATE, "trigger" VARCHAR,
      status VARCHAR, error VARCHAR, models_sha256 VARCHAR)`,
    `create table run_files (
      run_id INTEGER, file VARCHAR, dataset VARCHAR, sha256 VARCHAR, status VARCHAR,
      rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER, rows_warned INTEGER, reason VARCHAR${oldest ? '' : ', mapping VARCHAR'})`,
    `create table loaded_files (
      sha256 VARCHAR, file VARCHAR, dataset VARCHAR, run_id INTEGER, loaded_at TIMESTAMP)`,
    `create table run_history (
      run_id INTEGER, as_of DATE, headcount INTEGER, n_no_path INTEGER, n_plan_only INTEGER, n_on_path INTEGER,
      n_high_risk INTEGER, succession_readiness_rate DOUBLE, bench_strength_index DOUBLE${oldest ? '' : ', n_top_of_ladder INTEGER'})`,
    // ingest/tables.ts before rejects had a dataset
    `create table rejects (
      run_id INTEGER, file VARCHAR, line INTEGER, "column" VARCHAR, value VARCHAR, reason VARCHAR, severity VARCHAR)`,
  ];
}

/** Every row the previous version's database holds, by table, in the column order it made. */
export function previousRows(oldest = false) {
  return {
    users: [
      ['admin', 'admin', null, OLD_HASH, '2026-01-05 09:00:00', false],
      ['leader', 'leader', null, OLD_HASH, '2026-01-06 09:00:00', false],
      ['mgr', 'manager', 'A02', OLD_HASH, '2026-01-07 09:00:00', true],
    ],
    sessions: [['5e55', 'admin', '2026-03-01 08:00:00', '2026-03-01 08:30:00', '2026-03-01 20:00:00']],
    audit_log: [
      ['2026-01-06 09:00:00', 'cli', 'user_add', 'leader', null, null],
      ['2026-03-01 08:00:00', 'admin', 'login', 'admin', null, '127.0.0.1'],
    ],
    runs: [
      [1, '2026-03-31 02:00:00', '2026-03-31 02:00:09', '2026-03-31', 'schedule', 'succeeded', null, 'abc123'],
      [2, '2026-04-01 02:00:00', '2026-04-01 02:00:01', '2026-03-31', 'cli', 'failed', 'bad file', null],
    ],
    run_files: [
      [1, 'employees_old.csv', 'employees', 'h1', 'loaded', 3, 2, 1, 0, null],
      [1, 'hris.csv', 'roles', 'h2', 'loaded', 2, 2, 0, 0, null],
      [1, 'hris.csv', 'employees', 'h2', 'loaded', 2, 1, 1, 0, null],
    ].map((r) => (oldest ? r : [...r, r[1] === 'hris.csv' ? 'hris.yml' : null])),
    loaded_files: [['h1', 'employees_old.csv', 'employees', 1, '2026-03-31 02:00:09']],
    run_history: [[1, '2026-03-31', 2, 1, 0, 1, 0, 0.5, 0.25]].map((r) => (oldest ? r : [...r, 0])),
    rejects: [
      [1, 'employees_old.csv', 3, 'hire_date', '2026-02-30', 'not a date', 'reject'], // one dataset: becomes employees
      [1, 'hris.csv', 4, 'role_id', 'R9', 'unknown role', 'reject'], // fed two datasets: stays null
      [2, 'gone.csv', 2, null, null, 'old', 'reject'], // no run_files row: stays null
    ],
  };
}

/** The dataset migration 1 gives each row of previousRows().rejects (from run_files, else null). */
export const REJECTS_DATASETS = ['employees', null, null];

async function insert(conn: DuckDBConnection, table: string, rows: unknown[][]): Promise<void> {
  for (const row of rows) {
    await conn.run(`insert into ${table} values (${row.map((_, i) => `$${i + 1}`).join(', ')})`, row as never);
  }
}

/** Write the previous version's database to `file` (which must not exist yet). */
export async function createPreviousVersionDb(file: string, opts: PreviousVersionOptions = {}): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  try {
    for (const sql of ddl(opts.oldest ?? false)) await conn.run(sql);
    for (const [table, rows] of Object.entries(previousRows(opts.oldest))) await insert(conn, table, rows);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Every row of a table as JSON text, sorted, with the columns given (all, by default): for before/after comparisons. */
export async function tableRows(conn: DuckDBConnection, table: string, columns = '*'): Promise<string[]> {
  const reader = await conn.runAndReadAll(`select ${columns} from ${table}`);
  return reader.getRowsJson().map((r) => JSON.stringify(r)).sort();
}

/**
 * A database as the Trellis before saved succession plans left it (schema version 1): the previous
 * version's tables and rows, brought to version 1 by the baseline migration only.
 */
export async function createVersion1Db(file: string): Promise<void> {
  const { migrate, MIGRATIONS } = await import('./index.ts');
  await createPreviousVersionDb(file);
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  try {
    await migrate(conn, { migrations: MIGRATIONS.slice(0, 1), now: new Date('2026-02-01T00:00:00Z') });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** A saved plan, one row in each plan table (as the plans API writes them), for keep-every-row checks. */
export const PLAN_ROWS: Record<string, unknown[][]> = {
  succession_plan_roles: [['TL', 2, 'Tara retires in 2027', 'B12', '2026-03-01 09:00:00', 'leader', '2026-03-02 10:00:00', 'admin']],
  succession_plan_successors: [
    ['TL', 'B02', 0, 'ready_now', '2026-03-01', 'leader', null],
    ['TL', 'B03', 1, '1_2_years', '2026-03-02', 'admin', 'B01'],
  ],
  succession_plan_actions: [['TL', 'B03', 0, 'Lead the Q3 architecture review', '2026-09-30', false]],
  succession_plan_versions: [
    ['TL', 1, '2026-03-01 09:00:00', 'leader', '[{"kind":"created"}]', '{}'],
    ['TL', 2, '2026-03-02 10:00:00', 'admin', '[{"kind":"added","id":"B03","readiness":"1_2_years"}]', '{}'],
  ],
};

export async function insertPlanRows(conn: DuckDBConnection): Promise<void> {
  for (const [table, rows] of Object.entries(PLAN_ROWS)) await insert(conn, table, rows);
}
