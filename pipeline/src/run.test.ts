import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { all, openDb, type Db } from './db.ts';
import { SQL_DIR } from './models.ts';
import { RunInProgressError, runPipeline, type RunOptions } from './run.ts';
import { servingTable } from './run-schema.ts';
import { csv, runEnv, type RunEnv } from './run-test-env.ts';

const AS_OF = '2026-03-31';


const roles = csv('roles', [
  { role_id: 'r1', title: 'Engineer', job_family: 'Engineering', level: '2' },
  { role_id: 'r2', title: 'Analyst', job_family: 'Operations', level: '2' },
]);
const emp = (id: string, dept: string, hire = '2020-01-01', term = '') =>
  ({ employee_id: id, full_name: `Person ${id}`, department: dept, role_id: dept === 'Eng' ? 'r1' : 'r2', hire_date: hire, termination_date: term });

/** A models folder: the repo's staging + headcount, plus extra marts. */
function sqlDir(extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-run-sql-'));
  fs.cpSync(path.join(SQL_DIR, 'staging'), path.join(dir, 'staging'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'marts'));
  for (const f of ['headcount.sql', 'headcount.yml']) fs.copyFileSync(path.join(SQL_DIR, 'marts', f), path.join(dir, 'marts', f));
  for (const [rel, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, rel), text);
  return dir;
}

