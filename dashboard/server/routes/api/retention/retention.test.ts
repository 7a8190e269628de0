import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import { all, exec, type Db } from '../../../../../pipeline/src/db.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { invalidateCatalog } from '../../../context.ts';
import { ADMIN, buildRepoModel, testServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
beforeAll(async () => ({ app, db } = await testServer()));
afterAll(async () => { await app.close(); db.close(); });

const get = (url: string, headers: Record<string, string> = ADMIN) => app.inject({ method: 'GET', url, headers });

describe('GET /api/retention', () => {
  it('lists rows sorted by score desc by default with the list shape', async () => {
    const res = await get('/api/retention');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(6);
    expect(body.asOf).toBe('2026-03-31');
    expect(body.runId).toBe(1);
    expect(body.rows.map((r: { employee_id: string }) => r.employee_id)).toEqual(['E1', 'E4', 'E5', 'E2', 'E6', 'E3']);
    expect(body.rows[0]).toMatchObject({ full_name: 'Ada Chief', band: 'high', no_path: true, score: 75, job_family: 'Executive' });
  });

  it.each([
    ['band=high', ['E1', 'E4']],
    ['department=Sales', ['E5', 'E6']],
    ['manager=E2', ['E4', 'E2', 'E3']],
    ['path_state=on_path&sort=full_name&order=asc', ['E3', 'E6']],
    ['q=lead', ['E4']],
    ['sort=employee_id&order=asc&limit=2&offset=1', ['E2', 'E3']],
  ])('filters %s', async (qs, ids) => {
    const res = await get(`/api/retention?${qs}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().rows.map((r: { employee_id: string }) => r.employee_id)).toEqual(ids);
  });

  it.each([
    ['sort=salary', /sort/],
    ['order=up', /order/],
    ['limit=0', /limit/],
    ['limit=100001', /limit/],
    ['offset=-1', /offset/],
    ['departmnt=Sales', /unknown parameter departmnt/],
  ])('refuses %s with 400', async (qs, message) => {
    const res = await get(`/api/retention?${qs}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
  });

  it('answers Arrow with the same rows when asked', async () => {
    const json = (await get('/api/retention?sort=employee_id')).json();
    const res = await get('/api/retention?sort=employee_id', { ...ADMIN, accept: 'application/vnd.apache.arrow.stream' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(res.rawPayload);
    expect(table.numRows).toBe(json.rows.length);
    const rows = table.toArray().map((r) => r.toJSON());
    expect(rows).toEqual(json.rows);
  });

  it('scopes a manager to their subtree', async () => {
    const { headers } = await loginAs(app, 'manager', { employeeId: 'E5' });
    const res = await get('/api/retention', headers);
    expect(res.json().rows.map((r: { employee_id: string }) => r.employee_id).sort()).toEqual(['E5', 'E6']);
    const other = await get('/api/retention?manager=E2', headers);
    expect(other.statusCode).toBe(403); // never a wider list; see "a team" below
  });

  it('needs a session', async () => {
    expect((await get('/api/retention', {})).statusCode).toBe(401);
  });
});

describe('GET /api/retention/distribution', () => {
  it('bins scores by path state', async () => {
    const res = await get('/api/retention/distribution');
    expect(res.statusCode).toBe(200);
    const rows = res.json().rows;
    expect(rows).toContainEqual({ path_state: 'no_path', bin_start: 70, bin_end: 80, n: 1 });
    expect(rows).toContainEqual({ path_state: 'on_path', bin_start: 0, bin_end: 10, n: 1 });
    const n = rows.reduce((s: number, r: { n: number }) => s + r.n, 0);
    expect(n).toBe(6);
  });

  it('gives the exact mean, median and high-band share per path state, not estimates from the bins', async () => {
    // no_path scores 75, 55, 45: bins of 10 would estimate the mean as (75 + 55 + 45 + 15) / 3 = 63.3.
    expect((await get('/api/retention/distribution')).json().summary).toEqual([
      { path_state: 'no_path', n: 3, mean_score: 175 / 3, median_score: 55, high_share: 2 / 3 },
      { path_state: 'on_path', n: 2, mean_score: 5, median_score: 5, high_share: 0 },
      { path_state: 'plan_only', n: 1, mean_score: 40, median_score: 40, high_share: 0 },
    ]);
    // The filters and a manager's scope apply as to the bins.
    expect((await get('/api/retention/distribution?department=Sales')).json().summary.map((r: { mean_score: number }) => r.mean_score)).toEqual([45, 10]);
    const { headers } = await loginAs(app, 'manager', { employeeId: 'E2' });
    expect((await get('/api/retention/distribution', headers)).json().summary).toEqual([
      { path_state: 'no_path', n: 1, mean_score: 55, median_score: 55, high_share: 1 },
      { path_state: 'on_path', n: 1, mean_score: 0, median_score: 0, high_share: 0 },
      { path_state: 'plan_only', n: 1, mean_score: 40, median_score: 40, high_share: 0 },
    ]);
  });
});

// E1 ─┬─ E2 ─┬─ E3 (score 0)     E5 (45) ── E6 (10)
//     │       └─ E4 (55)
//     └─ E5
describe('a team: manager (everyone under them) and reports=direct (their direct reports)', () => {
  const ids = (res: { json: () => { rows: { employee_id: string }[] } }) => res.json().rows.map((r) => r.employee_id);
  const arrowIds = (res: { rawPayload: Buffer }) => tableFromIPC(res.rawPayload).toArray().map((r) => r.toJSON().employee_id);
  const arrow = { accept: 'application/vnd.apache.arrow.stream' };
  let e2: Record<string, string>;
  beforeAll(async () => { e2 = (await loginAs(app, 'manager', { employeeId: 'E2' })).headers; });

  it('HR picks a manager: their whole subtree, or their direct reports only', async () => {
    expect(ids(await get('/api/retention?manager=E1&reports=direct'))).toEqual(['E5', 'E2']);
    expect(ids(await get('/api/retention?manager=E2&reports=direct'))).toEqual(['E4', 'E3']);
    expect(ids(await get('/api/retention?manager=E2&reports=all'))).toEqual(['E4', 'E2', 'E3']);
    expect(ids(await get('/api/retention?manager=E2&reports=direct&band=high'))).toEqual(['E4']);
    expect(arrowIds(await get('/api/retention?manager=E2&reports=direct', { ...ADMIN, ...arrow }))).toEqual(['E4', 'E3']);
    const bins = (await get('/api/retention/distribution?manager=E1&reports=direct')).json().rows;
    expect(bins).toEqual([{ path_state: 'no_path', bin_start: 40, bin_end: 50, n: 1 }, { path_state: 'plan_only', bin_start: 40, bin_end: 50, n: 1 }]);
  });

  it('a manager chooses their whole team (the default) or their direct reports', async () => {
    expect(ids(await get('/api/retention', e2))).toEqual(['E4', 'E2', 'E3']);
    expect(ids(await get('/api/retention?reports=direct', e2))).toEqual(['E4', 'E3']);
    expect(arrowIds(await get('/api/retention?reports=direct', { ...e2, ...arrow }))).toEqual(['E4', 'E3']);
    expect(ids(await get('/api/retention?manager=E4', e2))).toEqual(['E4']); // someone in their team narrows it
    const bins = (await get('/api/retention/distribution?reports=direct', e2)).json().rows;
    expect(bins.reduce((n: number, b: { n: number }) => n + b.n, 0)).toBe(2);
  });

  it('a manager naming someone outside their subtree gets a 403 that says so, in every form', async () => {
    for (const url of ['/api/retention?manager=E5', '/api/retention?manager=E1&reports=direct', '/api/retention?manager=E6',
      '/api/retention?manager=nobody', '/api/retention/distribution?manager=E5']) {
      for (const headers of [e2, { ...e2, ...arrow }]) {
        const res = await get(url, headers);
        expect(res.statusCode, url).toBe(403);
        expect(res.json().message).toMatch(/^manager "(E5|E1|E6|nobody)" is not in your organisation/);
        expect(res.body).not.toMatch(/Di Dealer|Ed Seller/);
      }
    }
  });

  it('HR without a manager cannot ask for direct reports; bad values are a 400', async () => {
    const res = await get('/api/retention?reports=direct');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/reports=direct needs a manager/);
    expect((await get('/api/retention?manager=E2&reports=some')).statusCode).toBe(400);
    expect((await get('/api/retention/distribution?reports=direct')).statusCode).toBe(400);
  });
});

// Last in the file: it adds the retention_list mart to the shared test org (built by the real model runner,
// so with its ENUM columns).
describe('GET /api/retention from the retention_list mart', () => {
  const QUERIES = ['', 'limit=100000', 'band=high', 'department=Sales', 'manager=E2', 'order=asc', 'sort=full_name&order=asc',
    'sort=score&order=desc&limit=2&offset=1', 'limit=3', 'limit=2&offset=4', 'q=e', 'path_state=no_path&band=high',
    'department=Nowhere', 'sort=department&order=asc', 'sort=department&order=desc&band=low', 'job_family=Engineering&sort=job_family',
    'manager=E2&reports=direct', 'manager=E1&reports=direct&sort=full_name', 'reports=all'];
  const arrow = { ...ADMIN, accept: 'application/vnd.apache.arrow.stream' };
  async function answers(manager: Record<string, string>) {
    const out: unknown[] = [];
    for (const qs of QUERIES) {
      out.push((await get(`/api/retention?${qs}`)).json());
      out.push(tableFromIPC((await get(`/api/retention?${qs}`, arrow)).rawPayload).toArray().map((r) => r.toJSON()));
      out.push((await get(`/api/retention?${qs}`, manager)).json());
    }
    out.push((await get('/api/retention/distribution')).json());
    return out;
  }
  async function sql(text: string) {
    const conn = await db.connect();
    try { await exec(conn, text); } finally { conn.closeSync(); }
    invalidateCatalog();
  }

  it('answers exactly what the join answers (JSON, Arrow, manager scope, every filter, sort and page)', async () => {
    const { headers } = await loginAs(app, 'manager', { employeeId: 'E2' });
    const joined = await answers(headers);
    await buildRepoModel(db, 'retention_list');
    const conn = await db.connect();
    expect(await all(conn, `select data_type from information_schema.columns where table_name = 'retention_list' and column_name = 'department'`))
      .toEqual([{ data_type: "ENUM('Engineering', 'Executive', 'Sales')" }]);
    conn.closeSync();
    expect(await answers(headers)).toEqual(joined);
    // …and it is the mart that answered: a row taken out of it is gone from the list.
    await sql(`delete from retention_list where employee_id = 'E1'`);
    const ids = (await get('/api/retention')).json().rows.map((r: { employee_id: string }) => r.employee_id);
    expect(ids).toEqual(['E4', 'E5', 'E2', 'E6', 'E3']);
  });
});
