// What-if on a hand-made org (fixtures/orgs/succession plus a two-rung ladder below SE), every answer
// worked by hand from the rule in docs/marts.md "What-if", through GET /api/succession/plans/:roleId/what-if.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, type Db } from '../../../pipeline/src/db.ts';
import { loginAs } from '../auth/test-helpers.ts';
import { orgServer } from '../test-org.ts';

// fixtures/orgs/succession (README there), plus: IN (Intern) → SE and AP (Apprentice) → IN, neither
// critical; B14 Ivo (IN, under B04) CODE 3 of SE's 3, performance 3 → ready now for SE (score irrelevant);
// B15 Ana (AP, under B14) no review, IN requires no skill → 1–2 years for IN.
const LADDER = {
  'roles.csv': ['IN,Intern,Engineering,1,ic,false,', 'AP,Apprentice,Engineering,1,ic,false,'],
  'role_progressions.csv': ['IN,SE,12,', 'AP,IN,12,'],
  'employees.csv': ['B14,Ivo Intern,ivo@example.com,Engineering,IN,B04,Oslo,2025-06-01,,,,,',
    'B15,Ana Apprentice,ana@example.com,Engineering,AP,B14,Oslo,2025-09-01,,,,,'],
  'employee_skills.csv': ['B14,CODE,3,2026-01-10,manager'],
  'reviews.csv': ['B14,2025-H2,B04,3,2,2025-12-15'],
};

