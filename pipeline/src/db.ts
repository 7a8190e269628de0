// The one DuckDB instance per database file, and the few helpers every module uses to talk to it.
// Values always travel as bound parameters; identifiers go through `ident`.
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from './migrations/index.ts';
import { databaseFiles, makePrivate, PRIVATE_DIR } from './private-files.ts';

export type Params = Record<string, DuckDBValue> | DuckDBValue[];
export type Row = Record<string, unknown>;

/** Quote an SQL identifier (table or column name). The only way names enter SQL text. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quote an SQL string literal, for the few places DuckDB takes no parameter (table function file paths). */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export interface Db {
  path: string;
  instance: DuckDBInstance;
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

const open = new Map<string, Db>();

/**
 * Set on every instance when it opens; each changes only how rows are laid out in the file, never a value.
 * (DuckDB ignores these when given to `DuckDBInstance.create`, hence SETs.)
 * - No FSST compression of text columns: choosing and building FSST's symbol tables was a large part of what
 *   writing a run's tables costs, and a 100k run is ~0.9 s faster without it (bench/README.md "Session 9");
 *   the file is ~18 % larger (text is stored plain or as a dictionary).
 * - No merging of row groups at a checkpoint ("vacuum"). A table written from a Parquet file whose row groups
 *   are a little over DuckDB's 122,880 rows has a row group of a few hundred rows after each full one; each
 *   checkpoint merged some of them (25 at a time, measured), rewriting the table from the first merge on, so
 *   each of the next few checkpoints rewrote the largest tables again (a 1M run's own final checkpoint:
 *   9–19 s; bench/README.md "Session 17"). What merging would compact, deleted rows and short row groups, is
 *   little here: a run writes its tables anew and drops the ones it replaced.
 */
export const INSTANCE_SETTINGS = [
  "set global disabled_compression_methods = 'fsst'",
  'set global max_vacuum_tasks = 0',
];

const MAX_DEFAULT_MEMORY_LIMIT_MB = 8192;

/**
 * DuckDB's memory limit in MiB when none is configured (`memoryLimitMb`): half the machine's memory, at most
 * 8 GiB. DuckDB's own default is 80 % of the machine, and it keeps what it read cached up to that: a
 * 1M-employee run peaked at 10.4–11.6 GB. Above the limit DuckDB spills to disk; at 8 GiB the 1M run took
 * 212 s (208 s without a limit) and peaked at 8.2 GB (bench/README.md "Session 11").
 */
export function defaultMemoryLimitMb(totalBytes: number = os.totalmem()): number {
  return Math.min(MAX_DEFAULT_MEMORY_LIMIT_MB, Math.floor(totalBytes / 2 ** 20 / 2));
}

export interface OpenDbOptions {
  /** Where to say that files of an existing database were made private or migrated (default: stderr). */
  notice?: (line: string) => void;
  /**
   * Bring the schema up to date (pipeline/src/migrations; default true). `false` only to look at a file
   * as it is before migrating it yourself (restore checks a backup first); the instance is cached all the same.
   */
  migrate?: boolean;
  /**
   * DuckDB's memory limit in MiB (config `memoryLimitMb`); default `defaultMemoryLimitMb()`. Set when the
   * instance is created: a later open of the same file gets the instance as it is.
   */
  memoryLimitMb?: number | null;
}

/** Apply the pending migrations; say so when `existing` (a file made before this process) had any. */
async function migrateOnOpen(instance: DuckDBInstance, existing: string | null, notice: (line: string) => void): Promise<void> {
  const conn = await instance.connect();
  try {
    const { from, to, applied } = await migrate(conn);
    if (existing && applied.length) {
      notice(`trellis: brought the schema of ${existing} from version ${from} to ${to} (${applied.map((m) => m.name).join(', ')})`);
    }
  } finally {
    conn.closeSync();
  }
}

/**
 * Open (or reuse) the instance for a file. DuckDB must not have two instances on one file in one
 * process, so instances are cached by resolved path. The file, its WAL and spill folder are made
 * private (0600/0700; private-files.ts), and so is the folder when it is created here. Then the pending
 * schema migrations are applied, once per process and file, in one transaction; a database written by a
 * newer Trellis is refused (SchemaTooNewError) and closed again.
 */
export async function openDb(file: string, options: OpenDbOptions = {}): Promise<Db> {
  const resolved = file === ':memory:' ? file : path.resolve(file);
  const cached = open.get(resolved);
  if (cached) return cached;
  const existed = resolved !== ':memory:' && fs.existsSync(resolved);
  if (resolved !== ':memory:') fs.mkdirSync(path.dirname(resolved), { recursive: true, mode: PRIVATE_DIR });
  const instance = await DuckDBInstance.create(resolved);
  const setup = await instance.connect();
  try {
    for (const setting of INSTANCE_SETTINGS) await setup.run(setting);
    // a number, never text from outside: config.ts accepts only a whole number of MiB
    const limit = Math.floor(options.memoryLimitMb ?? defaultMemoryLimitMb());
    await setup.run(`set global memory_limit = '${limit}MiB'`);
  } finally {
    setup.closeSync();
  }
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (resolved !== ':memory:') {
    for (const f of databaseFiles(resolved)) {
      const was = makePrivate(f);
      if (was !== null && existed) {
        notice(`trellis: ${f} was readable by others (mode ${was.toString(8)}); made it private to its owner (it holds HR data)`);
      }
    }
  }
  if (options.migrate !== false) {
    try {
      await migrateOnOpen(instance, existed ? resolved : null, notice);
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }
  const db: Db = {
    path: resolved,
    instance,
    connect: () => instance.connect(),
    close() {
      open.delete(resolved);
      instance.closeSync();
    },
  };
  open.set(resolved, db);
  return db;
}

/** Run a query and return its rows as plain JS objects (BIGINT → bigint; cast in SQL where JSON needs numbers). */
export async function all<T extends Row = Row>(conn: DuckDBConnection, sql: string, params?: Params): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params as never);
  return reader.getRowObjectsJS() as T[];
}

