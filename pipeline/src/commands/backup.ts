// `trellis backup --out FILE` and `trellis restore --from FILE`.
// A backup is a consistent copy of the whole database (tables, views, users) taken in one transaction
// with DuckDB's COPY FROM DATABASE into a new database file: a run in progress is not in it (only what
// is committed), and it needs no pause. When a server owns the database the copy is made by the server
// (GET /api/backup) and streamed here. Restore replaces the database file with a backup; it refuses
// while a server (or any other process) has the database open, and keeps the replaced file aside.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as pump } from 'node:stream/promises';
import { all, exec, ident, literal, one, openDb, type Db } from '../db.ts';
import { migrate, SchemaTooNewError, type MigrationResult } from '../migrations/index.ts';
import { PRIVATE_FILE } from '../private-files.ts';
import { SERVING_STATUS_SQL } from '../run-outcome.ts';
import { findServer, openDbExplained, serverFilePath } from '../server-link.ts';
import { line, parse, UsageError, type Command } from './context.ts';

export interface BackupInfo {
  file: string;
  bytes: number;
  /** The last run whose results the backup serves, and its as-of date. */
  runId: number | null;
  asOf: string | null;
  tables: number;
}

/** What a database file holds: its last good run and number of tables (opens it in this process). */
async function describeDb(db: Db): Promise<Omit<BackupInfo, 'file' | 'bytes'>> {
  const conn = await db.connect();
  try {
    const tables = Number((await one<{ n: number }>(conn,
      "select count(*)::INTEGER as n from duckdb_tables() where database_name = current_database()"))?.n ?? 0);
    const hasRuns = Number((await one<{ n: number }>(conn,
      "select count(*)::INTEGER as n from duckdb_tables() where database_name = current_database() and schema_name = 'main' and table_name = 'runs'"))?.n ?? 0) > 0;
    const run = hasRuns ? await one<{ run_id: number; as_of: string }>(conn,
      `select run_id::INTEGER as run_id, strftime(as_of, '%Y-%m-%d') as as_of from runs
       where ${SERVING_STATUS_SQL} order by run_id desc limit 1`) : undefined;
    return { runId: run?.run_id ?? null, asOf: run?.as_of ?? null, tables };
  } finally {
    conn.closeSync();
  }
}

/**
 * Copy the committed state of `db` into a new database file `out` (written under a temporary name,
 * then renamed: a half-written backup never has the final name). Safe while the database is in use.
 */
