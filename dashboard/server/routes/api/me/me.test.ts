// "My path" (GET /api/me and its parts) on a hand-made org loaded through the real pipeline, with
// every figure worked out by hand below: an employee gets their own data and nobody else's whatever
// they send, and a manager derived from the org tree (someone with reports) sees exactly their subtree.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, openDb, type Db } from '../../../../../pipeline/src/db.ts';
import { runPipeline } from '../../../../../pipeline/src/run.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { buildServer } from '../../../index.ts';
import { LOCAL_TOKEN, tmpDir } from '../../../test-org.ts';
import { goalLinkWords, moveWords, nextSteps, timeInRoleWords } from './words.ts';

const AS_OF = '2026-06-30';

// P1 Pat Boss (Director) ─┬─ P2 Sam Senior (Senior Engineer) ── P4 Otto Other (Engineer)
//                         └─ P3 Eve Early (Engineer)          ← the employee below
// P3 plans to become a Senior Engineer; their goal G1 builds Mentoring (which Senior Engineer asks
// for) under "Faster releases" (part of "Ship the platform"); G2 is linked to nothing and overdue.
const ORG: Record<string, string> = {
  'roles.csv': `role_id,title,job_family,level,track,is_critical,planned_headcount
L1,Director,Engineering,3,manager,false,1
E1,Engineer,Engineering,1,ic,false,2
E2,Senior Engineer,Engineering,2,ic,false,1
E3,Staff Engineer,Engineering,3,ic,false,0
D1,Data Analyst,Data,1,ic,false,0
`,
  'role_progressions.csv': 'from_role_id,to_role_id,typical_months,move\nE1,E2,24,\nE2,E3,24,\n',
  'skills.csv': 'skill_id,name,category\nTS,TypeScript,tech\nSQL,SQL,tech\nMENT,Mentoring,people\n',
  'role_skills.csv': `role_id,skill_id,required_level,importance
E1,TS,2,2
E2,TS,3,3
E2,MENT,2,1
E3,TS,4,3
E3,MENT,3,2
D1,SQL,2,2
D1,TS,1,1
L1,MENT,3,3
`,
  'employees.csv': `employee_id,full_name,email,department,role_id,manager_id,location,hire_date,role_start_date,last_promotion_date,termination_date,termination_type,regrettable
P1,Pat Boss,pat@example.com,Engineering,L1,,Lisbon,2015-01-01,,,,,
P2,Sam Senior,sam@example.com,Engineering,E2,P1,Lisbon,2019-01-01,2022-03-15,2022-03-15,,,
P3,Eve Early,eve@example.com,Engineering,E1,P1,Lisbon,2024-02-01,2024-02-01,,,,
P4,Otto Other,otto@example.com,Engineering,E1,P2,Lisbon,2025-01-01,,,,,
P5,Gus Gone,gus@example.com,Engineering,E1,P1,Lisbon,2020-01-01,,,2025-01-31,voluntary,false
`,
  'employee_skills.csv': `employee_id,skill_id,level,assessed_on,source
P3,TS,2,2026-05-01,manager
P3,MENT,1,2026-05-01,manager
P3,SQL,2,2026-05-01,manager
P4,TS,1,2026-05-01,manager
P2,TS,3,2026-05-01,manager
P2,MENT,2,2026-05-01,manager
`,
  'career_plans.csv': 'employee_id,target_role_id,created_on,status\nP3,E2,2026-01-01,active\nP2,E3,2026-01-01,active\n',
  'objectives.csv': 'objective_id,title,parent_objective_id,department,period\nO1,Ship the platform,,,2026\nO2,Faster releases,O1,Engineering,2026\n',
  'goals.csv': `goal_id,employee_id,title,objective_id,target_role_id,skill_id,status,progress,created_on,due_on,completed_on
G1,P3,Lead a code review rota,O2,,MENT,on_track,40,2026-02-01,2026-12-31,
G2,P3,Tidy the wiki,,,,not_started,,2026-03-01,2026-05-31,
G3,P4,Otto secret goal,O1,,,on_track,10,2026-02-01,2026-12-31,
G4,P3,Written after the run date,,,,not_started,,2026-07-15,,
`,
  'check_ins.csv': `employee_id,manager_id,week_of,pulse,career_discussed,manager_replied
P3,P1,2025-11-03,4,true,true
P3,P1,2026-05-04,3,false,false
P3,P1,2026-06-22,4,false,true
P4,P2,2026-06-15,2,true,true
P2,P1,2026-06-15,4,true,true
`,
};
// Eve's manager's name is part of Eve's own record ("your manager: Pat Boss"); nothing else about anyone.
const OTHERS = /\b(P1|P2|P4|P5)\b|Otto|Gus Gone|Sam Senior|secret|G3\b/;

