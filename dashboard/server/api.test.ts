// Every analytic route on a real org loaded through runPipeline: answers compared with SQL over the
// marts, manager scope, Arrow = JSON, 400s and 404s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import { all, type Db } from '../../pipeline/src/db.ts';
import { loginAs } from './auth/test-helpers.ts';
import { ADMIN, orgServer } from './test-org.ts';

let app: FastifyInstance;
let db: Db;
let asOf: string;
let manager: Record<string, string>;
let leader: Record<string, string>;
const MANAGER_ROOT = 'A03'; // Cleo: A06, A07 (A11 until 2026-07-31) report to her

beforeAll(async () => {
  ({ app, db, asOf } = await orgServer('paths'));
  manager = (await loginAs(app, 'manager', { employeeId: MANAGER_ROOT })).headers;
  leader = (await loginAs(app, 'leader')).headers;
});
afterAll(async () => { await app.close(); db.close(); });

const get = (url: string, headers: Record<string, string> = ADMIN) => app.inject({ method: 'GET', url, headers });
async function sql<T = Record<string, unknown>>(text: string, params?: Record<string, string>): Promise<T[]> {
  const conn = await db.connect();
  try { return (await all(conn, text, params)) as T[]; } finally { conn.closeSync(); }
}
const ids = (rows: { employee_id: string }[]) => rows.map((r) => r.employee_id).sort();
async function subtree(root: string): Promise<string[]> {
  return (await sql<{ employee_id: string }>('select employee_id from org_closure where ancestor_id = $r', { r: root })).map((r) => r.employee_id).sort();
}

describe('system', () => {
  it('health is public, meta tells the run and the user', async () => {
    expect((await get('/api/health', {})).json()).toEqual({ status: 'ok' });
    const meta = (await get('/api/meta')).json();
    expect(meta.asOf).toBe(asOf);
    expect(meta.lastRun.status).toBe('succeeded');
    expect(meta.user.role).toBe('admin');
  });
  it('serves the OpenAPI document listing the routes', async () => {
    const doc = (await get('/api/docs')).json();
    expect(doc.openapi).toMatch(/^3/);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/retention/', '/api/employees/{id}', '/api/export/{table}']));
  });
  it('unknown API paths are a JSON 404, other GETs say the SPA is not built', async () => {
    expect((await get('/api/nope')).statusCode).toBe(404);
    const page = await get('/some/page', {});
    expect(page.statusCode).toBe(404);
    expect(page.body).toMatch(/npm run build/);
  });
});

describe('career paths and employees', () => {
  it('lists every active employee with path state, matching the mart', async () => {
    const body = (await get('/api/career-paths?limit=1000')).json();
    const mart = await sql<{ employee_id: string; path_state: string }>('select employee_id, path_state from career_path_state');
    expect(body.total).toBe(mart.length);
    expect(ids(body.rows)).toEqual(ids(mart));
    const one = body.rows.find((r: { employee_id: string }) => r.employee_id === 'A03');
    expect(one.path_state).toBe(mart.find((m) => m.employee_id === 'A03')!.path_state);
    expect(Array.isArray(one.path_targets)).toBe(true);
  });
  it('a manager sees only their subtree', async () => {
    const body = (await get('/api/career-paths', manager)).json();
    expect(ids(body.rows)).toEqual(await subtree(MANAGER_ROOT));
  });
  it('search by name', async () => {
    const body = (await get('/api/employees?q=cleo')).json();
    expect(body.rows.map((r: { employee_id: string }) => r.employee_id)).toEqual(['A03']);
  });
  it('profile: role, manager, path, gaps, reviews, pulse, risk', async () => {
    const res = await get('/api/employees/A03');
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p.employee.full_name).toBe('Cleo Senior');
    expect(p.role.role_id).toBe('ENG3');
    expect(p.manager).toEqual({ employee_id: 'A02', full_name: 'Ben Manager' });
    const gaps = await sql('select * from skill_gaps_employee where employee_id = $id', { id: 'A03' });
    expect(p.gaps).toHaveLength(gaps.length);
    const risk = await sql<{ score: number }>('select score::int as score from retention_risk where employee_id = $id', { id: 'A03' });
    expect(p.risk.score).toBe(risk[0].score);
  });
  it('profile: unknown id and out-of-scope id are 404, bad id is 400', async () => {
    expect((await get('/api/employees/NOPE')).statusCode).toBe(404);
    expect((await get('/api/employees/A08', manager)).statusCode).toBe(404);
    expect((await get('/api/employees/A06', manager)).statusCode).toBe(200);
    expect((await get(`/api/employees/${encodeURIComponent("x';drop table runs;--")}`)).statusCode).toBe(400);
  });
});