export async function backupDatabase(db: Db, out: string): Promise<BackupInfo> {
  const target = path.resolve(out);
  const tmp = `${target}.${process.pid}.partial`;
  fs.rmSync(tmp, { force: true });
  fs.rmSync(`${tmp}.wal`, { force: true });
  const conn = await db.connect();
  const alias = `trellis_backup_${process.pid}`;
  try {
    const [{ name }] = await all<{ name: string }>(conn, 'select current_database() as name');
    await exec(conn, `attach ${literal(tmp)} as ${ident(alias)}`);
    try {
      await exec(conn, `copy from database ${ident(name)} to ${ident(alias)}`);
    } finally {
      await exec(conn, `detach ${ident(alias)}`);
    }
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`backup to ${target} failed: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    conn.closeSync();
  }
  fs.rmSync(`${tmp}.wal`, { force: true }); // detach checkpoints; nothing is left in a WAL
  fs.chmodSync(tmp, PRIVATE_FILE); // a copy of everything: HR data, password hashes
  fs.renameSync(tmp, target);
  const copy = await openDb(target);
  try {
    return { file: target, bytes: fs.statSync(target).size, ...(await describeDb(copy)) };
  } finally {
    copy.close();
  }
}

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

/** Bring the staged copy of a backup to this version's schema (a backup by an older Trellis is migrated). */
async function migrateBackup(db: Db, source: string): Promise<MigrationResult> {
  const conn = await db.connect();
  try {
    const result = await migrate(conn);
    await exec(conn, 'checkpoint'); // into the file itself: its WAL is not moved with it
    return result;
  } catch (err) {
    if (err instanceof SchemaTooNewError) throw new RestoreError(`the backup ${source}: ${err.message}`);
    throw err;
  } finally {
    conn.closeSync();
  }
}

/**
 * Replace the database file `dbFile` with the backup `from`. Refuses while a server owns the database
 * or another process holds it open. A backup made by an older Trellis is migrated (on the copy that is
 * put in place; the backup file itself is never changed); one made by a newer Trellis is refused. The
 * replaced file (and its WAL) are kept as `<db>.before-restore`.
 */
export async function restoreDatabase(dbFile: string, from: string): Promise<BackupInfo & { previous: string | null; schema: MigrationResult }> {
  const target = path.resolve(dbFile);
  const source = path.resolve(from);
  if (!fs.existsSync(source)) throw new RestoreError(`the backup ${source} does not exist`);
  if (source === target) throw new RestoreError(`the backup ${source} is the database itself; name another file`);
  const server = await findServer(target);
  if (server) {
    throw new RestoreError(`the server (pid ${server.pid}, port ${server.port}) is using ${target}; stop it (Ctrl+C in its terminal) and run restore again`);
  }
  // The backup must be a database that opens (checked on a copy, so the backup itself is never touched).
  const stage = path.join(fs.mkdtempSync(path.join(path.dirname(target), '.restore-')), path.basename(target));
  try {
    fs.copyFileSync(source, stage);
    let probe: Db;
    try {
      probe = await openDb(stage, { migrate: false }); // looked at as it is first
    } catch (err) {
      throw new RestoreError(`${source} is not a Trellis backup (DuckDB cannot open it: ${(err as Error).message.split('\n')[0]})`);
    }
    let info: Omit<BackupInfo, 'file' | 'bytes'>;
    let schema: MigrationResult;
    try {
      info = await describeDb(probe);
      if (info.tables === 0) throw new RestoreError(`${source} holds no tables; it is not a Trellis backup`);
      schema = await migrateBackup(probe, source);
    } finally {
      probe.close();
    }
    fs.rmSync(`${stage}.wal`, { force: true });
    // No other process may hold the current database: opening it here fails with a clear message if one does.
    // (Not migrated: it is about to be replaced, and may be from a newer Trellis.)
    if (fs.existsSync(target)) {
      const current = await openDbExplained(target, { migrate: false });
      current.close();
    }
    let previous: string | null = null;
    if (fs.existsSync(target)) {
      previous = `${target}.before-restore`;
      fs.renameSync(target, previous);
      if (fs.existsSync(`${target}.wal`)) fs.renameSync(`${target}.wal`, `${previous}.wal`);
      else fs.rmSync(`${previous}.wal`, { force: true });
    }
    fs.chmodSync(stage, PRIVATE_FILE);
    fs.renameSync(stage, target);
    return { file: target, bytes: fs.statSync(target).size, ...info, previous, schema };
  } finally {
    fs.rmSync(path.dirname(stage), { recursive: true, force: true });
  }
}

const describeInfo = (i: Pick<BackupInfo, 'bytes' | 'runId' | 'asOf' | 'tables'>) =>
  `${i.tables} tables, ${(i.bytes / 1024 / 1024).toFixed(1)} MB; ${i.runId ? `results of run ${i.runId} (as of ${i.asOf})` : 'no successful run yet'}`;

export const backupCommand: Command = {
  name: 'backup',
  summary: 'write a consistent copy of the database to a file (safe while serving or running)',
  usage: `Usage: trellis backup --out FILE [--db FILE] [--force]

Writes a consistent copy of the whole database (data, models, users) to FILE, a DuckDB file that
\`trellis restore\` (or DuckDB itself) opens. Only committed data is copied: a run in progress is not in
the backup. When a server owns the database, the server makes the copy.

Options:
  --out FILE    the backup file to write (refused if it exists, unless --force)
  --db FILE     DuckDB file (default TRELLIS_DB or data/trellis.duckdb)
  --force       overwrite FILE
  -h, --help    this help`,
  async run(args, ctx) {
    const { values } = parse(args, { out: { type: 'string' }, db: { type: 'string' }, force: { type: 'boolean' } });
    if (values.help) { line(ctx.stdout, this.usage); return 0; }
    if (!values.out) throw new UsageError('--out FILE is required');
    const out = path.resolve(ctx.cwd, values.out);
    const dbFile = values.db ? path.resolve(ctx.cwd, values.db) : ctx.config().db;
    if (fs.existsSync(out) && !values.force) throw new UsageError(`${out} already exists; choose another name or add --force`);
    if (out === dbFile) throw new UsageError('--out names the database itself; choose another file');
    if (!fs.existsSync(dbFile)) throw new Error(`there is no database at ${dbFile} (set --db or TRELLIS_DB)`);
    const server = await findServer(dbFile);
    if (server) {
      line(ctx.stderr, `backing up through the server (pid ${server.pid}, port ${server.port})`);
      const res = await fetch(`${server.base}/api/backup`, { headers: { authorization: `Bearer ${server.token}` } });
      if (!res.ok || !res.body) {
        const body = await res.text();
        throw new Error(`the server answered ${res.status} to GET /api/backup: ${body.slice(0, 300)}`);
      }
      const tmp = `${out}.${process.pid}.partial`;
      await pump(Readable.fromWeb(res.body as never), fs.createWriteStream(tmp, { mode: PRIVATE_FILE }));
      fs.chmodSync(tmp, PRIVATE_FILE);
      fs.renameSync(tmp, out);
      line(ctx.stdout, `backup written to ${out} (${(fs.statSync(out).size / 1024 / 1024).toFixed(1)} MB, by the server)`);
      return 0;
    }
    const db = await openDbExplained(dbFile);
    try {
      const info = await backupDatabase(db, out);
      line(ctx.stdout, `backup written to ${info.file}: ${describeInfo(info)}`);
      return 0;
    } finally {
      db.close();
    }
  },
};

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'replace the database with a backup (the server must be stopped)',
  usage: `Usage: trellis restore --from FILE [--db FILE]

Replaces the database with the backup FILE written by \`trellis backup\`. Refused while a server (or any
other process) uses the database: stop it first. The replaced database is kept as <db>.before-restore.

Options:
  --from FILE   the backup to restore
  --db FILE     DuckDB file (default TRELLIS_DB or data/trellis.duckdb)
  -h, --help    this help`,
  async run(args, ctx) {
    const { values } = parse(args, { from: { type: 'string' }, db: { type: 'string' } });
    if (values.help) { line(ctx.stdout, this.usage); return 0; }
    if (!values.from) throw new UsageError('--from FILE is required');
    const dbFile = values.db ? path.resolve(ctx.cwd, values.db) : ctx.config().db;
    const info = await restoreDatabase(dbFile, path.resolve(ctx.cwd, values.from));
    line(ctx.stdout, `restored ${info.file} from ${path.resolve(ctx.cwd, values.from)}: ${describeInfo(info)}`
      + (info.schema.applied.length ? `; its schema was brought from version ${info.schema.from} to ${info.schema.to}` : '')
      + (info.previous ? `; the replaced database is kept as ${info.previous}` : ''));
    return 0;
  },
};

/**
 * A temporary file for a backup the server streams, in a new folder only this user can enter (the
 * system temp folder is shared); remove the folder after sending.
 */
export function serverBackupPath(dbPath: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-backup-')), path.basename(dbPath));
}

export { serverFilePath };