describe('what-if: a successor moves into the role now', () => {
  let app: FastifyInstance;
  let db: Db;
  let leader: Record<string, string>;
  const whatIf = (role: string, successor: string) =>
    app.inject({ url: `/api/succession/plans/${role}/what-if?successor=${successor}`, headers: leader });
  const marts = async () => {
    const conn = await db.connect();
    try {
      return { roles: await all(conn, 'select * from succession_roles order by role_id'), summary: await all(conn, 'select * from succession_summary') };
    } finally { conn.closeSync(); }
  };

  beforeAll(async () => {
    ({ app, db } = await orgServer('succession', LADDER));
    leader = (await loginAs(app, 'leader')).headers;
    const save = async (role: string, successors: [string, string][]) => {
      const res = await app.inject({ method: 'PUT', url: `/api/succession/plans/${role}`, headers: leader,
        payload: { base_version: 0, successors: successors.map(([employee_id, decided_readiness]) => ({ employee_id, decided_readiness })) } });
      if (res.statusCode !== 200) throw new Error(res.body);
    };
    // TL: Sam decided 3+ years (the evidence says ready now), Eli and Uma 1–2 years
    await save('TL', [['B02', '3_plus_years'], ['B13', '1_2_years'], ['B03', '1_2_years']]);
    await save('ARCH', [['B01', '1_2_years'], ['B12', '1_2_years']]);
  });
  afterAll(async () => { await app.close(); db.close(); });

  it('Tara into ARCH: four steps at most; a decision outranks evidence of the same readiness; bench and index before and after', async () => {
    const before = await marts();
    const res = await whatIf('ARCH', 'B01');
    expect(res.statusCode, res.body).toBe(200);
    const w = res.json();
    expect(w.steps).toEqual([
      // TL loses Tara. Ready within 2 years for TL: Eli and Uma by the plan (Sam's 3+ years decision takes him
      // out although the evidence says ready now), Vic by evidence (score 60). Plan before evidence → Eli (43)
      // or Uma (54): the higher score → Uma.
      { step: 1, role_id: 'TL', title: 'Tech Lead', vacated_by_id: 'B01', vacated_by_name: 'Tara Lead',
        successor_id: 'B03', successor_name: 'Uma Nominee', successor_readiness: '1_2_years', successor_source: 'plan' },
      // SSE loses Uma: Vic (coverage 1, no review → 1–2 years); Abe is not ready (performance 2)
      { step: 2, role_id: 'SSE', title: 'Senior Engineer', vacated_by_id: 'B03', vacated_by_name: 'Uma Nominee',
        successor_id: 'B04', successor_name: 'Vic Unreviewed', successor_readiness: '1_2_years', successor_source: 'evidence' },
      // SE loses Vic: Ivo from IN, ready now
      { step: 3, role_id: 'SE', title: 'Software Engineer', vacated_by_id: 'B04', vacated_by_name: 'Vic Unreviewed',
        successor_id: 'B14', successor_name: 'Ivo Intern', successor_readiness: 'ready_now', successor_source: 'evidence' },
      // IN loses Ivo: Ana; the fourth step ends the chain (AP's vacancy is not followed)
      { step: 4, role_id: 'IN', title: 'Intern', vacated_by_id: 'B14', vacated_by_name: 'Ivo Intern',
        successor_id: 'B15', successor_name: 'Ana Apprentice', successor_readiness: '1_2_years', successor_source: 'evidence' },
    ]);
    // moved: Tara, Uma, Vic, Ivo, Ana. TL keeps Sam (1, k 1) = 1 (was 2 with Uma ½ and Vic ½); ARCH keeps
    // Dee ¼ (was ½ with Tara ¼); COO likewise ½ → ¼ (Tara was ready for ARCH and COO). Non-critical roles
    // have no bench. Incumbents: ARCH was vacant → 1 (Tara); TL loses Tara, gains Uma → 2.
    expect(w.roles).toEqual([
      { role_id: 'ARCH', title: 'Architect', bench_before: 0.5, bench_after: 0.25 },
      { role_id: 'TL', title: 'Tech Lead', bench_before: 2, bench_after: 1 },
      { role_id: 'SSE', title: 'Senior Engineer', bench_before: null, bench_after: null },
      { role_id: 'SE', title: 'Software Engineer', bench_before: null, bench_after: null },
      { role_id: 'IN', title: 'Intern', bench_before: null, bench_after: null },
      { role_id: 'COO', title: 'Chief of Staff', bench_before: 0.5, bench_after: 0.25 },
    ]);
    // before: the mart's 0.6; after: mean(TL min(1, 1/2), ARCH min(1, 0.25/1), SEC 0, HOP 1, COO 0.25) = 2/5
    expect(w.index_before).toBeCloseTo(0.6, 12);
    expect(w.index_before).toBeCloseTo(Number(before.summary[0].bench_strength_index), 12);
    expect(w.index_after).toBeCloseTo(0.4, 12);
    // Tara's reports go to Uma, who fills TL; Uma herself to Tara's manager (none)
    expect(w.reports).toEqual([
      { employee_id: 'B02', name: 'Sam Ready', manager_now_id: 'B01', manager_to_be_id: 'B03', manager_to_be_name: 'Uma Nominee' },
      { employee_id: 'B03', name: 'Uma Nominee', manager_now_id: 'B01', manager_to_be_id: null, manager_to_be_name: null },
      { employee_id: 'B12', name: 'Dee Lead', manager_now_id: 'B01', manager_to_be_id: 'B03', manager_to_be_name: 'Uma Nominee' },
      { employee_id: 'B13', name: 'Eli Half', manager_now_id: 'B01', manager_to_be_id: 'B03', manager_to_be_name: 'Uma Nominee' },
    ]);
    expect(await marts()).toEqual(before); // computed on request, nothing written
  });

  it('Sam into TL: the chain stops at a role nobody is ready for', async () => {
    const w = (await whatIf('TL', 'B02')).json();
    expect(w.steps.map((s: Record<string, unknown>) => [s.step, s.role_id, s.vacated_by_id, s.successor_id, s.successor_readiness])).toEqual([
      [1, 'SSE', 'B02', 'B04', '1_2_years'],
      [2, 'SE', 'B04', 'B14', 'ready_now'],
      [3, 'IN', 'B14', 'B15', '1_2_years'],
      [4, 'AP', 'B15', null, null], // nobody is a candidate for AP
    ]);
    // TL keeps Uma ½ (k 1) = 0.5 of 2 incumbents (Sam takes the place of one who leaves) → 0.25;
    // index (0.25 + 0.5 + 0 + 1 + 0.5) / 5 = 0.45
    expect(w.roles).toEqual([
      { role_id: 'TL', title: 'Tech Lead', bench_before: 2, bench_after: 0.5 },
      { role_id: 'SSE', title: 'Senior Engineer', bench_before: null, bench_after: null },
      { role_id: 'SE', title: 'Software Engineer', bench_before: null, bench_after: null },
      { role_id: 'IN', title: 'Intern', bench_before: null, bench_after: null },
      { role_id: 'AP', title: 'Apprentice', bench_before: null, bench_after: null },
    ]);
    expect(w.index_after).toBeCloseTo(0.45, 12);
    // Vic fills SSE and reports to Tara; Abe to Vic
    expect(w.reports).toEqual([
      { employee_id: 'B04', name: 'Vic Unreviewed', manager_now_id: 'B02', manager_to_be_id: 'B01', manager_to_be_name: 'Tara Lead' },
      { employee_id: 'B09', name: 'Abe Low', manager_now_id: 'B02', manager_to_be_id: 'B04', manager_to_be_name: 'Vic Unreviewed' },
    ]);
  });

  it('is for a successor of a saved plan', async () => {
    const notInPlan = await whatIf('TL', 'B04');
    expect(notInPlan.statusCode).toBe(400);
    expect(notInPlan.json().message).toBe('"B04" is not a successor in the plan for TL');
    expect((await whatIf('HOP', 'B05')).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/succession/plans/TL/what-if', headers: leader })).statusCode).toBe(400);
  });
});