describe('retention', () => {
  it('joins risk to path state, high band filter matches the mart', async () => {
    const body = (await get('/api/retention?band=high&limit=1000')).json();
    const mart = await sql<{ employee_id: string }>(`select employee_id from retention_risk where band = 'high'`);
    expect(ids(body.rows)).toEqual(ids(mart));
  });
  it('Arrow answer carries the same rows as JSON', async () => {
    const json = (await get('/api/retention?sort=employee_id&order=asc')).json();
    const res = await get('/api/retention?sort=employee_id&order=asc', { ...ADMIN, accept: 'application/vnd.apache.arrow.stream' });
    const rows = tableFromIPC(res.rawPayload).toArray().map((r) => r.toJSON());
    expect(rows).toEqual(json.rows);
  });
});

describe('skill gaps', () => {
  it('org view by department matches the mart; a manager gets subtree figures', async () => {
    const body = (await get('/api/skill-gaps/org?scope=department&limit=1000')).json();
    const mart = await sql<{ n: number }>(`select count(*)::int as n from skill_gaps_org where scope = 'department'`);
    expect(body.total).toBe(mart[0].n);
    const mine = (await get('/api/skill-gaps/org?scope=company&limit=1000', manager)).json();
    const expected = await sql<{ skill_id: string; n: number }>(`select skill_id, count(distinct employee_id)::int as n
      from skill_gaps_employee where target_kind = 'current'
      and employee_id in (select employee_id from org_closure where ancestor_id = $r) group by skill_id`, { r: MANAGER_ROOT });
    expect(mine.rows.map((r: { skill_id: string; employees_requiring: number }) => [r.skill_id, r.employees_requiring]).sort())
      .toEqual(expected.map((e) => [e.skill_id, e.n]).sort());
    expect((await get('/api/skill-gaps/org?scope=team')).statusCode).toBe(400);
  });
  it('employee gap rows filter by target kind', async () => {
    const body = (await get('/api/skill-gaps/employees?target_kind=current&limit=1000')).json();
    const mart = await sql<{ n: number }>(`select count(*)::int as n from skill_gaps_employee where target_kind = 'current'`);
    expect(body.total).toBe(mart[0].n);
    expect(body.rows.every((r: { target_kind: string }) => r.target_kind === 'current')).toBe(true);
  });
  it('coverage rows', async () => {
    const body = (await get('/api/skill-gaps/coverage?limit=1000')).json();
    const mart = await sql<{ n: number }>('select count(*)::int as n from role_coverage');
    expect(body.total).toBe(mart[0].n);
  });
});

