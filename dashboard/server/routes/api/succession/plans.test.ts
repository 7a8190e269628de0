// Saved succession plans through real HTTP on fixtures/orgs/succession (README there) loaded by the real
// pipeline: create, edit, versions in plain words, 409 on a stale save (nothing overwritten), validation,
// scope per role (managers read their subtree's roles, with outsiders hidden; only admins and leaders
// write), audit, CSRF; decided readiness against the evidence.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, type Db } from '../../../../../pipeline/src/db.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

type Body = Record<string, unknown>;

// B01 Tara (TL) ─┬─ B02 Sam (SSE) ─┬─ B04 Vic, B09 Abe (SE)     B07 Yan (HOP) ── B05 Wes (PM)
//                ├─ B03 Uma, B13 Eli (SSE)                       B08 Zed (COO) ── B06 Xia (AN)
//                └─ B12 Dee (TL)
describe('saved succession plans (fixtures/orgs/succession)', () => {
  let app: FastifyInstance;
  let db: Db;
  let leader: Record<string, string>;
  let admin: Record<string, string>;
  let tara: Record<string, string>;
  let zed: Record<string, string>;
  const put = (role: string, payload: Body, headers = leader) =>
    app.inject({ method: 'PUT', url: `/api/succession/plans/${role}`, headers, payload });
  const get = (url: string, headers = leader) => app.inject({ url, headers });

  beforeAll(async () => {
    ({ app, db } = await orgServer('succession'));
    leader = (await loginAs(app, 'leader', { username: 'lena' })).headers;
    admin = (await loginAs(app, 'admin', { username: 'ada' })).headers;
    tara = (await loginAs(app, 'manager', { employeeId: 'B01', username: 'tara' })).headers;
    zed = (await loginAs(app, 'manager', { employeeId: 'B08', username: 'zed' })).headers;
  });
  afterAll(async () => { await app.close(); db.close(); });

  it('creates a plan (base_version 0): version 1, names, evidence and the calibration of each decision', async () => {
    expect((await get('/api/succession/plans/TL')).json()).toEqual({ plan: null, canEdit: true });
    const res = await put('TL', {
      base_version: 0, notes: 'Tara retires in 2027', emergency_successor_id: 'B12',
      successors: [
        { employee_id: 'B02', decided_readiness: '3_plus_years', actions: [] },
        { employee_id: 'B13', decided_readiness: '1_2_years', actions: [{ action: 'Shadow the architecture review', due_on: '2026-06-30', done: false }] },
        { employee_id: 'B03', decided_readiness: '1_2_years' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const plan = res.json().plan;
    expect(plan).toMatchObject({ role_id: 'TL', title: 'Tech Lead', version: 1, notes: 'Tara retires in 2027',
      emergency_successor_id: 'B12', emergency_successor_name: 'Dee Lead', updated_by: 'lena' });
    // evidence (expected/succession_candidates.csv): B02 ready now, B13 3+ years, B03 1–2 years
    expect(plan.successors).toEqual([
      { employee_id: 'B02', name: 'Sam Ready', current_role_id: 'SSE', current_title: 'Senior Engineer', decided_readiness: '3_plus_years',
        evidence_readiness: 'ready_now', calibration: 'decided_later', actions: [] },
      { employee_id: 'B13', name: 'Eli Half', current_role_id: 'SSE', current_title: 'Senior Engineer', decided_readiness: '1_2_years',
        evidence_readiness: 'ready_3_plus_years', calibration: 'decided_earlier',
        actions: [{ action: 'Shadow the architecture review', due_on: '2026-06-30', done: false }] },
      { employee_id: 'B03', name: 'Uma Nominee', current_role_id: 'SSE', current_title: 'Senior Engineer', decided_readiness: '1_2_years',
        evidence_readiness: 'ready_1_2_years', calibration: 'agrees', actions: [] },
    ]);
    expect((await get('/api/succession/plans/TL')).json()).toEqual({ plan, canEdit: true });
  });

  it('a successor who is no candidate has no evidence and no calibration', async () => {
    const res = await put('ARCH', { base_version: 0, notes: null, emergency_successor_id: null, successors: [
      { employee_id: 'B01', decided_readiness: '1_2_years', actions: [] },
      { employee_id: 'B12', decided_readiness: '1_2_years', actions: [] },
      { employee_id: 'B05', decided_readiness: '3_plus_years', actions: [] }, // PM: no path, nomination or feeder into ARCH
    ] }, admin);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().plan.successors.map((s: Body) => [s.employee_id, s.evidence_readiness, s.calibration])).toEqual([
      ['B01', 'ready_1_2_years', 'agrees'], ['B12', 'ready_1_2_years', 'agrees'], ['B05', null, null]]);
  });

  it('an edit on the current version is the next version; its changes are listed in plain words, newest first', async () => {
    const res = await put('TL', {
      base_version: 1, notes: 'Tara retires in 2027', emergency_successor_id: 'B02',
      successors: [
        { employee_id: 'B13', decided_readiness: '1_2_years', actions: [{ action: 'Shadow the architecture review', due_on: '2026-06-30', done: true }] },
        { employee_id: 'B02', decided_readiness: '3_plus_years', actions: [] },
        { employee_id: 'B04', decided_readiness: 'ready_now', actions: [] },
      ],
    }, admin);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().plan).toMatchObject({ version: 2, updated_by: 'ada', emergency_successor_id: 'B02' });
    const versions = (await get('/api/succession/plans/TL/versions')).json().versions;
    expect(versions.map((v: Body) => [v.version, v.changed_by, v.changes])).toEqual([
      [2, 'ada', [
        'changed the development actions of Eli Half',
        'added Vic Unreviewed as ready now',
        'removed Uma Nominee',
        'reordered the successors',
        'changed the emergency successor from Dee Lead to Sam Ready',
      ]],
      [1, 'lena', [
        'created the plan',
        'added Sam Ready as ready in 3+ years',
        'added Eli Half as ready in 1–2 years',
        'added Uma Nominee as ready in 1–2 years',
        'made Dee Lead the emergency successor',
        'changed notes',
      ]],
    ]);
    expect(versions[0].changed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('saving what is stored writes no version', async () => {
    const before = (await get('/api/succession/plans/TL')).json().plan;
    const res = await put('TL', { base_version: 2, notes: before.notes, emergency_successor_id: 'B02',
      successors: before.successors.map((s: Body) => ({ employee_id: s.employee_id, decided_readiness: s.decided_readiness, actions: s.actions })) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().plan.version).toBe(2);
    expect((await get('/api/succession/plans/TL/versions')).json().versions).toHaveLength(2);
  });

  it('two people editing the same version: the second save gets 409 with the other version, nothing is overwritten', async () => {
    const first = await put('TL', { base_version: 2, notes: 'first', emergency_successor_id: 'B02', successors: [
      { employee_id: 'B13', decided_readiness: '1_2_years', actions: [] }] });
    expect(first.statusCode, first.body).toBe(200);
    const second = await put('TL', { base_version: 2, notes: 'second', emergency_successor_id: null, successors: [] }, admin);
    expect(second.statusCode).toBe(409);
    const body = second.json();
    expect(body).toMatchObject({ error: 'conflict', statusCode: 409 });
    expect(body.message).toMatch(/changed by lena .*version 3; you edited version 2\): nothing was saved/);
    expect(body.current).toMatchObject({ version: 3, notes: 'first', updated_by: 'lena', successors: [expect.objectContaining({ employee_id: 'B13' })] });
    expect((await get('/api/succession/plans/TL')).json().plan).toEqual(body.current);
    expect((await get('/api/succession/plans/TL/versions')).json().versions.map((v: Body) => v.version)).toEqual([3, 2, 1]);
    // creating a plan that exists is a conflict too; editing one that does not, as well
    expect((await put('TL', { base_version: 0, successors: [] })).statusCode).toBe(409);
    const none = await put('HOP', { base_version: 4, successors: [] });
    expect(none.statusCode).toBe(409);
    expect(none.json().current).toBeNull();
  });

  it('two saves of the same version sent at once: exactly one is stored, the other gets 409 with it', async () => {
    const body = (notes: string) => ({ base_version: 0, notes, successors: [{ employee_id: 'B06', decided_readiness: '1_2_years' }] });
    const [a, b] = await Promise.all([put('COO', body('from lena')), put('COO', body('from ada'), admin)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const [won, lost] = a.statusCode === 200 ? [a, b] : [b, a];
    expect(lost.json().current).toEqual(won.json().plan);
    expect((await get('/api/succession/plans/COO')).json().plan).toEqual(won.json().plan);
    expect((await get('/api/succession/plans/COO/versions')).json().versions).toHaveLength(1);
  });

  it.each([
    ['SSE', { employee_id: 'B04', decided_readiness: 'ready_now' }, /"SSE" is not a critical role/],
    ['NOPE', { employee_id: 'B04', decided_readiness: 'ready_now' }, /"NOPE" is not a known role/],
    ['HOP', { employee_id: 'X99', decided_readiness: 'ready_now' }, /successor "X99" is not an active employee/],
    ['HOP', { employee_id: 'B10', decided_readiness: 'ready_now' }, /successor "B10" is not an active employee/], // left before as_of
    ['HOP', { employee_id: 'B07', decided_readiness: 'ready_now' }, /successor "B07" already holds HOP/],
    ['HOP', { employee_id: 'B05', decided_readiness: 'ready_1_2_years' }, /successors\.0\.decided_readiness/],
    ['HOP', { employee_id: 'B05', decided_readiness: 'ready_now', actions: [{ action: 'x', due_on: '2026-02-30', done: false }] }, /due_on "2026-02-30" .* is not a date/],
    ['HOP', { employee_id: 'B05', decided_readiness: 'ready_now', actions: [{ action: '  ', due_on: null, done: false }] }, /an action for "B05" is empty/],
  ])('refuses a plan for %s with %j: 400 %s', async (role, successor, message) => {
    const res = await put(role, { base_version: 0, successors: [successor] });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().message).toMatch(message);
  });

  it('refuses a duplicate successor and an unknown emergency successor; nothing is written', async () => {
    const dup = await put('HOP', { base_version: 0, successors: [
      { employee_id: 'B05', decided_readiness: 'ready_now' }, { employee_id: 'B05', decided_readiness: '1_2_years' }] });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().message).toMatch(/successor "B05" is listed twice/);
    const emergency = await put('HOP', { base_version: 0, emergency_successor_id: 'B11', successors: [] }); // hired after as_of
    expect(emergency.statusCode).toBe(400);
    expect(emergency.json().message).toMatch(/emergency successor "B11" is not an active employee/);
    expect((await get('/api/succession/plans/HOP')).json().plan).toBeNull();
  });

  it('a manager reads the plans of the roles held in their subtree, with people outside it hidden, and cannot write', async () => {
    // B06 (Xia, under Zed) added to TL: outside Tara's subtree
    const cur = (await get('/api/succession/plans/TL')).json().plan;
    const res = await put('TL', { base_version: cur.version, notes: cur.notes, emergency_successor_id: 'B06', successors: [
      ...cur.successors.map((s: Body) => ({ employee_id: s.employee_id, decided_readiness: s.decided_readiness, actions: s.actions })),
      { employee_id: 'B06', decided_readiness: '3_plus_years', actions: [{ action: 'Rotation in engineering', due_on: null, done: false }] }] });
    expect(res.statusCode, res.body).toBe(200);

    // TL is held by B01 and B12 (Tara's); ARCH is vacant, so in no manager's organisation
    expect((await get('/api/succession/plans', tara)).json().plans).toEqual([
      { role_id: 'TL', title: 'Tech Lead', version: 4, updated_at: expect.any(String), updated_by: 'lena', n_successors: 2, emergency_successor_id: null }]);
    const seen = (await get('/api/succession/plans/TL', tara)).json();
    expect(seen.canEdit).toBe(false);
    expect(seen.plan).toMatchObject({ emergency_successor_id: null, emergency_successor_name: 'someone outside your organisation' });
    expect(seen.plan.successors).toEqual([
      expect.objectContaining({ employee_id: 'B13', name: 'Eli Half', evidence_readiness: 'ready_3_plus_years' }),
      { employee_id: null, name: 'someone outside your organisation', current_role_id: null, current_title: null,
        decided_readiness: '3_plus_years', evidence_readiness: null, calibration: null, actions: [] },
    ]);
    const history = JSON.stringify((await get('/api/succession/plans/TL/versions', tara)).json());
    expect(history).toContain('added someone outside your organisation as ready in 3+ years');
    expect(history).not.toMatch(/B06|Xia|B08|Zed/);
    expect(JSON.stringify(seen)).not.toMatch(/B06|Xia/);
    // a leader sees them
    expect((await get('/api/succession/plans/TL')).json().plan.successors[1]).toMatchObject({ employee_id: 'B06', name: 'Xia Analyst' });

    for (const url of ['/api/succession/plans/ARCH', '/api/succession/plans/ARCH/versions', '/api/succession/plans/HOP']) {
      expect((await get(url, tara)).statusCode, url).toBe(404);
    }
    expect((await get('/api/succession/plans/TL', zed)).statusCode).toBe(404);
    // Zed holds COO: its plan (Xia, his report, by name) and nothing else
    expect((await get('/api/succession/plans', zed)).json().plans.map((p: Body) => p.role_id)).toEqual(['COO']);
    expect((await get('/api/succession/plans/COO', zed)).json().plan.successors).toEqual([
      expect.objectContaining({ employee_id: 'B06', name: 'Xia Analyst', decided_readiness: '1_2_years' })]);
    const write = await put('TL', { base_version: 4, successors: [] }, tara);
    expect(write.statusCode).toBe(403);
    expect((await get('/api/succession/plans/TL/what-if?successor=B13', tara)).statusCode).toBe(403);
    expect((await get('/api/succession/plans/TL')).json().plan.version).toBe(4);
  });

  it('every save is in the audit log with what changed; a cross-site save is refused', async () => {
    const res = await get('/api/audit?target=TL&limit=100', ADMIN);
    const rows = res.json().rows.filter((r: Body) => String(r.action).startsWith('plan_'));
    expect(rows.map((r: Body) => [r.action, r.username, JSON.parse(String(r.detail)).version])).toEqual([
      ['plan_edit', 'lena', 4], ['plan_edit', 'lena', 3], ['plan_edit', 'ada', 2], ['plan_create', 'lena', 1]]);
    expect(JSON.parse(rows[0].detail).changes).toEqual([
      'added Xia Analyst (B06) as ready in 3+ years', 'changed the emergency successor from Sam Ready (B02) to Xia Analyst (B06)']);

    const cross = await app.inject({ method: 'PUT', url: '/api/succession/plans/TL', headers: { cookie: leader.cookie, origin: 'https://evil.example' },
      payload: { base_version: 4, successors: [] } });
    expect(cross.statusCode).toBe(403);
    const noOrigin = await app.inject({ method: 'PUT', url: '/api/succession/plans/TL', headers: { cookie: leader.cookie },
      payload: { base_version: 4, successors: [] } });
    expect(noOrigin.statusCode).toBe(403);
    expect((await get('/api/succession/plans/TL')).json().plan.version).toBe(4);
  });

  it('lists every saved decision that disagrees with the evidence; a manager only their roles and people', async () => {
    // COO (held by Zed): Tara decided ready now (evidence 1–2 years: earlier), Dee 3+ years (evidence 1–2 years: later)
    const coo = (await get('/api/succession/plans/COO')).json().plan;
    const res = await put('COO', { base_version: coo.version, notes: coo.notes, emergency_successor_id: null, successors: [
      ...coo.successors.map((s: Body) => ({ employee_id: s.employee_id, decided_readiness: s.decided_readiness, actions: s.actions })),
      { employee_id: 'B01', decided_readiness: 'ready_now', actions: [] },
      { employee_id: 'B12', decided_readiness: '3_plus_years', actions: [] }] });
    expect(res.statusCode, res.body).toBe(200);
    const row = (r: Body) => [r.role_id, r.employee_id, r.decided_readiness, r.evidence_readiness, r.calibration];
    // TL v4: Eli 1–2 years vs 3+ (earlier), Xia no candidate (no evidence); ARCH: both agree, Wes no evidence;
    // COO: Xia no candidate, then the two above
    const all = (await get('/api/succession/disagreements')).json().rows;
    expect(all.map(row)).toEqual([
      ['COO', 'B01', 'ready_now', 'ready_1_2_years', 'decided_earlier'],
      ['COO', 'B12', '3_plus_years', 'ready_1_2_years', 'decided_later'],
      ['TL', 'B13', '1_2_years', 'ready_3_plus_years', 'decided_earlier'],
    ]);
    expect(all[0]).toEqual({ role_id: 'COO', title: expect.any(String), version: coo.version + 1, employee_id: 'B01', name: 'Tara Lead',
      current_role_id: 'TL', current_title: 'Tech Lead', decided_readiness: 'ready_now', evidence_readiness: 'ready_1_2_years',
      calibration: 'decided_earlier', decided_on: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    // each row is what the role's own plan says
    for (const r of all) {
      const plan = (await get(`/api/succession/plans/${r.role_id}`)).json().plan;
      expect(plan.successors.find((s: Body) => s.employee_id === r.employee_id)).toMatchObject({
        decided_readiness: r.decided_readiness, evidence_readiness: r.evidence_readiness, calibration: r.calibration });
    }
    expect((await get('/api/succession/disagreements', admin)).json().rows).toEqual(all);
    // Tara: TL only (COO is not held in her subtree, although Tara and Dee are hers)
    expect((await get('/api/succession/disagreements', tara)).json().rows.map(row)).toEqual([
      ['TL', 'B13', '1_2_years', 'ready_3_plus_years', 'decided_earlier']]);
    // Zed reads COO's plan, but Tara and Dee are outside his subtree: no evidence shown, so no disagreement
    const zedSees = await get('/api/succession/disagreements', zed);
    expect(zedSees.statusCode).toBe(200);
    expect(zedSees.json().rows).toEqual([]);
    expect(zedSees.body).not.toMatch(/B01|B12|Tara|Dee/);
    expect((await get('/api/succession/plans/COO', zed)).json().plan.successors.map((s: Body) => s.calibration)).toEqual([null, null, null]);
    const employee = (await loginAs(app, 'employee', { employeeId: 'B13', username: 'eli' })).headers;
    expect((await get('/api/succession/disagreements', employee)).statusCode).toBe(403);
  });

  it('stores what it answers: the app tables hold the current plan and every version', async () => {
    const conn = await db.connect();
    try {
      expect(await all(conn, "select version::int as v, changed_by from succession_plan_versions where role_id = 'TL' order by version"))
        .toEqual([{ v: 1, changed_by: 'lena' }, { v: 2, changed_by: 'ada' }, { v: 3, changed_by: 'lena' }, { v: 4, changed_by: 'lena' }]);
      expect(await all(conn, "select nominee_id, readiness from succession_plans where role_id = 'TL' order by nominee_id"))
        .toEqual([{ nominee_id: 'B06', readiness: '3_plus_years' }, { nominee_id: 'B13', readiness: '1_2_years' }]);
    } finally {
      conn.closeSync();
    }
  });
});