export async function one<T extends Row = Row>(conn: DuckDBConnection, sql: string, params?: Params): Promise<T | undefined> {
  return (await all<T>(conn, sql, params))[0];
}

export async function exec(conn: DuckDBConnection, sql: string, params?: Params): Promise<void> {
  await conn.run(sql, params as never);
}

/**
 * The tables and views of a schema of this database (default: the connection's, `main` or a run's own), with
 * their kind; temporary ones left out.
 */
export async function schemaObjects(conn: DuckDBConnection, schema?: string): Promise<Map<string, 'table' | 'view'>> {
  const rows = await all<{ name: string; kind: 'table' | 'view' }>(conn,
    `select table_name as name, 'table' as kind from duckdb_tables()
       where database_name = current_database() and schema_name = coalesce($schema, current_schema()) and not temporary
     union all select view_name, 'view' from duckdb_views()
       where database_name = current_database() and schema_name = coalesce($schema, current_schema()) and not internal and not temporary`,
    { schema: schema ?? null });
  return new Map(rows.map((r) => [r.name, r.kind]));
}

/** The schema unqualified names are created in: `main`, or a run's own while it builds (run-schema.ts). */
export async function currentSchema(conn: DuckDBConnection): Promise<string> {
  return String((await one<{ s: string }>(conn, 'select current_schema() as s'))!.s);
}

/**
 * Is there a table or view `table` in `schema`; without one, that the connection reads by its bare name (in its
 * schema, or in `main`)?
 */
export async function tableExists(conn: DuckDBConnection, table: string, schema?: string): Promise<boolean> {
  const row = await one(conn,
    `select count(*)::int as n from information_schema.tables
      where table_name = $table
        and table_schema in (coalesce($schema, current_schema()), coalesce($schema, 'main'))`,
    { schema: schema ?? null, table });
  return Number(row?.n ?? 0) > 0;
}