describe('succession', () => {
  it('summary equals the mart for admins', async () => {
    const body = (await get('/api/succession/summary')).json();
    const [mart] = await sql<{ n: number; rate: number }>('select n_critical_roles::int as n, succession_readiness_rate::double as rate from succession_summary');
    expect(body.n_critical_roles).toBe(mart.n);
    expect(body.succession_readiness_rate).toBeCloseTo(mart.rate ?? 0, 9);
  });
  it('roles list the critical roles; one role with ranked candidates; unknown role 404', async () => {
    const body = (await get('/api/succession/roles')).json();
    const mart = await sql<{ role_id: string }>('select role_id from succession_roles');
    expect(body.rows.map((r: { role_id: string }) => r.role_id).sort()).toEqual(mart.map((m) => m.role_id).sort());
    const one = (await get(`/api/succession/roles/${mart[0].role_id}`)).json();
    expect(one.role.role_id).toBe(mart[0].role_id);
    const scores = one.candidates.map((c: { readiness_score: number }) => c.readiness_score);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
    expect((await get('/api/succession/roles/ENG1')).statusCode).toBe(404);
  });
  it('a manager sees only candidates from their subtree', async () => {
    const body = (await get('/api/succession/candidates?limit=1000', manager)).json();
    const mine = await subtree(MANAGER_ROOT);
    expect(body.rows.every((r: { employee_id: string }) => mine.includes(r.employee_id))).toBe(true);
  });
  it('nine-box cells count the mart; drill list needs both bands', async () => {
    const body = (await get('/api/succession/nine-box')).json();
    const [mart] = await sql<{ n: number }>('select count(*)::int as n from nine_box where performance_band is not null and potential_band is not null');
    expect(body.cells.reduce((s: number, c: { n: number }) => s + c.n, 0)).toBe(mart.n);
    expect(body.rows).toEqual([]); // the people of a cell only with both bands
    const cell = body.cells[0];
    if (cell) {
      const drill = (await get(`/api/succession/nine-box?performance_band=${cell.performance_band}&potential_band=${cell.potential_band}`)).json();
      expect(drill.rows).toHaveLength(cell.n);
    }
    expect((await get('/api/succession/nine-box?performance_band=huge')).statusCode).toBe(400);
  });
});

describe('goals, talent needs, framework, overview', () => {
  it('alignment company row equals the mart', async () => {
    const body = (await get('/api/goals/alignment?scope=company')).json();
    const [mart] = await sql<{ n: number }>(`select n_live_goals::int as n from goal_alignment where scope = 'company'`);
    expect(body.rows[0].n_live_goals).toBe(mart.n);
  });
  it('objectives and orphans answer lists', async () => {
    expect((await get('/api/goals/objectives')).statusCode).toBe(200);
    const orphans = (await get('/api/goals/orphans?limit=1000')).json();
    const [mart] = await sql<{ n: number }>('select count(*)::int as n from int_goals_linked where not is_aligned and not is_path_linked');
    expect(orphans.total).toBe(mart.n);
  });
  it('talent needs per role', async () => {
    const body = (await get('/api/talent-needs?limit=1000')).json();
    const mart = await sql<{ n: number }>('select count(*)::int as n from talent_needs');
    expect(body.total).toBe(mart[0].n);
  });
  it('framework filtered by job family', async () => {
    const body = (await get('/api/framework?job_family=Design')).json();
    expect(body.roles.map((r: { role_id: string }) => r.role_id)).toEqual(['DES1']);
    expect(body.job_families).toEqual(expect.arrayContaining(['Design', 'Engineering', 'Operations']));
  });
  it('overview: headcount and path states from the mart; a manager gets their subtree', async () => {
    const body = (await get('/api/overview')).json();
    const [mart] = await sql<{ n: number }>('select count(*)::int as n from career_path_state');
    expect(body.headcount).toBe(mart.n);
    expect(body.pathStates.reduce((s: number, p: { n: number }) => s + p.n, 0)).toBe(mart.n);
    const mine = (await get('/api/overview', manager)).json();
    expect(mine.headcount).toBe((await subtree(MANAGER_ROOT)).length);
    expect(mine.trend).toEqual([]);
  });
  it('leaders read analytics but not the pipeline', async () => {
    expect((await get('/api/overview', leader)).statusCode).toBe(200);
    expect((await get('/api/pipeline/runs', leader)).statusCode).toBe(403);
  });
});
