// Schema migrations on real DuckDB files: a database made by the version before schema versions opens,
// migrates in one transaction and keeps every row; a failing migration changes nothing; a newer database
// is refused; a pipeline run leaves app-owned rows alone; backup and restore keep rows and version.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli.ts';
import { backupDatabase, restoreDatabase } from '../commands/backup.ts';
import { all, openDb, type Db } from '../db.ts';
import { REPO_ROOT } from '../reliability/corpus.ts';
import { runPipeline } from '../run.ts';
import { TextSink } from '../text-sink.ts';
import { checkCredentials } from '../users.ts';
import { APP_TABLES, MIGRATIONS, MigrationError, migrate, PIPELINE_TABLES, SchemaTooNewError, type Migration } from './index.ts';
import { createPreviousVersionDb, createVersion1Db, insertPlanRows, OLD_PASSWORD, PLAN_ROWS, previousRows, REJECTS_DATASETS, tableRows } from './previous-version.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-migrations-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => path.join(tmp, `${++n}-${name}.duckdb`);

/** Look at a file without migrating it (openDb would). */
async function raw<T>(file: string, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function withDb<T>(db: Db, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const conn = await db.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}

const OWNED = [...APP_TABLES, ...PIPELINE_TABLES].filter((t) => t !== 'schema_migrations');
/** The schema version this Trellis writes; the tables the previous versions made. */
const LATEST = MIGRATIONS.length;
const PLAN_TABLES = APP_TABLES.filter((t) => t.startsWith('succession_plan_'));
/** Tables made by migrations after the baseline: the previous version had none of them. */
const LATER_TABLES = [...PLAN_TABLES, 'sso_identities', 'run_notes'];
const OLD_OWNED = OWNED.filter((t) => !LATER_TABLES.includes(t));

/** The rows of every table the previous version made, as they read now. */
async function rowsOf(conn: DuckDBConnection): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const t of OLD_OWNED) rows[t] = await tableRows(conn, t);
  return rows;
}

/** Columns (name, position, type, null, default) and constraints of the owned tables. */
async function schemaOf(conn: DuckDBConnection) {
  return {
    tables: (await all(conn, "select table_name from duckdb_tables() where schema_name = 'main' order by 1")).map((r) => r.table_name),
    columns: await all(conn, `select table_name, column_name, column_index::int as i, data_type, is_nullable, column_default
      from duckdb_columns() where schema_name = 'main' order by table_name, column_index`),
    constraints: await all(conn, `select table_name, constraint_type, constraint_column_names::varchar as cols
      from duckdb_constraints() where schema_name = 'main' order by all`),
  };
}

const versions = (conn: DuckDBConnection) =>
  all(conn, 'select version::int as version, name, applied_at::varchar as applied_at from schema_migrations order by version');

