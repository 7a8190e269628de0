// GET /api/overview/history and GET /api/retention/backtest on a generated org run through the real
// pipeline (job histories, 24 history months): admins and leaders get the tables as stored; a manager
// gets the same code's figures over their subtree at each date: each checked against a walk of the
// reporting lines done here in TypeScript; for a small team the too-few-exits rule applies to their
// own count.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrg } from '../../fixtures/generator/generateOrg.ts';
import { all, openDb, type Db } from '../../pipeline/src/db.ts';
import { runPipeline } from '../../pipeline/src/run.ts';
import { loginAs } from './auth/test-helpers.ts';
import { buildServer } from './index.ts';
import { ADMIN, LOCAL_TOKEN, orgServer, tmpDir } from './test-org.ts';

const AS_OF = '2026-06-30';
let app: FastifyInstance;
let db: Db;
let dir: string;
type R = Record<string, unknown>;

const sql = async (text: string) => {
  const conn = await db.connect();
  try { return await all<R>(conn, text); } finally { conn.closeSync(); }
};

beforeAll(async () => {
  dir = tmpDir('trellis-history-api-');
  const inbox = path.join(dir, 'inbox');
  await generateOrg({ employees: 400, seed: 7, asOf: AS_OF, out: inbox });
  db = await openDb(path.join(dir, 'org.duckdb'));
  const summary = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli', clock: () => new Date('2026-07-01T00:00:00Z') });
  expect(summary.error).toBeNull();
  app = await buildServer({ config: { inbox, asOf: AS_OF, uploadLimitMb: 1, staticDir: path.join(dir, 'no-build') }, db, localToken: LOCAL_TOKEN });
  await app.ready();
}, 120_000);
afterAll(async () => { await app?.close(); db?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

const get = async (url: string, headers: Record<string, string>) => {
  const res = await app.inject({ url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

/** Everyone in root's subtree at each history date, by walking hist_employees_active's managers here. */
async function subtreeWalk(root: string): Promise<Set<string>> {
  const rows = await sql(`select strftime(as_of_date, '%Y-%m-%d') as d, employee_id, manager_id from hist_employees_active`);
  const byDate = new Map<string, R[]>();
  for (const r of rows) byDate.set(String(r.d), [...(byDate.get(String(r.d)) ?? []), r]);
  const out = new Set<string>();
  for (const [d, people] of byDate) {
    if (!people.some((p) => p.employee_id === root)) continue;
    const inside = new Set([root]);
    for (let grew = true; grew;) {
      grew = false;
      for (const p of people) if (!inside.has(String(p.employee_id)) && inside.has(String(p.manager_id))) { inside.add(String(p.employee_id)); grew = true; }
    }
    for (const e of inside) out.add(`${d}|${e}`);
  }
  return out;
}

describe('admins and leaders', () => {
  it('get history_overview, one row per history date, oldest first', async () => {
    const body = await get('/api/overview/history', ADMIN);
    const stored = await sql(`select strftime(as_of_date, '%Y-%m-%d') as as_of_date, n_active, n_exits_voluntary from history_overview order by 1`);
    expect(body.scope).toBe('org');
    expect(body.rows).toHaveLength(25);
    expect(body.rows.map((r: R) => [r.as_of_date, r.n_active, r.n_exits_voluntary])).toEqual(stored.map((r) => [r.as_of_date, r.n_active, r.n_exits_voluntary]));
    expect(body.rows.at(-1).as_of_date).toBe(AS_OF);
  });

  it('get the backtest marts as stored', async () => {
    const leader = (await loginAs(app, 'leader', { username: 'lead' })).headers;
    const body = await get('/api/retention/backtest', leader);
    expect(body).toMatchObject({ built: true, scope: 'org', minExits: 30, tooFewExits: 'too few exits to judge' });
    const pooled = (await sql(`select n_scored, n_left, auc from risk_backtest where scope = 'pooled'`))[0];
    expect(body.risk_backtest.at(-1)).toMatchObject({ scope: 'pooled', n_scored: pooled.n_scored, n_left: pooled.n_left, auc: pooled.auc });
    expect(body.risk_factor_effects.filter((r: R) => r.scope === 'pooled')).toHaveLength(8);
    expect(body.risk_weights_fitted.map((r: R) => r.factor_order)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('managers', () => {
  /**
   * The manager's backtest and history, checked against the walk: scored + excluded, and n_active, per date;
   * the mean coverage of the role held at as_of.
   */
  async function checkAgainstWalk(root: string, username: string) {
    const headers = (await loginAs(app, 'manager', { employeeId: root, username })).headers;
    const body = await get('/api/retention/backtest', headers);
    expect(body.scope).toBe('subtree');
    const walk = await subtreeWalk(root);
    const dates = body.risk_backtest.filter((r: R) => r.scope === 'date');
    const labelled = await sql(`select strftime(r.as_of_date, '%Y-%m-%d') as d, r.employee_id from history_retention_risk r
      join risk_backtest b on b.scope = 'date' and b.as_of_date = r.as_of_date`);
    const expected = new Map<string, number>();
    for (const r of labelled) if (walk.has(`${r.d}|${r.employee_id}`)) expected.set(String(r.d), (expected.get(String(r.d)) ?? 0) + 1);
    expect(dates.length).toBeGreaterThan(10);
    expect(dates.map((r: R) => [r.as_of_date, Number(r.n_scored) + Number(r.n_excluded)]))
      .toEqual(dates.map((r: R) => [r.as_of_date, expected.get(String(r.as_of_date)) ?? 0]));
    const history = await get('/api/overview/history', headers);
    expect(history.rows.map((r: R) => r.n_active))
      .toEqual(history.rows.map((r: R) => [...walk].filter((k) => k.startsWith(`${r.as_of_date}|`)).length));
    // the mean coverage of the role held, at as_of: role_coverage's 'current' rows of the people in the walk
    const current = await sql(`select employee_id, coverage from role_coverage where target_kind = 'current' and coverage is not null`);
    const covered = current.filter((r) => walk.has(`${AS_OF}|${r.employee_id}`)).map((r) => Number(r.coverage));
    expect(covered.length).toBeGreaterThan(0);
    expect(history.rows.find((r: R) => r.as_of_date === AS_OF).mean_current_role_coverage)
      .toBeCloseTo(covered.reduce((a, b) => a + b, 0) / covered.length, 9);
    expect(history.rows[0].n_exits).toBeNull(); // no date before the first: exits of its month not placed
    expect(history.rows.every((r: R) => r.succession_readiness_rate === null)).toBe(true); // org-wide figures: not served to managers
    return body;
  }

  it('at the top of the tree get most of the org, judged, with fitted weights', async () => {
    const roots = await sql(`select distinct employee_id from hist_employees_active where manager_id is null`);
    expect(roots).toHaveLength(1);
    const body = await checkAgainstWalk(String(roots[0].employee_id), 'top');
    const org = await get('/api/retention/backtest', ADMIN);
    const pooled = body.risk_backtest.at(-1);
    expect(pooled.n_left).toBeGreaterThanOrEqual(30);
    expect(pooled.n_left).toBeLessThanOrEqual(org.risk_backtest.at(-1).n_left);
    expect(pooled.warning).toBeNull();
    expect(body.risk_weights_fitted.some((r: R) => r.fitted_points !== null)).toBe(true);
  });

  it('of a small team get their own rows only, with "too few exits to judge" and no fitted weights', async () => {
    const [small] = await sql(`select manager_id as id, count(*)::int as n from hist_employees_active
      where as_of_date = '${AS_OF}'::date and manager_id is not null group by 1 having count(*) between 3 and 8 order by 1 limit 1`);
    const body = await checkAgainstWalk(String(small.id), 'small');
    expect(body.risk_backtest.at(-1).n_left).toBeLessThan(30);
    expect(body.risk_backtest.every((r: R) => r.warning === 'too few exits to judge')).toBe(true);
    expect(body.risk_weights_fitted.every((r: R) => r.fitted_points === null)).toBe(true);
  });

});

// fixtures/orgs/history, worked by hand (its employees.csv and job_history.csv). E03 (Sales) at the last
// four dates: 03-31 {E03, E06, E09, E10, E11, E15}; 04-30 E06 moved to E01 on 04-15, E10 left on 04-30,
// E13 hired 04-15: {E03, E09, E11, E13, E15}; 05-31 E11 let go 05-10: {E03, E09, E13, E15}; 06-30 the same.
// Exits of a month: of the people in the subtree at the date before: April E10 (voluntary), May E11
// (involuntary). E02 (Engineering): E04, E05, E07 (under E04, then E02 from 05-15: inside throughout), E08,
// E12; E12 leaves on 06-30 with no type, E14 is hired on 06-30.
describe('a manager\'s history and backtest on the hand-made history org', () => {
  let org: Awaited<ReturnType<typeof orgServer>>;
  beforeAll(async () => { org = await orgServer('history'); }, 120_000);
  afterAll(async () => { await org?.app.close(); org?.db.close(); if (org) fs.rmSync(org.dir, { recursive: true, force: true }); });

  const signedIn = new Map<string, Record<string, string>>();
  const as = async (employeeId: string, url: string) => {
    if (!signedIn.has(employeeId)) signedIn.set(employeeId, (await loginAs(org.app, 'manager', { employeeId, username: `m-${employeeId}` })).headers);
    const headers = signedIn.get(employeeId)!;
    const res = await org.app.inject({ url, headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const last4 = (rows: R[]) => rows.slice(-4).map((r) => [r.as_of_date, r.n_active, r.n_exits, r.n_exits_voluntary, r.n_exits_involuntary, r.n_hires]);

  it('E03: headcount, exits and hires of their team at each date', async () => {
    expect(last4((await as('E03', '/api/overview/history')).rows)).toEqual([
      ['2026-03-31', 6, 0, 0, 0, 0], ['2026-04-30', 5, 1, 1, 0, 1], ['2026-05-31', 4, 1, 0, 1, 0], ['2026-06-30', 4, 0, 0, 0, 0],
    ]);
  });

  it('E02: an exit of no type counts in n_exits only; a hire on the date counts', async () => {
    expect(last4((await as('E02', '/api/overview/history')).rows)).toEqual([
      ['2026-03-31', 6, 0, 0, 0, 0], ['2026-04-30', 6, 0, 0, 0, 0], ['2026-05-31', 6, 0, 0, 0, 0], ['2026-06-30', 6, 1, 0, 0, 1],
    ]);
  });

  it('E03\'s backtest: E10 a leaver at the three dates within 6 months of 2026-04-30, E11 left out at two; too few exits', async () => {
    const body = await as('E03', '/api/retention/backtest');
    const leftAt = body.risk_backtest.filter((r: R) => r.scope === 'date' && Number(r.n_left) > 0).map((r: R) => [r.as_of_date, r.n_left]);
    expect(leftAt).toEqual([['2025-10-31', 1], ['2025-11-30', 1], ['2025-12-31', 1]]);
    expect(body.risk_backtest.at(-1)).toMatchObject({ scope: 'pooled', n_left: 3, n_excluded: 2, warning: 'too few exits to judge' });
  });
});