describe('runPipeline', () => {
  let tmp: string;
  let db: Db;
  let conn: DuckDBConnection;
  let inbox: string;
  let opts: RunOptions;
  const drop = (name: string, text: string) => fs.writeFileSync(path.join(inbox, name), text);
  const headcount = () => all(conn, 'select department, n_active from headcount order by department');
  const runSchemas = async () => (await all<{ s: string }>(conn, `select schema_name as s from duckdb_schemas()
    where database_name = current_database() and schema_name like 'run\\_%' escape '\\' order by 1`)).map((r) => r.s);
  const servedSchemas = async () => (await all<{ s: string }>(conn, `select distinct regexp_extract(sql, 'FROM "?(run_[0-9]+)', 1) as s
    from duckdb_views() where schema_name = 'main' and regexp_matches(sql, 'FROM "?run_[0-9]+') order by 1`)).map((r) => r.s);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-run-'));
    inbox = path.join(tmp, 'inbox');
    fs.mkdirSync(inbox);
    db = await openDb(path.join(tmp, 'trellis.duckdb'));
    conn = await db.connect();
    opts = {
      inbox, asOf: AS_OF, trigger: 'cli', clock: () => new Date('2026-04-01T02:00:00Z'),
      // a mart whose test fails as soon as anyone works in 'Sales'
      sqlDir: sqlDir({
        'marts/no_sales.sql': 'select employee_id, department from stg_employees',
        'marts/no_sales.yml': 'unique: [employee_id]\ntests:\n  - {expression: "department <> \'Sales\'"}\n',
      }),
    };
  });
  afterAll(() => db.close());

  it('loads a drop, builds the models, archives the files', async () => {
    drop('roles.csv', roles);
    drop('employees.csv', csv('employees', [emp('e1', 'Eng'), emp('e2', 'Eng', '2020-01-01', '2026-03-31'), emp('e3', 'Ops')]));
    const events: string[] = [];
    const s = await runPipeline(db, { ...opts, onProgress: (e) => events.push(e.phase) });
    expect(s.error).toBeNull();
    expect(s.status).toBe('succeeded');
    expect(s.runId).toBe(1);
    expect(s.files.map((f) => [f.file, f.status])).toEqual([['employees.csv', 'loaded'], ['roles.csv', 'loaded']]);
    expect(s.counts).toMatchObject({ loaded: 2, rowsLoaded: 5 });
    expect(await headcount()).toEqual([{ department: 'Eng', n_active: 1 }, { department: 'Ops', n_active: 1 }]);
    expect(fs.readdirSync(path.join(inbox, 'archive', '1')).sort()).toEqual(['employees.csv', 'roles.csv']);
    expect(fs.readdirSync(inbox).filter((f) => f.endsWith('.csv'))).toEqual([]);
    expect(events).toContain('models');
    expect(events).toContain('commit');
    expect(await all(conn, 'select run_id, status, trigger, strftime(as_of, \'%Y-%m-%d\') as as_of from runs')).toEqual([
      { run_id: 1, status: 'succeeded', trigger: 'cli', as_of: AS_OF },
    ]);
    expect(await all(conn, 'select file, dataset from loaded_files order by file')).toEqual([
      { file: 'employees.csv', dataset: 'employees' }, { file: 'roles.csv', dataset: 'roles' },
    ]);
  });

  it('skips an identical file dropped again, and says so; with nothing new it rebuilds nothing', async () => {
    fs.copyFileSync(path.join(inbox, 'archive', '1', 'employees.csv'), path.join(inbox, 'employees.csv'));
    const s = await runPipeline(db, opts);
    expect(s.status).toBe('no_change');
    expect(s.files).toMatchObject([{ file: 'employees.csv', status: 'skipped' }]);
    expect(s.notes.join(' ')).toMatch(/1 file already loaded, skipped: employees.csv/);
    expect(s.timings.total).toBeLessThan(3000); // no ingest, no models: only the hashing and a few lookups
    expect(await all(conn, 'select status from run_files where run_id = $id', { id: s.runId })).toEqual([{ status: 'skipped' }]);
    // a new as-of date rebuilds although no file is new
    const s2 = await runPipeline(db, { ...opts, asOf: '2026-03-30' });
    expect(s2.status).toBe('succeeded');
    expect(await headcount()).toEqual([{ department: 'Eng', n_active: 2 }, { department: 'Ops', n_active: 1 }]);
  });

  it('builds each run in its own schema and serves it through views of main; what a later run replaced is dropped', async () => {
    const before = { headcount: await servingTable(conn, 'headcount'), employees: await servingTable(conn, 'src_employees') };
    expect(before.headcount).toMatch(/^"run_\d+"\."headcount"$/);
    const s = await runPipeline(db, { ...opts, asOf: '2026-03-28' });
    expect(s.status).toBe('succeeded');
    // every model rebuilt in the run's schema; employees not loaded again: served from the schema that loaded them
    expect(await servingTable(conn, 'headcount')).toBe(`"run_${s.runId}"."headcount"`);
    expect(await servingTable(conn, 'src_employees')).toBe(before.employees);
    expect(await headcount()).toEqual([{ department: 'Eng', n_active: 2 }, { department: 'Ops', n_active: 1 }]);
    // the replaced headcount is gone; only schemas main still reads are left, each holding only what it serves
    const [oldSchema] = before.headcount.split('.');
    expect(await all(conn, `select count(*)::int as n from duckdb_tables() where schema_name = $s and table_name = 'headcount'`,
      { s: oldSchema.replaceAll('"', '') })).toEqual([{ n: 0 }]);
    expect(await runSchemas()).toEqual(await servedSchemas());
    expect(await all(conn, `select count(*)::int as n from duckdb_tables() t where schema_name like 'run\\_%' escape '\\'
      and not exists (select 1 from duckdb_views() v where v.schema_name = 'main' and v.view_name = t.table_name)`)).toEqual([{ n: 0 }]);
  });

  it('refuses a file it cannot place, naming the mappings folder searched, and keeps the data loaded before', async () => {
    drop('mystery.csv', 'a,b\n1,2\n');
    const s = await runPipeline(db, opts);
    // committed, but not everything loaded: its own status, not a plain "succeeded"
    expect(s.status).toBe('succeeded_with_issues');
    expect(await all(conn, 'select status from runs where run_id = $id', { id: s.runId })).toEqual([{ status: 'succeeded_with_issues' }]);
    expect(s.files).toMatchObject([{ file: 'mystery.csv', status: 'refused' }]);
    expect(s.files[0].reason).toBe('mystery.csv: the file name names no dataset and no column mapping matches it; '
      + 'rename it to start with one of employees, roles, role_progressions, skills, role_skills, employee_skills, objectives, goals, reviews, '
      + 'check_ins, career_plans, successor_nominations, job_history (e.g. employees.csv or check_ins_2026-11.csv), or place it with a column mapping: '
      + `a YAML file whose pattern matches the name (docs/mappings.md), in the mappings folder searched: ${path.join(tmp, 'mappings')}`);
    expect(fs.existsSync(path.join(inbox, 'refused', 'mystery.csv'))).toBe(true);
    expect(fs.readFileSync(path.join(inbox, 'refused', 'mystery.csv.reason.txt'), 'utf8')).toMatch(new RegExp(`run ${s.runId}: .+`));
    expect(await all(conn, 'select count(*)::int as n from src_employees')).toEqual([{ n: 3 }]);
    expect(await headcount()).toEqual([{ department: 'Eng', n_active: 1 }, { department: 'Ops', n_active: 1 }]);
  });

  it('refuses a file that is neither CSV nor Parquet instead of leaving it in the inbox', async () => {
    drop('employees.xlsx', 'PK\u0003\u0004 not really a workbook');
    const s = await runPipeline(db, opts);
    expect(s.files).toMatchObject([{ file: 'employees.xlsx', status: 'refused' }]);
    expect(fs.existsSync(path.join(inbox, 'employees.xlsx'))).toBe(false);
    expect(fs.readFileSync(path.join(inbox, 'refused', 'employees.xlsx.reason.txt'), 'utf8'))
      .toMatch(/only \.csv and \.parquet files can be loaded; save or export it as CSV/);
    expect(await all(conn, 'select count(*)::int as n from src_employees')).toEqual([{ n: 3 }]);
  });

  it('rolls the whole run back when a model test fails; the previous results keep serving', async () => {
    const before = await headcount();
    drop('employees.csv', csv('employees', [emp('e1', 'Eng'), emp('e9', 'Sales')]));
    const s = await runPipeline(db, opts);
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(/no_sales .*expression "department <> 'Sales'" \(1 failing row\)/);
    expect(await all(conn, 'select status, error from runs where run_id = $id', { id: s.runId })).toEqual([{ status: 'failed', error: s.error }]);
    expect(await headcount()).toEqual(before);
    // what the run built in its own schema is dropped with it
    expect(await runSchemas()).toEqual(await servedSchemas());
    expect(await runSchemas()).not.toContain(`run_${s.runId}`);
    expect(await all(conn, 'select employee_id from src_employees order by 1')).toEqual([
      { employee_id: 'e1' }, { employee_id: 'e2' }, { employee_id: 'e3' },
    ]);
    // the file stays in the inbox for the next try; nothing of the run is marked loaded
    expect(fs.existsSync(path.join(inbox, 'employees.csv'))).toBe(true);
    expect(await all(conn, 'select count(*)::int as n from loaded_files where run_id = $id', { id: s.runId })).toEqual([{ n: 0 }]);
    expect(await all(conn, 'select file, status from run_files where run_id = $id', { id: s.runId })).toEqual([{ file: 'employees.csv', status: 'loaded' }]);
    fs.unlinkSync(path.join(inbox, 'employees.csv'));
  });

  it.each([
    ['a mart test fails', {}, /no_sales .*1 failing row/],
    // a runtime error aborts the transaction: nothing can be read from it any more
    ['a model statement fails', { 'marts/boom.sql': 'select employee_id, full_name::integer as n from stg_employees', 'marts/boom.yml': 'unique: [employee_id]\n' }, /boom.*Could not convert/is],
  ])('keeps the rejects of a run that fails after ingest (%s)', async (_, extra, error) => {
    drop('employees.csv', csv('employees', [emp('e1', 'Eng'), emp('e5', 'Sales'), emp('e6', 'Eng', '2026-02-30')]));
    const s = await runPipeline(db, { ...opts, sqlDir: sqlDir({ ...extra,
      'marts/no_sales.sql': 'select employee_id, department from stg_employees',
      'marts/no_sales.yml': 'unique: [employee_id]\ntests:\n  - {expression: "department <> \'Sales\'"}\n' }) });
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(error);
    expect(await all(conn, 'select file, dataset, line, "column", value, severity from rejects where run_id = $id', { id: s.runId })).toEqual([
      { file: 'employees.csv', dataset: 'employees', line: 4, column: 'hire_date', value: '2026-02-30', severity: 'reject' },
    ]);
    expect(s.notes.join(' ')).not.toMatch(/lost/);
    expect(await all(conn, 'select count(*)::int as n from src_employees where employee_id = \'e5\'')).toEqual([{ n: 0 }]);
    fs.unlinkSync(path.join(inbox, 'employees.csv'));
  });

  it('a run that committed with rejected rows is succeeded_with_issues, and serves as the latest good run', async () => {
    drop('employees.csv', csv('employees', [emp('e1', 'Eng'), emp('e2', 'Eng'), emp('e3', 'Ops'), emp('e4', 'Ops', '2026-02-30')]));
    const s = await runPipeline(db, { ...opts, asOf: '2026-03-29' });
    expect(s.status).toBe('succeeded_with_issues');
    expect(s.counts).toMatchObject({ loaded: 1, refused: 0, rowsRejected: 1 });
    expect(await headcount()).toEqual([{ department: 'Eng', n_active: 2 }, { department: 'Ops', n_active: 1 }]);
    // nothing new and the same as-of: the issues run is the one a no_change run stands on
    expect((await runPipeline(db, { ...opts, asOf: '2026-03-29' })).status).toBe('no_change');
  });

  it("says so in the run's notes when the inbox folder does not exist (a server's scheduled run)", async () => {
    const missing = path.join(tmp, 'no-such-inbox');
    const s = await runPipeline(db, { ...opts, inbox: missing, asOf: '2026-04-30' });
    expect(s.status).toBe('succeeded');
    expect(s.counts.loaded).toBe(0);
    expect(s.notes).toContain(`the inbox ${missing} does not exist: no files to load`);
    // kept with the run, in order, for the Pipeline page
    expect((await all<{ note: string }>(conn, 'select note from run_notes where run_id = $id order by position', { id: s.runId })).map((r) => r.note))
      .toEqual(s.notes);
    const present = await runPipeline(db, { ...opts, asOf: '2026-04-30' });
    expect(present.notes.filter((n) => n.includes('does not exist'))).toEqual([]);
  });

  it('refuses a second run while one is going', async () => {
    drop('employees.csv', csv('employees', [emp('e1', 'Eng'), emp('e2', 'Ops')]));
    const first = runPipeline(db, opts);
    await expect(runPipeline(db, opts)).rejects.toThrow(RunInProgressError);
    const s = await first;
    expect(s.status).toBe('succeeded');
    expect(await all(conn, "select count(*)::int as n from runs where status = 'running'")).toEqual([{ n: 0 }]);
  });
});

