// A manager's succession view (spec: "In a manager's scope"): the critical roles held in their subtree
// and the candidates from it, with the org-wide formulas. Worked by hand on fixtures/orgs/succession
// (README there), plus one nomination so that a successor of a manager's role is also ready for a role
// outside their organisation; and compared with the marts over a CEO's subtree on fixtures/orgs/paths.
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, type Db } from '../../../../../pipeline/src/db.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { martShadow } from '../../../scoped.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

const ARROW = 'application/vnd.apache.arrow.stream';
type Row = Record<string, unknown>;
const byRole = (rows: Row[]) => [...rows].sort((a, b) => String(a.role_id).localeCompare(String(b.role_id)));
const byRoleAndPerson = (rows: Row[]) => [...rows].sort((a, b) =>
  `${a.role_id} ${a.employee_id}`.localeCompare(`${b.role_id} ${b.employee_id}`));

async function sql(db: Db, text: string): Promise<Row[]> {
  const conn = await db.connect();
  try { return await all(conn, text); } finally { conn.closeSync(); }
}

// B01 Tara (TL) ─┬─ B02 Sam (SSE) ─┬─ B04 Vic, B09 Abe (SE)     B07 Yan (HOP) ── B05 Wes (PM)
//                ├─ B03 Uma, B13 Eli (SSE)                       B08 Zed (COO) ── B06 Xia (AN)
//                └─ B12 Dee (TL)
// Added: B02 nominated for COO (which requires no skill → ready in 1–2 years), so B02 is ready within
// 2 years for TL (now) and COO: k = 2 org-wide, but COO is outside Tara's organisation, so k = 1 there.
describe('a manager\'s organisation (fixtures/orgs/succession)', () => {
  let app: FastifyInstance;
  let db: Db;
  let tara: Record<string, string>;
  let sam: Record<string, string>;
  let zed: Record<string, string>;
  const get = (url: string, headers: Record<string, string>, accept = 'application/json') =>
    app.inject({ url, headers: { ...headers, accept } });

  beforeAll(async () => {
    ({ app, db } = await orgServer('succession', { 'successor_nominations.csv': ['COO,B02,B08,1_2_years,2026-02-01'] }));
    tara = (await loginAs(app, 'manager', { employeeId: 'B01' })).headers;
    sam = (await loginAs(app, 'manager', { employeeId: 'B02' })).headers;
    zed = (await loginAs(app, 'manager', { employeeId: 'B08' })).headers;
  });
  afterAll(async () => { await app.close(); db.close(); });

  it('lists only the critical roles held in the subtree, counted over candidates from it', async () => {
    const roles = (await get('/api/succession/roles', tara)).json().rows;
    // TL: held by B01 and B12. ARCH and SEC are vacant, HOP and COO held outside: not Tara's.
    expect(roles.map((r: Row) => r.role_id)).toEqual(['TL']);
    // candidates B02 ready now, B03 and B04 in 1–2 years, B13 3+ years, B09 not ready; incumbents B01 low, B12 medium
    expect(roles[0]).toMatchObject({ n_incumbents: 2, n_ready_now: 1, n_ready_1_2_years: 2, n_ready_3_plus_years: 1,
      n_not_ready: 1, has_bench: true, incumbent_risk_band: 'medium' });
    // Zed holds COO; nobody under him is a candidate for it (B01, B12, B02 are Tara's)
    expect((await get('/api/succession/roles', zed)).json().rows).toEqual([expect.objectContaining({
      role_id: 'COO', n_incumbents: 1, n_ready_now: 0, n_ready_1_2_years: 0, has_bench: false, bench_strength: 0 })]);
    // Sam's team holds no critical role
    expect((await get('/api/succession/roles', sam)).json().rows).toEqual([]);
  });

  it('counts k within the organisation: a successor also ready for a role outside it weighs whole', async () => {
    const mine = (await get('/api/succession/roles', tara)).json().rows[0];
    const [org] = await sql(db, `select bench_strength from succession_roles where role_id = 'TL'`);
    // B02 is ready now (weight 1): 1/1 in Tara's TL bench, 1/2 org-wide (k = 2 with COO); B03, B04 the same in both.
    expect(mine.bench_strength - Number(org.bench_strength)).toBeCloseTo(0.5, 12);
    // Ready now 1, ready in 1–2 years ½ (December 2026): B02 1 + B03 ½ + B04 ½ = 2.
    expect(mine.bench_strength).toBeCloseTo(2, 12);
  });

  it('summarises the organisation with the org formulas', async () => {
    const tl = (await get('/api/succession/summary', tara)).json();
    // 1 role; it has a ready-now successor; 3 distinct successors within 2 years (B02, B03, B04; not B01 or
    // B12, ready only for ARCH/COO) per role; bench index min(1, bench / max(1, 2 incumbents)) = 1 either way
    expect(tl).toMatchObject({ n_critical_roles: 1, succession_readiness_rate: 1, successor_coverage: 3, bench_strength_index: 1 });
    expect(tl.successor_coverage_median).toBe(3); // the median of [3]
    expect((await get('/api/succession/summary', zed)).json()).toMatchObject({
      n_critical_roles: 1, succession_readiness_rate: 0, successor_coverage: 0, bench_strength_index: 0 });
    expect((await get('/api/succession/summary', sam)).json()).toMatchObject({
      n_critical_roles: 0, succession_readiness_rate: null, successor_coverage: null, bench_strength_index: null });
    // the overview's succession cards are the same figures
    expect((await get('/api/overview', tara)).json().succession).toMatchObject({ n_critical_roles: 1, successor_coverage: 3 });
  });

  it('lists candidates from the subtree for the organisation\'s roles only; other roles are 404', async () => {
    const rows = (await get('/api/succession/candidates?limit=1000', tara)).json().rows;
    expect(rows.map((r: Row) => `${r.role_id} ${r.employee_id}`).sort())
      .toEqual(['TL B02', 'TL B03', 'TL B04', 'TL B09', 'TL B13']); // not B01, B12 (ARCH, COO) nor B02 for COO
    const one = (await get('/api/succession/roles/TL', tara)).json();
    expect(one.candidates.map((c: Row) => c.employee_id)).toEqual(['B02', 'B04', 'B03', 'B09', 'B13']); // by readiness score: 86, 60, 54, 44, 43
    for (const [headers, role] of [[tara, 'COO'], [tara, 'ARCH'], [sam, 'TL'], [zed, 'TL']] as const) {
      const res = await get(`/api/succession/roles/${role}`, headers);
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toBe(`No critical role "${role}" in your organisation`);
    }
  });

  it('shows nobody from outside the subtree in any succession answer, JSON or Arrow', async () => {
    const outside = /\b(B05|B06|B07|B08)\b|Wes Product|Xia Analyst|Yan Head|Zed Staff/;
    for (const url of ['/api/succession/summary', '/api/succession/roles', '/api/succession/roles/TL', '/api/succession/candidates',
      '/api/succession/nine-box', '/api/succession/nine-box?performance_band=high&potential_band=moderate']) {
      for (const accept of ['application/json', ARROW]) {
        const res = await get(url, tara, accept);
        expect(res.statusCode, url).toBe(200);
        const text = String(res.headers['content-type']).includes('arrow')
          ? JSON.stringify(tableFromIPC(res.rawPayload).toArray(), (_k, v) => (typeof v === 'bigint' ? Number(v) : v))
          : res.body;
        expect(text, `${url} ${accept}`).not.toMatch(outside);
      }
    }
  });

  it('admins and leaders still get the whole organisation', async () => {
    const leader = (await loginAs(app, 'leader')).headers;
    for (const headers of [ADMIN, leader]) {
      expect((await get('/api/succession/roles', headers)).json().rows.map((r: Row) => r.role_id).sort())
        .toEqual(['ARCH', 'COO', 'HOP', 'SEC', 'TL']);
      expect((await get('/api/succession/summary', headers)).json().n_critical_roles).toBe(5);
    }
  });
});

