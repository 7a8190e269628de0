// GET /api/employees/:id/brief over fixtures/orgs/succession through the real pipeline (as of 2026-03-31;
// the people are described in that org's README): figures worked out by hand from its CSVs, the profile's
// scope rules, and never a risk score or band in the answer.
import type { FastifyInstance } from 'fastify';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, type Db } from '../../../../../pipeline/src/db.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
let dir: string;
beforeAll(async () => ({ app, db, dir } = await orgServer('succession')));
afterAll(async () => { await app?.close(); db?.close(); if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

const brief = async (id: string, headers: Record<string, string> = ADMIN) => app.inject({ url: `/api/employees/${id}/brief`, headers });
const json = async (id: string) => {
  const res = await brief(id);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const rules = (b: { talkingPoints: { rule: string }[] }) => b.talkingPoints.map((p) => p.rule);
async function sql<T = Record<string, unknown>>(text: string, params?: Record<string, string>): Promise<T[]> {
  const conn = await db.connect();
  try { return await all(conn, text, params) as T[]; } finally { conn.closeSync(); }
}

describe('GET /api/employees/:id/brief', () => {
  it('B02 Sam: on path to Tech Lead with nothing to close, stalled 45 months with performance 4', async () => {
    const b = await json('B02');
    expect(b.employee).toEqual({ employee_id: 'B02', full_name: 'Sam Ready', department: 'Engineering', location: 'Oslo', hire_date: '2022-06-01' });
    // role_start_date defaults to the hire date: 2022-06-01 → 2026-03-31 is 45 complete months
    expect(b.role).toEqual({ role_id: 'SSE', title: 'Senior Engineer', job_family: 'Engineering', level: 3, track: 'ic',
      role_start_date: '2022-06-01', months_in_role: 45, months_since_promotion: 45 });
    expect(b.manager).toEqual({ employee_id: 'B01', full_name: 'Tara Lead' });
    expect(b.path.path_state).toBe('on_path');
    expect(b.path.meaning).toMatch(/backed by at least one linked live goal/);
    expect(b.path.targets).toEqual([{ role_id: 'TL', title: 'Tech Lead', target_kind: 'path', coverage: 1, gaps: [] }]);
    expect(b.goals).toEqual([{ goal_id: 'H2', title: 'Lead a project', status: 'on_track', progress: 50, due_on: null,
      target_role_id: 'TL', skill_id: null, is_linked: true, is_overdue: false }]);
    expect(b.review).toEqual({ cycle: '2025-H2', performance: 4, potential: 2, reviewed_on: '2025-12-15' });
    expect(b.checkIns).toEqual({ last_check_in: '2026-03-24', career_discussions: ['2026-03-24'], pulse_recent: null,
      pulse_prior: null, trend: null, pulses: [{ week_of: '2026-03-24', pulse: 4 }] });
    expect(b.succession).toEqual({ nominations: [], plans: [] });
    expect(b.talkingPoints).toEqual([{ rule: 'stalled_high_performer',
      text: 'Discuss the next level and a date: 45 months since the last promotion (or hire) with a latest performance of 4.' }]);
    expect(b.asOf).toBe('2026-03-31');
  });

  it('the suggested moves are mobility_matches, in rank order', async () => {
    const b = await json('B03');
    const mart = await sql<{ role_id: string }>(`select role_id from mobility_matches where employee_id = 'B03' order by rank`);
    expect(mart.length).toBeGreaterThan(0);
    expect(b.suggestions.map((s: { role_id: string }) => s.role_id)).toEqual(mart.map((m) => m.role_id));
    expect(b.suggestions.map((s: { rank: number }) => s.rank)).toEqual(mart.map((_m, i) => i + 1));
  });

  it('B03 Uma: no path (next step Tech Lead and its gaps), stalled at performance 3, nominated ready now', async () => {
    const b = await json('B03');
    expect(b.path.path_state).toBe('no_path');
    // TL: Coding 4×2, Architecture 3×2, Mentoring 2×1 against 3, 2, 1 → 11/16; importance, then gap, then id
    expect(b.path.targets).toEqual([{ role_id: 'TL', title: 'Tech Lead', target_kind: 'default_next', coverage: 0.6875, gaps: [
      { skill_id: 'ARCHI', skill_name: 'Architecture', current_level: 2, required_level: 3, gap: 1 },
      { skill_id: 'CODE', skill_name: 'Coding', current_level: 3, required_level: 4, gap: 1 },
      { skill_id: 'MENT', skill_name: 'Mentoring', current_level: 1, required_level: 2, gap: 1 },
    ] }]);
    // nominated ready now for TL on 2026-01-10; the evidence says 1–2 years (0.6875 < 0.85)
    expect(b.succession.nominations).toEqual([{ role_id: 'TL', title: 'Tech Lead', nominated_readiness: 'ready_now',
      nominated_on: '2026-01-10', readiness: 'ready_1_2_years' }]);
    expect(rules(b)).toEqual(['stalled', 'no_path', 'nominated']);
    const first = b.suggestions[0];
    expect(b.talkingPoints[1].text).toBe(`Agree a target role: no career plan or live goal names one. A suggested move to start from: ${first.title}${first.skills_to_close ? ` (to close: ${first.skills_to_close})` : ''}.`);
    expect(b.talkingPoints[2].text).toBe('Talk about readiness for Tech Lead (nominated ready now): what is left to close.');
  });

  it('B07 Yan: top of the ladder, low pulse, lapsed check-ins, no career talk since 2025-10-02', async () => {
    const b = await json('B07');
    expect(b.path.path_state).toBe('top_of_ladder');
    expect(b.manager).toBeNull();
    // (2026-02-03, 2026-03-31]: 2026-02-10 and 2026-02-17, pulse 2 each; the 56 days before: none
    expect(b.checkIns).toEqual({ last_check_in: '2026-02-17', career_discussions: ['2025-10-02'], pulse_recent: 2, pulse_prior: null, trend: null,
      pulses: [{ week_of: '2025-10-02', pulse: 3 }, { week_of: '2026-02-10', pulse: 2 }, { week_of: '2026-02-17', pulse: 2 }] });
    expect(rules(b)).toEqual(['stalled', 'top_of_ladder', 'low_pulse', 'checkins_lapsed', 'no_career_talk']);
    expect(b.talkingPoints.map((p: { text: string }) => p.text)).toEqual([
      'Ask what they want next: 82 months since the last promotion (or hire); agree what growth in the role or a move would take.',
      'Talk about scope, impact and mentoring rather than the next title: no progression leads out of Head of Product.',
      'Ask how things are going: the pulse averaged 2.00 over the last 56 days.',
      'Restart regular check-ins: the last was on 2026-02-17.',
      'Make this the career conversation: none recorded in 180 days (last on 2025-10-02).',
    ]);
  });

  it('B12 Dee: both nominations, the TL one without evidence (an incumbent is no candidate there)', async () => {
    const b = await json('B12');
    expect(b.succession.nominations).toEqual([
      { role_id: 'COO', title: 'Chief of Staff', nominated_readiness: '1_2_years', nominated_on: '2026-02-01', readiness: expect.any(String) },
      { role_id: 'TL', title: 'Tech Lead', nominated_readiness: 'ready_now', nominated_on: '2026-01-10', readiness: null },
    ]);
  });

  it('carries no risk score, band or reasons for anyone', async () => {
    for (const id of ['B02', 'B03', 'B04', 'B07', 'B09', 'B12']) {
      const body = (await brief(id)).body;
      expect(body).not.toMatch(/"(score|band|reasons|risk)"/);
      expect(body).not.toMatch(/\b(high|medium|low) risk\b/i);
    }
  });

  it('follows the profile\'s scope: a manager sees their subtree only, a leader anyone; unknown or gone → 404', async () => {
    const tara = (await loginAs(app, 'manager', { employeeId: 'B01', username: 'brief-mgr-b01' })).headers;
    expect((await brief('B02', tara)).statusCode).toBe(200);
    expect((await brief('B09', tara)).statusCode).toBe(200); // B09 reports to B02, under B01
    const outside = await brief('B07', tara);
    expect(outside.statusCode).toBe(404);
    expect(outside.body).not.toContain('Yan');
    const leader = (await loginAs(app, 'leader', { username: 'brief-leader' })).headers;
    expect((await brief('B07', leader)).statusCode).toBe(200);
    expect((await brief('B10')).statusCode).toBe(404); // terminated before as_of
    expect((await brief('NOPE')).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/employees/B02/brief' })).statusCode).toBe(401);
  });

  it('is audited like a profile view', async () => {
    await brief('B05');
    const rows = await sql<{ action: string; detail: string }>(`select action, detail from audit_log where target = 'B05'`);
    expect(rows).toEqual([{ action: 'view_employee', detail: '{"page":"brief"}' }]);
  });

  it('lists the saved succession plans that name the person, as successor or emergency successor', async () => {
    const leader = (await loginAs(app, 'leader', { username: 'brief-plan-leader' })).headers;
    const saved = await app.inject({ method: 'PUT', url: '/api/succession/plans/TL', headers: leader, payload: {
      base_version: 0, notes: null, emergency_successor_id: 'B12',
      successors: [{ employee_id: 'B03', decided_readiness: '1_2_years', actions: [] }],
    } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await json('B03')).succession.plans).toEqual([{ role_id: 'TL', title: 'Tech Lead', decided_readiness: '1_2_years', is_emergency: false }]);
    expect((await json('B12')).succession.plans).toEqual([{ role_id: 'TL', title: 'Tech Lead', decided_readiness: null, is_emergency: true }]);
    expect((await json('B02')).succession.plans).toEqual([]);
  });
});