let app: FastifyInstance;
let db: Db;
let dir: string;
let eve: Record<string, string>;

beforeAll(async () => {
  dir = tmpDir('trellis-me-');
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  for (const [name, text] of Object.entries(ORG)) fs.writeFileSync(path.join(inbox, name), text);
  db = await openDb(path.join(dir, 'org.duckdb'));
  const summary = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli', clock: () => new Date('2026-07-01T00:00:00Z') });
  if (summary.status !== 'succeeded') throw new Error(`pipeline: ${summary.status} ${summary.error}`);
  app = await buildServer({ config: { inbox, asOf: AS_OF, uploadLimitMb: 1, staticDir: path.join(dir, 'no-build') }, db, localToken: LOCAL_TOKEN });
  await app.ready();
  eve = (await loginAs(app, 'employee', { employeeId: 'P3', username: 'eve' })).headers;
});

afterAll(async () => {
  await app?.close();
  db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string>) => app.inject({ url, headers });

describe('GET /api/me for an employee', () => {
  it('answers their role and time in it, their path in words, the skills to close and the suggested moves', async () => {
    const res = await get('/api/me', eve);
    expect(res.statusCode).toBe(200);
    const me = res.json();
    expect(me.person).toMatchObject({
      employee_id: 'P3', full_name: 'Eve Early', role_id: 'E1', role_title: 'Engineer', manager_name: 'Pat Boss',
      months_in_role: 28, time_in_role: '2 years and 4 months', // 2024-02-01 → 2026-06-30
    });
    expect(me.path.state).toBe('on_path'); // a plan (E2) and a goal (G1) building a skill E2 asks for
    expect(me.path.words).toBe('You are on your way: you have a next role in view and at least one goal that works toward it.');
    expect(me.path.targets).toHaveLength(1);
    // coverage of E2: (3·min(2,3) + 1·min(1,2)) / (3·3 + 1·2) = 7/11
    expect(me.path.targets[0]).toMatchObject({ role_id: 'E2', title: 'Senior Engineer', is_from_plan: true, is_from_goal: false, n_skills_to_close: 2 });
    expect(me.path.targets[0].coverage).toBeCloseTo(7 / 11, 12);
    expect(me.path.skills.map((s: Record<string, unknown>) => [s.skill_name, s.current_level, s.required_level])).toEqual([
      ['TypeScript', 2, 3], ['Mentoring', 1, 2], // most important first
    ]);
    // Moves: Data Analyst sideways (coverage (2·2 + 1·1)/(2·2 + 1·1) = 1), Senior Engineer 7/11, Staff
    // Engineer two steps up ((3·2 + 2·1)/(3·4 + 2·3) = 8/18); no role has an open need, so by coverage.
    expect(me.moves.source).toBe('mobility_matches');
    expect(me.moves.rows.map((m: Record<string, unknown>) => [m.rank, m.role_id, m.kind, m.level_change, m.is_path_target, m.words])).toEqual([
      [1, 'D1', 'lateral', 0, false, 'A move into another area, at your level'],
      [2, 'E2', 'progression', 1, true, 'A next step from your role, one level up'],
      [3, 'E3', 'two_step', 2, false, 'Two steps on from your role, two levels up'],
    ]);
    expect(me.moves.rows[2].coverage).toBeCloseTo(8 / 18, 12);
    expect(me.moves.rows[0]).not.toHaveProperty('has_open_need');
    expect(me.moves.rows[0]).not.toHaveProperty('is_critical_without_ready_now');
  });

  it('lists their goals with how each links to company objectives and to their path, and their check-ins', async () => {
    const me = (await get('/api/me', eve)).json();
    expect(me.goals.loaded).toBe(true);
    expect(me.goals.rows.map((g: Record<string, unknown>) => [g.goal_id, g.is_aligned, g.is_path_linked, g.links])).toEqual([
      ['G2', false, false, 'Not linked to a company objective or to your path yet'],
      ['G1', true, true, 'Supports "Faster releases", part of the company objective "Ship the platform"; it builds Mentoring, which your next role needs'],
    ]); // newest first; G4 was created after the run date
    expect(me.checkIns).toMatchObject({ loaded: true, n: 3, n_career: 1, last_career_talk: '2025-11-03' });
    expect(me.checkIns.rows.map((c: Record<string, unknown>) => [c.week_of, c.career_discussed, c.manager_replied])).toEqual([
      ['2026-06-22', false, true], ['2026-05-04', false, false], ['2025-11-03', true, true],
    ]);
    expect(me.nextSteps).toEqual([
      'Keep going toward Senior Engineer: the skill that matters most now is TypeScript (you are at level 2; Senior Engineer asks for 3).',
      'Your goal "Tidy the wiki" was due on 2026-05-31: update it, or agree a new date with your manager.',
      'Your goal "Tidy the wiki" is not linked to a company objective or to your path: ask your manager where it fits.',
      'Bring up your career at your next check-in: it last came up in the week of 2025-11-03.', // 239 days before the run date
    ]);
    expect(me.asOf).toBe(AS_OF);
  });

  it('never shows retention risk, the 9-box, nominations, succession or anyone else', async () => {
    for (const url of ['/api/me', '/api/me/path', '/api/me/goals', '/api/me/check-ins']) {
      const res = await get(url, eve);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toMatch(OTHERS);
      expect(res.body).not.toMatch(/risk|score|band|nine|box|nominat|succession|performance|potential|pulse/i);
    }
  });

  it('answers the parts with the same data as the whole', async () => {
    const me = (await get('/api/me', eve)).json();
    expect((await get('/api/me/path', eve)).json()).toEqual({ person: me.person, path: me.path, moves: me.moves, asOf: me.asOf, runId: me.runId });
    expect((await get('/api/me/goals', eve)).json()).toEqual({ goals: me.goals, asOf: me.asOf, runId: me.runId });
    expect((await get('/api/me/check-ins', eve)).json()).toEqual({ checkIns: me.checkIns, asOf: me.asOf, runId: me.runId });
  });

  it('cannot reach anyone else with another employee\'s id in any parameter', async () => {
    // The routes take no parameter at all: any query is a 400 that says so and names nobody.
    for (const q of ['employee_id=P4', 'id=P4', 'employee=P4', 'employeeId=P4', 'manager=P1', 'as=P4&employee_id=P2']) {
      for (const url of ['/api/me', '/api/me/path', '/api/me/goals', '/api/me/check-ins']) {
        const res = await get(`${url}?${q}`, eve);
        expect(res.statusCode).toBe(400);
        expect(res.body).not.toMatch(OTHERS);
        expect(res.body).not.toMatch(/Eve Early/);
      }
    }
    for (const url of ['/api/me/P4', '/api/me/P4/goals', '/api/me/../employees/P4', '/api/employees/P4', '/api/employees?q=Otto', '/api/retention']) {
      const res = await get(url, eve);
      expect([403, 404]).toContain(res.statusCode);
      expect(res.body).not.toMatch(OTHERS);
    }
  });

  it('shows another employee their own page, and says why there is none for an account without one', async () => {
    const otto = (await loginAs(app, 'employee', { employeeId: 'P4', username: 'otto' })).headers;
    const me = (await get('/api/me', otto)).json();
    expect(me.person).toMatchObject({ employee_id: 'P4', full_name: 'Otto Other', manager_name: 'Sam Senior' });
    expect(me.path.state).toBe('no_path'); // no plan, no goal naming a role; E1 → E2 leads out
    expect(me.path.targets).toMatchObject([{ role_id: 'E2', target_kind: 'default_next' }]);
    expect(me.goals.rows.map((g: { goal_id: string }) => g.goal_id)).toEqual(['G3']);
    expect(me.nextSteps[0]).toBe('Talk with your manager about where you want to go next. A natural next step from your role is Senior Engineer.');
    expect((await get('/api/me', otto)).body).not.toMatch(/Eve Early|Tidy the wiki|\bP3\b/);

    const gus = (await loginAs(app, 'employee', { employeeId: 'P5', username: 'gus' })).headers; // left in January 2025
    const gone = await get('/api/me', gus);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().message).toBe('There is no current data about you (employee P5) in what was loaded');
    const leader = (await loginAs(app, 'leader', { username: 'lee' })).headers;
    const none = await get('/api/me', leader);
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toMatch(/not linked to an employee/);
  });
});