describe('a database made by the previous version', () => {
  it('opens: migrated to the latest version in one go, every row kept, old rejects given their dataset, accounts still sign in', async () => {
    const file = fresh('previous');
    await createPreviousVersionDb(file);
    const before = await raw(file, rowsOf);
    const old = previousRows();
    const notices: string[] = [];
    const db = await openDb(file, { notice: (l) => notices.push(l) });
    try {
      expect(notices).toContain(`trellis: brought the schema of ${file} from version 0 to ${LATEST} (${MIGRATIONS.map((m) => m.name).join(', ')})`);
      await withDb(db, async (conn) => {
        expect((await versions(conn)).map((v) => [v.version, v.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
        for (const table of OLD_OWNED.filter((t) => t !== 'rejects')) {
          expect(await tableRows(conn, table), table).toEqual(before[table]);
          expect(await tableRows(conn, table), table).toHaveLength(old[table as keyof typeof old].length);
        }
        expect(await all(conn, 'select run_id::int as run_id, file, line::int as line, dataset from rejects order by run_id, file'))
          .toEqual(old.rejects.map((r, i) => ({ run_id: r[0], file: r[1], line: r[2], dataset: REJECTS_DATASETS[i] })));
        expect(await tableRows(conn, 'rejects', 'run_id, file, line, "column", value, reason, severity'))
          .toEqual(before.rejects); // the old columns, unchanged
        expect(await checkCredentials(conn, 'admin', OLD_PASSWORD)).toMatchObject({ username: 'admin', role: 'admin' });
        expect(await checkCredentials(conn, 'mgr', OLD_PASSWORD)).toBeUndefined(); // disabled stays disabled
      });
    } finally {
      db.close();
    }
  });

  it.each([
    ['the previous version', false],
    ['an older one (before run_files.mapping and run_history.n_top_of_ladder)', true],
  ])('ends with exactly the schema of a new database: %s', async (_, oldest) => {
    const newFile = fresh('new');
    const oldFile = fresh('old');
    await createPreviousVersionDb(oldFile, { oldest });
    const [newDb, oldDb] = [await openDb(newFile), await openDb(oldFile, { notice: () => {} })];
    const expected = await withDb(newDb, schemaOf);
    expect(await withDb(oldDb, schemaOf)).toEqual(expected);
    expect(expected.tables).toEqual([...OWNED, 'schema_migrations'].sort());
    newDb.close();
    oldDb.close();
  });

  it('opening again changes nothing', async () => {
    const file = fresh('reopen');
    await createPreviousVersionDb(file);
    (await openDb(file, { notice: () => {} })).close();
    const first = await raw(file, async (conn) => ({ versions: await versions(conn), rows: await rowsOf(conn) }));
    const notices: string[] = [];
    const db = await openDb(file, { notice: (l) => notices.push(l) });
    const again = await withDb(db, async (conn) => ({ versions: await versions(conn), rows: await rowsOf(conn), result: await migrate(conn) }));
    db.close();
    expect(notices).toEqual([]);
    expect(again).toEqual({ ...first, result: { from: LATEST, to: LATEST, applied: [] } });
  });

  it('a migration that fails halfway leaves the database as it was: no version, no table, no column, every row', async () => {
    const file = fresh('failing');
    await createPreviousVersionDb(file);
    const snapshot = async (conn: DuckDBConnection) => ({ schema: await schemaOf(conn), rows: await rowsOf(conn) });
    const before = await raw(file, snapshot);
    const breaks: Migration = {
      version: LATEST + 1,
      name: 'breaks_halfway',
      async up(conn) {
        await conn.run('create table half_made (role_id varchar)');
        await conn.run("insert into half_made values ('CEO')");
        await conn.run('delete from users');
        await conn.run('select * from no_such_table');
      },
    };
    const error = await raw(file, (conn) => migrate(conn, { migrations: [...MIGRATIONS, breaks] }).then(() => null, (err: unknown) => err));
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(new RegExp(`^schema migration ${LATEST + 1} \\(breaks_halfway\\) failed, nothing was changed: .*no_such_table`));
    expect(await raw(file, snapshot)).toEqual(before);
    expect(before.schema.tables).not.toContain('schema_migrations');
    // and the real migrations still apply afterwards
    const db = await openDb(file, { notice: () => {} });
    expect(await withDb(db, versions)).toHaveLength(LATEST);
    db.close();
  });

  it('a migration list out of order is a programming error, caught before anything runs', async () => {
    const file = fresh('order');
    await createPreviousVersionDb(file);
    const skip = { ...MIGRATIONS[0], version: 2 };
    await expect(raw(file, (conn) => migrate(conn, { migrations: [skip] }))).rejects.toThrow(/version 2; expected 1/);
  });
});

describe('a database made by the version before saved succession plans (schema 1)', () => {
  it('opens: migrated from 1 to the latest in one transaction, every row kept, the plan tables and the export view added empty', async () => {
    const file = fresh('v1');
    await createVersion1Db(file);
    const before = await raw(file, async (conn) => ({ versions: await versions(conn), rows: await rowsOf(conn), schema: await schemaOf(conn) }));
    expect(before.versions.map((v) => v.version)).toEqual([1]);
    expect(before.schema.tables).not.toContain('succession_plan_roles');
    const notices: string[] = [];
    const db = await openDb(file, { notice: (l) => notices.push(l) });
    try {
      expect(notices).toContain(`trellis: brought the schema of ${file} from version 1 to ${LATEST} (${MIGRATIONS.slice(1).map((m) => m.name).join(', ')})`);
      expect(MIGRATIONS[1].name).toBe('succession_plans');
      expect(notices.filter((l) => l.includes('brought the schema'))).toHaveLength(1);
      await withDb(db, async (conn) => {
        expect((await versions(conn)).slice(0, 1)).toEqual(before.versions); // version 1 as it was recorded
        expect(await rowsOf(conn)).toEqual(before.rows);
        for (const [table, rows] of Object.entries(previousRows())) expect(before.rows[table], table).toHaveLength(rows.length);
        for (const table of PLAN_TABLES) expect(await tableRows(conn, table), table).toEqual([]);
        expect(await all(conn, 'select * from succession_plans')).toEqual([]);
        expect(await checkCredentials(conn, 'admin', OLD_PASSWORD)).toMatchObject({ username: 'admin' });
      });
      const fresh2 = fresh('new-v2');
      const newDb = await openDb(fresh2);
      expect(await withDb(db, schemaOf)).toEqual(await withDb(newDb, schemaOf));
      newDb.close();
    } finally {
      db.close();
    }
  });

  it('a plan migration that fails leaves the version-1 database as it was', async () => {
    const file = fresh('v1-failing');
    await createVersion1Db(file);
    const snapshot = async (conn: DuckDBConnection) => ({ schema: await schemaOf(conn), rows: await rowsOf(conn), versions: await versions(conn) });
    const before = await raw(file, snapshot);
    const broken: Migration = { ...MIGRATIONS[1], async up(conn) { await MIGRATIONS[1].up(conn); await conn.run('select * from no_such_table'); } };
    await expect(raw(file, (conn) => migrate(conn, { migrations: [MIGRATIONS[0], broken] }))).rejects.toThrow(MigrationError);
    expect(await raw(file, snapshot)).toEqual(before);
  });
});

describe('a database written by a newer Trellis', () => {
  async function newer(): Promise<string> {
    const file = fresh('newer');
    (await openDb(file)).close();
    await raw(file, (conn) => conn.run(`insert into schema_migrations values (${LATEST + 1}, 'from_the_future', '2027-01-01 00:00:00')`).then(() => {}));
    return file;
  }

  it('is refused with the versions, and left as it was (and not held open)', async () => {
    const file = await newer();
    const state = async (conn: DuckDBConnection) => ({ schema: await schemaOf(conn), versions: await versions(conn) });
    const before = await raw(file, state);
    const error = await openDb(file).then(() => null, (err: unknown) => err);
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect((error as Error).message).toMatch(new RegExp(`^this database was written by a newer Trellis \\(schema ${LATEST + 1}\\); this version knows up to ${LATEST}`));
    expect(await raw(file, state)).toEqual(before);
    await expect(openDb(file)).rejects.toThrow(SchemaTooNewError); // nothing cached
  });

  it('the CLI says so and exits 1', async () => {
    const file = await newer();
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = await main(['export', '--list', '--db', file], { stdout, stderr, env: {}, cwd: tmp });
    expect(code).toBe(1);
    expect(stderr.text).toMatch(new RegExp(`^trellis export: this database was written by a newer Trellis \\(schema ${LATEST + 1}\\); this version knows up to ${LATEST}`));
  });
});

describe('app-owned tables across a pipeline run', () => {
  it('a run on a migrated database leaves users, sessions, audit_log and schema_migrations as they were; its rejects get a dataset', async () => {
    const file = fresh('run');
    await createPreviousVersionDb(file);
    const org = path.join(REPO_ROOT, 'fixtures', 'orgs', 'paths');
    const inbox = path.join(tmp, 'inbox');
    fs.mkdirSync(inbox);
    for (const f of fs.readdirSync(org)) if (f.endsWith('.csv')) fs.copyFileSync(path.join(org, f), path.join(inbox, f));
    fs.appendFileSync(path.join(inbox, 'check_ins.csv'), 'NOBODY,,2026-06-23,4,true,true\n');
    const db = await openDb(file, { notice: () => {} });
    try {
      const appRows = async (conn: DuckDBConnection) => {
        const rows: Record<string, string[]> = {};
        for (const t of APP_TABLES) rows[t] = await tableRows(conn, t);
        return rows;
      };
      await withDb(db, insertPlanRows);
      const before = await withDb(db, appRows);
      expect(APP_TABLES.filter((t) => !LATER_TABLES.includes(t)).every((t) => before[t].length > 0)).toBe(true);
      const asOf = fs.readFileSync(path.join(org, 'as_of.txt'), 'utf8').trim();
      const summary = await runPipeline(db, { inbox, asOf, trigger: 'cli', clock: () => new Date('2026-07-01T02:00:00Z') });
      expect(summary.status, summary.error ?? '').toBe('succeeded_with_issues');
      await withDb(db, async (conn) => {
        expect(await appRows(conn)).toEqual(before);
        expect(await all(conn, 'select file, dataset, severity from rejects where run_id = $id', { id: summary.runId }))
          .toEqual([{ file: 'check_ins.csv', dataset: 'check_ins', severity: 'reject' }]);
        expect(await tableRows(conn, 'runs', 'run_id')).toEqual(['[1]', '[2]', `[${summary.runId}]`]);
      });
    } finally {
      db.close();
    }
  });
});

describe('backup and restore', () => {
  it('a backup restored keeps every row (saved plans too) and the schema version', async () => {
    const file = fresh('live');
    await createPreviousVersionDb(file);
    const db = await openDb(file, { notice: () => {} });
    await withDb(db, insertPlanRows);
    const allRows = async (conn: DuckDBConnection) => {
      const rows = await rowsOf(conn);
      for (const t of PLAN_TABLES) rows[t] = await tableRows(conn, t);
      return { versions: await versions(conn), rows, nominations: await all(conn, 'select * from succession_plans order by nominee_id') };
    };
    const before = await withDb(db, allRows);
    for (const [t, rows] of Object.entries(PLAN_ROWS)) expect(before.rows[t], t).toHaveLength(rows.length);
    expect(before.nominations.map((r) => r.nominee_id)).toEqual(['B02', 'B03']);
    const backup = fresh('backup');
    await backupDatabase(db, backup);
    db.close();
    const target = fresh('restored');
    const info = await restoreDatabase(target, backup);
    expect(info.schema).toEqual({ from: LATEST, to: LATEST, applied: [] });
    expect(await raw(target, allRows)).toEqual(before); // plans and their export view too
  });

  it('a backup made by the previous version is migrated as it is restored; the backup file itself is not changed', async () => {
    const backup = fresh('old-backup');
    await createPreviousVersionDb(backup);
    const backupBytes = fs.readFileSync(backup);
    const target = fresh('current');
    (await openDb(target)).close();
    const stdout = new TextSink();
    const stderr = new TextSink();
    expect(await main(['restore', '--from', backup, '--db', target], { stdout, stderr, env: {}, cwd: tmp })).toBe(0);
    expect(stderr.text).toBe('');
    expect(stdout.text).toMatch(new RegExp(`; its schema was brought from version 0 to ${LATEST}; the replaced`));
    await raw(target, async (conn) => {
      expect((await versions(conn)).map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await all(conn, 'select dataset from rejects order by run_id, file')).toEqual(REJECTS_DATASETS.map((dataset) => ({ dataset })));
      expect(await tableRows(conn, 'users', 'username')).toEqual(['["admin"]', '["leader"]', '["mgr"]']);
    });
    expect(fs.readFileSync(backup).equals(backupBytes)).toBe(true);
  });

  it('a backup made by a newer Trellis is refused and the database kept', async () => {
    const backup = fresh('newer-backup');
    (await openDb(backup)).close();
    await raw(backup, (conn) => conn.run(`insert into schema_migrations values (${LATEST + 1}, 'from_the_future', '2027-01-01 00:00:00')`).then(() => {}));
    const target = fresh('kept');
    await createPreviousVersionDb(target);
    (await openDb(target, { notice: () => {} })).close();
    const before = await raw(target, rowsOf);
    await expect(restoreDatabase(target, backup)).rejects.toThrow(
      new RegExp(`^the backup ${backup}: this database was written by a newer Trellis \\(schema ${LATEST + 1}\\); this version knows up to ${LATEST}`));
    expect(await raw(target, rowsOf)).toEqual(before);
    expect(fs.existsSync(`${target}.before-restore`)).toBe(false);
  });
});