describe('a file dropped again whose rows lacked what they refer to', () => {
  const onlyR1 = csv('roles', [{ role_id: 'r1', title: 'Engineer', job_family: 'Engineering', level: '2' }]);
  const employees = csv('employees', [emp('e1', 'Eng'), emp('e3', 'Ops')]); // e3 holds r2
  let env: RunEnv;
  let conn: DuckDBConnection;
  const active = async () => (await all<{ employee_id: string }>(conn, 'select employee_id from stg_employees order by 1')).map((r) => r.employee_id);
  const run = (...files: [string, string][]) => {
    for (const [name, text] of files) env.drop(name, text);
    return runPipeline(env.db, { ...env.opts, sqlDir: sqlDir() });
  };

  beforeAll(async () => {
    env = await runEnv('trellis-recheck-', AS_OF, '2026-04-01T02:00:00Z');
    conn = await env.db.connect();
  });
  afterAll(() => env.db.close());

  it('is loaded again once new data may hold the rows referred to, and skipped while nothing new came', async () => {
    const first = await run(['roles.csv', onlyR1], ['employees.csv', employees]);
    expect(first.status).toBe('succeeded_with_issues');
    expect(await all(conn, 'select reason from rejects where run_id = $id', { id: first.runId })).toEqual([{ reason: 'role_id "r2" is not in roles' }]);
    expect(await active()).toEqual(['e1']);

    // the same file alone, nothing loaded since: the same rows would be rejected again
    const again = await run(['employees.csv', employees]);
    expect(again.status).toBe('no_change');

    // the missing role arrives in a run of its own; the employees file dropped next is checked again
    const fixed = await run(['roles.csv', csv('roles', [{ role_id: 'r1', title: 'Engineer', job_family: 'Engineering', level: '2' },
      { role_id: 'r2', title: 'Analyst', job_family: 'Operations', level: '2' }])]);
    expect(fixed.counts.loaded).toBe(1);
    const rechecked = await run(['employees.csv', employees]);
    expect(rechecked.status).toBe('succeeded');
    expect(rechecked.files).toMatchObject([{ file: 'employees.csv', status: 'loaded', rowsLoaded: 2, rowsRejected: 0 }]);
    expect(rechecked.notes).toContain('1 file loaded before with rows whose references were missing, checked again against the data now loaded: employees.csv');
    expect(await active()).toEqual(['e1', 'e3']);

    // loaded whole now: skipped from here on
    expect((await run(['employees.csv', employees])).status).toBe('no_change');
  });

  it('is loaded again in the same drop as the fixed file it refers to (datasets load in reference order)', async () => {
    const dangling = csv('employees', [emp('e1', 'Eng'), emp('e5', 'Ops'), emp('e6', 'Ops', '2020-01-01', '2020-06-30')]);
    const twoRoles = csv('roles', [{ role_id: 'r1', title: 'Engineer', job_family: 'Engineering', level: '2' }, { role_id: 'r3', title: 'Other', job_family: 'Operations', level: '1' }]);
    const first = await run(['roles.csv', twoRoles], ['employees.csv', dangling]);
    expect(first.counts.rowsRejected).toBe(2);
    const both = await run(['roles.csv', csv('roles', [{ role_id: 'r1', title: 'Engineer', job_family: 'Engineering', level: '2' },
      { role_id: 'r2', title: 'Senior Analyst', job_family: 'Operations', level: '3' }])], ['employees.csv', dangling]);
    expect(both.files.map((f) => [f.file, f.status, f.rowsLoaded])).toEqual([['employees.csv', 'loaded', 3], ['roles.csv', 'loaded', 2]]);
    expect(await active()).toEqual(['e1', 'e5', 'e6']);
  });
});

