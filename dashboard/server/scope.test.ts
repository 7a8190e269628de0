// scopeSql against a real closure built by sql/marts/org_closure.sql over a small tree.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, exec, openDb, type Db } from '../../pipeline/src/db.ts';
import { checkInScope, scopeSql } from './scope.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const closureSql = fs.readFileSync(path.join(repoRoot, 'sql/marts/org_closure.sql'), 'utf8');

// ceo ─┬─ a ─┬─ a1 ── a11
//      │     └─ a2 (terminated 2026-01-31)
//      └─ b ─── b1 (hired after as_of)
// x ↔ y: a cycle (ingest breaks them; the depth limit must still end the walk)
const employees = [
  ['ceo', null, '2020-01-01', null],
  ['a', 'ceo', '2020-01-01', null],
  ['a1', 'a', '2021-01-01', null],
  ['a11', 'a1', '2022-01-01', null],
  ['a2', 'a', '2021-01-01', '2026-01-31'],
  ['b', 'ceo', '2020-01-01', null],
  ['b1', 'b', '2026-06-01', null],
  ['x', 'y', '2020-01-01', null],
  ['y', 'x', '2020-01-01', null],
];
const AS_OF = '2026-03-31';

let dir: string;
let db: Db;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-scope-'));
  db = await openDb(path.join(dir, 'scope.duckdb'));
  conn = await db.connect();
  await exec(conn, `create table stg_employees (employee_id varchar, manager_id varchar, hire_date date, termination_date date)`);
  for (const [id, manager, hired, left] of employees) {
    await exec(conn, 'insert into stg_employees values ($1, $2, $3::date, $4::date)', [id, manager, hired, left]);
  }
  // org_closure reads int_employees_active (active on as_of, with the manager at that date; its own rules
  // are sql/'s tests): without job history that is the snapshot's manager of everyone active.
  await exec(conn, `create table int_employees_active as select employee_id, manager_id from stg_employees
    where hire_date <= $as_of::date and (termination_date is null or termination_date > $as_of::date)`, { as_of: AS_OF });
  await exec(conn, `create table org_closure as ${closureSql}`);
});

afterAll(() => {
  conn?.closeSync();
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function visible(user: Parameters<typeof scopeSql>[0]): Promise<string[]> {
  const scope = scopeSql(user, 'e.employee_id');
  const where = scope.clause ? `where ${scope.clause}` : '';
  const rows = await all<{ employee_id: string }>(conn,
    `select e.employee_id from stg_employees e ${where} order by e.employee_id`, scope.params);
  return rows.map((r) => r.employee_id);
}

describe('org_closure', () => {
  it('pairs each active employee with every active ancestor and itself at depth 0', async () => {
    const rows = await all<{ ancestor_id: string; employee_id: string; depth: number }>(conn,
      'select ancestor_id, employee_id, depth from org_closure order by all');
    const pairs = rows.map((r) => `${r.ancestor_id}>${r.employee_id}@${r.depth}`);
    expect(pairs).toEqual(expect.arrayContaining([
      'ceo>ceo@0', 'ceo>a@1', 'ceo>a1@2', 'ceo>a11@3', 'a>a11@2', 'a1>a11@1', 'b>b@0',
    ]));
    expect(pairs.filter((p) => p.includes('a2') || p.includes('b1'))).toEqual([]); // not active on as_of
    // the cycle ends at the depth limit and collapses to one row per pair, at the shortest depth
    expect(pairs.filter((p) => /^[xy]>/.test(p))).toEqual(['x>x@0', 'x>y@1', 'y>x@1', 'y>y@0']);
    const dupes = await all(conn, 'select ancestor_id, employee_id from org_closure group by all having count(*) > 1');
    expect(dupes).toEqual([]);
  });
});

describe('scopeSql', () => {
  it.each([
    ['admin', { username: 'u', role: 'admin', employeeId: null }, ['a', 'a1', 'a11', 'a2', 'b', 'b1', 'ceo', 'x', 'y']],
    ['leader', { username: 'u', role: 'leader', employeeId: null }, ['a', 'a1', 'a11', 'a2', 'b', 'b1', 'ceo', 'x', 'y']],
    ['manager of a', { username: 'u', role: 'manager', employeeId: 'a' }, ['a', 'a1', 'a11']],
    ['manager of a1', { username: 'u', role: 'manager', employeeId: 'a1' }, ['a1', 'a11']],
    ['manager with an unknown id', { username: 'u', role: 'manager', employeeId: 'nobody' }, []],
    ['manager without an id', { username: 'u', role: 'manager', employeeId: null }, []],
    ['no user', null, []],
  ] as const)('%s sees %j', async (_name, user, expected) => {
    expect(await visible(user as never)).toEqual(expected);
  });

  it('binds the manager id and quotes the column', () => {
    const scope = scopeSql({ username: 'm', role: 'manager', employeeId: "a' or 1=1 --" }, 'weird"col');
    expect(scope.clause).toBe('"weird""col" in (select employee_id from org_closure where ancestor_id = $scope_root)');
    expect(scope.params).toEqual({ scope_root: "a' or 1=1 --" });
  });
});

describe('checkInScope', () => {
  const manager = (employeeId: string | null) => ({ username: 'm', role: 'manager', employeeId }) as never;
  it.each([
    ['a', 'a1', true], ['a', 'a11', true], ['a', 'a', true], ['a', 'ceo', false], ['a', 'b', false],
    ['a', 'a2', false], ['a', "a1' or '1'='1", false], [null, 'a', false],
  ] as const)('manager %s filtering by %s: allowed %s', async (root, id, allowed) => {
    const check = checkInScope(conn, manager(root), id);
    if (allowed) await expect(check).resolves.toBeUndefined();
    else await expect(check).rejects.toMatchObject({ statusCode: 403, message: expect.stringMatching(/is not in your organisation/) });
  });
  it('lets admins and leaders name anyone, and passes when nobody is named', async () => {
    await expect(checkInScope(conn, { username: 'u', role: 'leader', employeeId: null }, 'x')).resolves.toBeUndefined();
    await expect(checkInScope(conn, manager('a'), undefined)).resolves.toBeUndefined();
  });
});