// A01 Ada heads the whole of fixtures/orgs/paths and every critical role there (ENG3, EM1, DIR) has an
// incumbent, so her organisation is the whole organisation: her figures must be the marts'.
describe('a manager whose subtree is the whole organisation (fixtures/orgs/paths)', () => {
  let app: FastifyInstance;
  let db: Db;
  let ceo: Record<string, string>;
  beforeAll(async () => {
    ({ app, db } = await orgServer('paths'));
    ceo = (await loginAs(app, 'manager', { employeeId: 'A01' })).headers;
  });
  afterAll(async () => { await app.close(); db.close(); });
  const json = async (url: string, headers: Record<string, string>) => (await app.inject({ url, headers })).json();

  it('has the premise: one root, no vacant critical role', async () => {
    const [{ n }] = await sql(db, `select count(*)::int as n from org_closure where ancestor_id = 'A01'`);
    const [{ active }] = await sql(db, 'select count(*)::int as active from career_path_state');
    expect(n).toBe(active);
    expect(await sql(db, 'select role_id from succession_roles where n_incumbents = 0')).toEqual([]);
  });

  it('gets every column of succession_summary and succession_roles as the marts hold them', async () => {
    const [mart] = await sql(db, 'select * from succession_summary');
    const summary = await json('/api/succession/summary', ceo);
    for (const [column, value] of Object.entries(summary)) {
      if (column in mart) expect(value, column).toEqual(mart[column] === null ? null : Number(mart[column]));
    }
    expect(summary.n_critical_roles).toBe(3);
    const roles = byRole((await json('/api/succession/roles', ceo)).rows);
    const martRoles = byRole(await sql(db, 'select * from succession_roles'));
    expect(roles.map((r) => r.role_id)).toEqual(martRoles.map((r) => r.role_id));
    roles.forEach((r, i) => {
      for (const [column, value] of Object.entries(r)) {
        if (column in martRoles[i]) expect(value, `${r.role_id}.${column}`).toEqual(martRoles[i][column]);
      }
    });
  });

  it('gets the same answers as an admin', async () => {
    for (const url of ['/api/succession/summary', '/api/succession/roles', '/api/succession/roles/ENG3']) {
      expect(await json(url, ceo), url).toEqual(await json(url, ADMIN));
    }
    expect(byRoleAndPerson((await json('/api/succession/candidates?limit=1000', ceo)).rows))
      .toEqual(byRoleAndPerson((await json('/api/succession/candidates?limit=1000', ADMIN)).rows));
  });
});

describe('martShadow', () => {
  it('refuses a mart that would read a table with no scoped version', () => {
    expect(() => martShadow('succession_roles', [{ name: 'stg_roles', sql: 'select 1' }]))
      .toThrow(/succession_roles\.sql reads int_employees_active, retention_risk, succession_candidates, which has no scoped version/);
  });
});