describe('a file still being written when the run starts (a nightly copy not yet done)', () => {
  const employees = csv('employees', [emp('e1', 'Eng'), emp('e3', 'Ops')]);
  let env: RunEnv;
  let conn: DuckDBConnection;
  const active = async () => (await all<{ employee_id: string }>(conn, 'select employee_id from stg_employees order by 1')).map((r) => r.employee_id);
  const inInbox = () => fs.readdirSync(env.inbox).filter((f) => !['archive', 'refused'].includes(f)).sort();

  beforeAll(async () => {
    env = await runEnv('trellis-writing-', AS_OF, '2026-04-01T02:00:00Z', { sqlDir: sqlDir() });
    conn = await env.db.connect();
    env.drop('roles.csv', roles);
  });
  afterAll(() => env.db.close());

  it('leaves a file named as one being written (WinSCP .filepart, .part) in the inbox, neither loaded nor refused', async () => {
    env.drop('employees.csv.filepart', employees.slice(0, 40));
    env.drop('check_ins.csv.part', 'employee_id,week_of\n');
    const s = await runPipeline(env.db, env.opts);
    expect(s.files.map((f) => [f.file, f.status])).toEqual([['roles.csv', 'loaded']]);
    expect(s.notes).toContain('2 files still being written (a name such as .filepart or .part, or a size that changed while it was read), '
      + 'left in the inbox for the next run: check_ins.csv.part, employees.csv.filepart');
    expect(inInbox()).toEqual(['check_ins.csv.part', 'employees.csv.filepart']);
    expect(fs.existsSync(path.join(env.inbox, 'refused'))).toBe(false);
    // the copy ends with its rename: the next run loads it
    fs.rmSync(path.join(env.inbox, 'check_ins.csv.part'));
    fs.renameSync(path.join(env.inbox, 'employees.csv.filepart'), path.join(env.inbox, 'employees.csv'));
    env.drop('employees.csv', employees);
    expect((await runPipeline(env.db, { ...env.opts, asOf: '2026-03-30' })).files).toMatchObject([{ file: 'employees.csv', status: 'loaded', rowsLoaded: 2 }]);
    expect(await active()).toEqual(['e1', 'e3']);
  });

  it('leaves a file whose size changes while it is hashed for the next run', async () => {
    const partial = csv('employees', [emp('e1', 'Eng')]);
    env.drop('employees.csv', partial);
    const s = await runPipeline(env.db, {
      ...env.opts, asOf: '2026-03-29',
      // the copy goes on after the run's first look at the file
      onProgress: (e) => { if (e.message === 'hashing employees.csv') fs.appendFileSync(path.join(env.inbox, 'employees.csv'), 'e9,'); },
    });
    expect(s.files).toEqual([]);
    expect(s.notes.join('\n')).toMatch(/1 file still being written .*: employees\.csv$/m);
    expect(inInbox()).toEqual(['employees.csv']);
    expect(await active()).toEqual(['e1', 'e3']);
    fs.rmSync(path.join(env.inbox, 'employees.csv'));
  });

  it('does not archive a file that changed after the run read it: the next run reads it again, whole', async () => {
    const first = csv('employees', [emp('e1', 'Eng')]);
    env.drop('employees.csv', first);
    const s = await runPipeline(env.db, {
      ...env.opts, asOf: '2026-03-28',
      // the rest of the file arrives while the models build
      onProgress: (e) => {
        if (e.phase === 'models' && e.done === 0) fs.writeFileSync(path.join(env.inbox, 'employees.csv'), csv('employees', [emp('e1', 'Eng'), emp('e7', 'Ops')]));
      },
    });
    expect(s.files).toMatchObject([{ file: 'employees.csv', status: 'loaded', rowsLoaded: 1 }]);
    expect(s.notes).toContain('employees.csv changed after the run read it (still being written?): left in the inbox, the next run reads it again');
    expect(inInbox()).toEqual(['employees.csv']);
    expect(await active()).toEqual(['e1']);
    const next = await runPipeline(env.db, { ...env.opts, asOf: '2026-03-28' });
    expect(next.files).toMatchObject([{ file: 'employees.csv', status: 'loaded', rowsLoaded: 2 }]);
    expect(await active()).toEqual(['e1', 'e7']);
    expect(inInbox()).toEqual([]);
  });
});
