// The `trellis user` CLI and the account store, on a real DuckDB file in a temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, exec, openDb, type Db } from './db.ts';
import {
  checkCredentials, DEMO_PASSWORD, ensureDemoAccounts, hashPassword, pickDemoEmployee, usersCommand, verifyPassword,
} from './users.ts';

let dir: string;
let dbFile: string;
let db: Db;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-users-'));
  dbFile = path.join(dir, 'users.duckdb');
  db = await openDb(dbFile);
});

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  return { stream, text: () => text };
}

async function cli(args: string[], stdin = '') {
  const out = sink();
  const err = sink();
  const code = await usersCommand(args, { db: dbFile, stdin: Readable.from([stdin]), stdout: out.stream, stderr: err.stream });
  return { code, out: out.text(), err: err.text() };
}

async function check(username: string, password: string) {
  const conn = await db.connect();
  try {
    return await checkCredentials(conn, username, password);
  } finally {
    conn.closeSync();
  }
}

describe('passwords', () => {
  it('hash with a per-user salt and verify', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{128}$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
    expect(await verifyPassword('x', null)).toBe(false);
  });
});

describe('trellis user', () => {
  it('--db names the database, as for trellis run, export and backup (a relative path from the working folder)', async () => {
    const out = sink();
    const err = sink();
    const args = ['add', '--username', 'otto', '--role', 'leader', '--password-stdin', '--db', 'other.duckdb'];
    expect(await usersCommand(args, { db: dbFile, cwd: dir, stdin: Readable.from(['other-secret-1']), stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(err.text()).toBe('');
    const elsewhere = sink();
    expect(await usersCommand(['list', `--db=${path.join(dir, 'other.duckdb')}`], { db: dbFile, stdout: elsewhere.stream })).toBe(0);
    expect(elsewhere.text()).toMatch(/^otto\s+leader\s+-/m);
    expect((await cli(['list'])).out).not.toMatch(/otto/);
  });

  it('adds, lists, changes the password of and removes a user; the password never shows', async () => {
    const add = await cli(['add', '--username', 'ada', '--role', 'admin', '--password-stdin'], 'first-secret-1\n');
    expect(add).toMatchObject({ code: 0, err: '' });
    expect(add.out).not.toContain('first-secret-1');
    expect(await check('ada', 'first-secret-1')).toMatchObject({ username: 'ada', role: 'admin' });

    const list = await cli(['user', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ada\s+admin\s+-/m);
    expect(list.out).not.toMatch(/scrypt|secret/);

    const passwd = await cli(['passwd', '--username', 'ada', '--password-stdin'], 'second-secret-2');
    expect(passwd.code).toBe(0);
    expect(await check('ada', 'first-secret-1')).toBeUndefined();
    expect(await check('ada', 'second-secret-2')).toBeTruthy();

    // the last admin cannot be removed: nobody could manage accounts from the dashboard afterwards
    const last = await cli(['remove', '--username', 'ada']);
    expect(last).toMatchObject({ code: 2, err: 'trellis user: ada is the last admin; add another admin first\n' });
    expect(await check('ada', 'second-secret-2')).toBeTruthy();
    expect((await cli(['add', '--username', 'bea', '--role', 'admin', '--password-stdin'], 'third-secret-3')).code).toBe(0);

    expect((await cli(['remove', '--username', 'ada'])).code).toBe(0);
    expect(await check('ada', 'second-secret-2')).toBeUndefined();
    expect((await cli(['remove', '--username', 'bea'])).err).toMatch(/bea is the last admin; add another admin first/);
    const conn = await db.connect();
    const log = await all<{ action: string; target: string }>(conn, "select action, target from audit_log where username = 'cli' order by \"at\"");
    conn.closeSync();
    expect(log.map((r) => `${r.action} ${r.target}`)).toEqual(['user_add ada', 'user_passwd ada', 'user_add bea', 'user_remove ada']);
  });

  it.each([
    [['add', '--username', 'm', '--role', 'manager', '--password-stdin'], 'long-enough-1', /a manager needs --employee-id/],
    [['add', '--username', 'm', '--role', 'employee', '--password-stdin'], 'long-enough-1', /an employee needs --employee-id \(the person whose own data they see\)/],
    [['add', '--username', 'm', '--role', 'boss', '--password-stdin'], 'long-enough-1', /invalid role "boss"/],
    [['add', '--username', 'm', '--role', 'leader'], 'long-enough-1', /needs --password-stdin/],
    [['add', '--username', 'm', '--role', 'leader', '--password', 'x'], '', /not taken on the command line/],
    [['add', '--username', '../x', '--role', 'leader', '--password-stdin'], 'long-enough-1', /invalid username/],
    [['add', '--username', 'm', '--role', 'leader', '--password-stdin'], 'tiny', /password too short/],
    [['add', '--username', 'm', '--role', 'leader', '--password-stdin'], 'two\nlines', /single line/],
    [['remove', '--username', 'ghost'], '', /no user "ghost"/],
    [['remove'], '', /needs --username/],
    [['frobnicate'], '', /unknown command "user frobnicate"/],
  ])('%j fails with a clear message', async (args, stdin, message) => {
    const res = await cli(args, stdin);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(message);
    if (stdin) expect(res.err).not.toContain(stdin);
  });

  it('checks a manager\'s employee id against the loaded employees', async () => {
    const conn = await db.connect();
    await exec(conn, 'create table if not exists src_employees (employee_id varchar)');
    await exec(conn, "insert into src_employees values ('E1')");
    conn.closeSync();
    const bad = await cli(['add', '--username', 'mx', '--role', 'manager', '--employee-id', 'E404', '--password-stdin'], 'long-enough-1');
    expect(bad.err).toMatch(/no employee with id "E404"/);
    const good = await cli(['add', '--username', 'mx', '--role', 'manager', '--employee-id', 'E1', '--password-stdin'], 'long-enough-1');
    expect(good.code).toBe(0);
    expect(await check('mx', 'long-enough-1')).toMatchObject({ role: 'manager', employee_id: 'E1' });
  });

  it('adds an employee linked to their own employee id, checked like a manager\'s', async () => {
    const bad = await cli(['add', '--username', 'ex', '--role', 'employee', '--employee-id', 'E404', '--password-stdin'], 'long-enough-1');
    expect(bad.err).toMatch(/no employee with id "E404"/);
    const good = await cli(['add', '--username', 'ex', '--role', 'employee', '--employee-id', 'E1', '--password-stdin'], 'long-enough-1');
    expect(good).toMatchObject({ code: 0, out: 'Added employee "ex" (E1)\n' });
    expect(await check('ex', 'long-enough-1')).toMatchObject({ role: 'employee', employee_id: 'E1' });
    expect((await cli(['list'])).out).toMatch(/^ex\s+employee\s+E1\s/m);
  });

  it('says when the employee an account stands for is not active in the data (it would see no one)', async () => {
    const conn = await db.connect();
    await exec(conn, "insert into src_employees values ('E2')");
    await exec(conn, 'create table stg_employees (employee_id varchar, full_name varchar, termination_date date)');
    await exec(conn, "insert into stg_employees values ('E1', 'Ann Here', null), ('E2', 'Bo Gone', '2026-03-27')");
    await exec(conn, "create table career_path_state as select 'E1' as employee_id");
    conn.closeSync();
    const gone = await cli(['add', '--username', 'm2', '--role', 'manager', '--employee-id', 'E2', '--password-stdin'], 'long-enough-1');
    expect(gone).toMatchObject({ code: 0, out: 'Added manager "m2" (team of E2)\n'
      + 'note: E2 (Bo Gone) left on 2026-03-27 in the data loaded: the account sees no one until it stands for an active employee\n' });
    const here = await cli(['add', '--username', 'm1', '--role', 'manager', '--employee-id', 'E1', '--password-stdin'], 'long-enough-1');
    expect(here).toMatchObject({ code: 0, out: 'Added manager "m1" (team of E1)\n' });
  });
});

describe('ensureDemoAccounts', () => {
  it('creates an admin with a random password printed once, a leader and managers, then leaves them be', async () => {
    const file = path.join(dir, 'demo.duckdb');
    const demo = await openDb(file);
    const conn = await demo.connect();
    const lines: string[] = [];
    const first = await ensureDemoAccounts(conn, { employeeIds: ['E7', 'E8'], adminPassword: null, print: (l) => lines.push(l) });
    expect(first.admin.created).toBe(true);
    expect(first.admin.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(lines.join('\n')).toContain(first.admin.password!);
    expect(first.accounts.map((a) => [a.username, a.role, a.employeeId])).toEqual([
      ['leader', 'leader', null], ['manager1', 'manager', 'E7'], ['manager2', 'manager', 'E8']]);
    expect(await checkCredentials(conn, 'admin', first.admin.password!)).toBeTruthy();
    expect(await checkCredentials(conn, 'manager2', DEMO_PASSWORD)).toMatchObject({ employee_id: 'E8' });

    const again: string[] = [];
    const second = await ensureDemoAccounts(conn, { employeeIds: ['E7', 'E8'], print: (l) => again.push(l) });
    expect(second.admin).toEqual({ username: 'admin', password: null, created: false });
    expect(again).toEqual([]);
    conn.closeSync();
    demo.close();
  });

  it('takes the admin password from the option and picks managers from org_closure', async () => {
    const file = path.join(dir, 'demo2.duckdb');
    const demo = await openDb(file);
    const conn = await demo.connect();
    await exec(conn, `create table org_closure as select * from (values
      ('ceo','ceo',0),('ceo','a',1),('ceo','a1',2),('ceo','a2',2),('ceo','b',1),('ceo','b1',2),
      ('a','a',0),('a','a1',1),('a','a2',1),('b','b',0),('b','b1',1),('a1','a1',0),('a2','a2',0),('b1','b1',0))
      as t(ancestor_id, employee_id, depth)`);
    const lines: string[] = [];
    const res = await ensureDemoAccounts(conn, { adminPassword: 'given-admin-pw', print: (l) => lines.push(l) });
    expect(res.admin.password).toBeNull();
    expect(lines.join('\n')).not.toContain('given-admin-pw');
    expect(await checkCredentials(conn, 'admin', 'given-admin-pw')).toBeTruthy();
    expect(res.accounts.filter((a) => a.role === 'manager').map((a) => a.employeeId)).toEqual(['a', 'b']);
    expect(res.accounts.map((a) => a.username)).not.toContain('employee'); // no career_path_state: nobody to show
    conn.closeSync();
    demo.close();
  });

  it('adds a demo employee whose own page has the most to show', async () => {
    const demo = await openDb(path.join(dir, 'demo3.duckdb'));
    const conn = await demo.connect();
    await exec(conn, `create table career_path_state as select * from (values
      ('a', 'on_path', 1), ('a1', 'on_path', 3), ('a2', 'on_path', 1), ('b1', 'on_path', 1), ('z', 'no_path', 0))
      as t(employee_id, path_state, n_linked_goals)`);
    await exec(conn, `create table org_closure as select * from (values ('a','a',0),('a','a1',1),('a1','a1',0),('a2','a2',0),('b1','b1',0),('z','z',0))
      as t(ancestor_id, employee_id, depth)`);
    // a manages a1; a1 and a2 and b1 talked about their career; only a2 and b1 have suggested moves
    await exec(conn, `create table stg_check_ins as select * from (values ('a', true), ('a1', true), ('a2', true), ('b1', true), ('z', true))
      as t(employee_id, career_discussed)`);
    await exec(conn, "create table mobility_matches as select * from (values ('a', 1), ('a2', 1), ('b1', 1), ('z', 1)) as t(employee_id, rank)");
    expect(await pickDemoEmployee(conn)).toBe('a2'); // on a path, talked, has moves, no reports; a2 before b1 by id
    const lines: string[] = [];
    const res = await ensureDemoAccounts(conn, { employeeIds: ['a'], adminPassword: 'given-admin-pw', print: (l) => lines.push(l) });
    expect(res.accounts.map((a) => [a.username, a.role, a.employeeId])).toEqual([
      ['leader', 'leader', null], ['manager1', 'manager', 'a'], ['employee', 'employee', 'a2']]);
    expect(lines.at(-1)).toBe('Demo accounts (demo only, password "trellis-demo"): leader (leader), manager1 (manager of a), employee (employee a2)');
    expect(await checkCredentials(conn, 'employee', DEMO_PASSWORD)).toMatchObject({ role: 'employee', employee_id: 'a2' });
    conn.closeSync();
    demo.close();
  });
});