describe('a manager derived from the org tree', () => {
  it('is someone with reports below the top, and sees exactly their subtree', async () => {
    const conn = await db.connect();
    const managers = await all<{ id: string }>(conn, `select ancestor_id as id from org_closure where depth > 0
      and ancestor_id in (select employee_id from career_path_state where manager_id is not null) group by 1 order by 1`);
    conn.closeSync();
    expect(managers.map((m) => m.id)).toEqual(['P2']); // P1 is the top; P2 has P4
    const sam = (await loginAs(app, 'manager', { employeeId: managers[0].id, username: 'sam' })).headers;
    const list = (await get('/api/employees?limit=100', sam)).json();
    expect(list.rows.map((r: { employee_id: string }) => r.employee_id).sort()).toEqual(['P2', 'P4']);
    expect((await get('/api/employees/P3', sam)).statusCode).toBe(404);
    expect((await get('/api/employees/P4', sam)).statusCode).toBe(200);
    const retention = (await get('/api/retention?limit=100', sam)).json();
    expect(retention.rows.map((r: { employee_id: string }) => r.employee_id).sort()).toEqual(['P2', 'P4']);
    // their own page is theirs, not a report's
    expect((await get('/api/me', sam)).json().person.employee_id).toBe('P2');
  });
});

describe('the words', () => {
  it('say time in role plainly', () => {
    expect([0, 1, 5, 12, 13, 24, 28].map(timeInRoleWords)).toEqual([
      'less than a month', '1 month', '5 months', '1 year', '1 year and 1 month', '2 years', '2 years and 4 months']);
    expect(timeInRoleWords(null)).toBeNull();
  });

  it('say what a move is and how a goal links up', () => {
    expect(moveWords('progression', 1)).toBe('A next step from your role, one level up');
    expect(moveWords('lateral', -1)).toBe('A move into another area, one level down');
    expect(moveWords(null, null)).toBe('A next step from your role');
    const goal = { status: 'on_track', objective_title: null, company_objective_title: null, is_aligned: false, is_path_linked: false,
      target_role_title: null, target_role_id: null, skill_name: null, skill_id: null };
    expect(goalLinkWords({ ...goal, is_aligned: true, objective_title: 'Ship it' })).toBe('Supports the company objective "Ship it"');
    expect(goalLinkWords({ ...goal, is_path_linked: true, target_role_title: 'Lead' })).toBe('Moves you toward Lead');
    expect(goalLinkWords({ ...goal, status: 'done' })).toBe('Done');
  });

  it('give one plain next step for each path state, and a quiet one when all is well', () => {
    const base = { asOf: AS_OF, targets: [], skills: [], moves: [], goals: [], checkIns: { loaded: false, rows: [] } };
    expect(nextSteps({ ...base, state: 'top_of_ladder', moves: [{ role_id: 'X', title: 'Data Analyst' }] })).toEqual([
      'Talk with your manager about growing in your role or broadening into another area.',
      'Look at the suggested moves below: Data Analyst is the first of them.',
    ]);
    expect(nextSteps({ ...base, state: 'plan_only', targets: [{ role_id: 'E2', title: 'Senior Engineer', target_kind: 'path' }] }))
      .toEqual(['Add a goal that works toward Senior Engineer.']);
    expect(nextSteps({ ...base, state: 'on_path', targets: [{ role_id: 'E2', title: null, target_kind: 'path' }],
      checkIns: { loaded: true, rows: [{ week_of: '2026-06-01', career_discussed: true }] } }))
      .toEqual(['You have every skill E2 asks for: ask your manager what else it would take to move.']);
    expect(nextSteps({ ...base, state: 'on_path' })).toEqual(['Keep going with the goals that work toward your next role.']); // targets not built
    expect(nextSteps({ ...base, state: null, checkIns: { loaded: true, rows: [] } }))
      .toEqual(['Bring up your career at your next check-in: it has not come up in your check-ins yet.']);
    expect(nextSteps({ ...base, state: null })).toEqual([
      'Nothing needs doing right now: keep your goals up to date and talk about your career at your check-ins.']);
  });
});
