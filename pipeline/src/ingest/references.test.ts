// References (owner / optional link) against the rows in effect after the run, and cycles.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FULL, harness, ORG, type Harness } from './test-helpers.ts';

let h: Harness;
beforeAll(async () => { h = await harness(); });
afterAll(() => h.close());
beforeEach(async () => { await h.reset(); });

const entries = async (file: string) =>
  (await h.rejects(file)).map((r) => [r.line, r.column, r.value, r.reason, r.severity]);

const EMP_HEADER = ORG.employees[0];
/** An employee row: id, role, manager; the rest valid. */
const emp = (id: string, role: string, manager: string, hire = '2020-01-01') =>
  [id, `Name ${id}`, '', 'Engineering', role, manager, '', hire, '', '', '', '', ''];

describe('references', () => {
  it('rejects a row whose owner is unknown and keeps a row with an unknown optional link, nulled, with a warning', async () => {
    const [res] = await h.load([h.csv('roles.csv', ORG.roles), h.csv('employees.csv', [EMP_HEADER,
      emp('E1', 'MGR-3', ''), emp('E2', 'ENG-9', 'E1'), emp('E3', 'ENG-1', 'E77')])]);
    expect(await entries('employees.csv')).toEqual([
      [3, 'role_id', 'ENG-9', 'role_id "ENG-9" is not in roles', 'reject'],
      [4, 'manager_id', 'E77', 'manager_id "E77" is not in employees; the field is left empty', 'warning'],
    ]);
    expect(res).toMatchObject({ rowsRead: 3, rowsLoaded: 2, rowsRejected: 1, rowsWarned: 1 });
    expect(await h.rows('select employee_id, manager_id from src_employees order by 1'))
      .toEqual([{ employee_id: 'E1', manager_id: null }, { employee_id: 'E3', manager_id: null }]);
  });

  it('a row rejected (for its own rules or its owner) counts as unknown for the rows pointing at it', async () => {
    await h.load([
      h.csv('roles.csv', [...ORG.roles, ['BAD-1', 'Bad', 'Engineering', 99, '', '', '']]),
      h.csv('employees.csv', [EMP_HEADER, emp('E1', 'MGR-3', ''), emp('E2', 'ENG-1', 'E1', '2026-02-30'),
        emp('E3', 'ENG-1', 'E2'), emp('E4', 'BAD-1', 'E1'), emp('E5', 'ENG-1', 'E4')]),
    ]);
    expect(await entries('roles.csv')).toEqual([[5, 'level', '99', 'level "99" is out of range (1 to 12)', 'reject']]);
    expect(await entries('employees.csv')).toEqual([
      [3, 'hire_date', '2026-02-30', 'hire_date "2026-02-30" is not a valid date (expected YYYY-MM-DD)', 'reject'],
      [4, 'manager_id', 'E2', 'manager_id "E2" is not in employees; the field is left empty', 'warning'],
      [5, 'role_id', 'BAD-1', 'role_id "BAD-1" is not in roles', 'reject'],
      [6, 'manager_id', 'E4', 'manager_id "E4" is not in employees; the field is left empty', 'warning'],
    ]);
  });

  it('checks a dataset the run does not bring against the rows loaded before', async () => {
    await h.load([h.csv('roles.csv', ORG.roles), h.csv('skills.csv', ORG.skills), h.csv('employees.csv', ORG.employees)]);
    const [res] = await h.load([h.csv('check_ins_week10.csv', [FULL.check_ins[0],
      ['E2', 'E1', '2026-03-02', 4, '', ''], ['E77', 'E1', '2026-03-02', 4, '', ''], ['E3', 'E88', '2026-03-02', '', '', '']])]);
    expect(res).toMatchObject({ status: 'loaded', rowsLoaded: 2, rowsRejected: 1, rowsWarned: 1 });
    expect(await entries('check_ins_week10.csv')).toEqual([
      [3, 'employee_id', 'E77', 'employee_id "E77" is not in employees', 'reject'],
      [4, 'manager_id', 'E88', 'manager_id "E88" is not in employees; the field is left empty', 'warning'],
    ]);
  });

  it("checks against this run's rows for a dataset it brings, not the ones it replaces", async () => {
    await h.load([h.csv('roles.csv', ORG.roles), h.csv('employees.csv', ORG.employees)]);
    await h.load([h.csv('roles_v2.csv', ORG.roles.filter((r) => r[0] !== 'ENG-1')), h.csv('employees.csv', ORG.employees)]);
    expect(await entries('employees.csv')).toEqual([[4, 'role_id', 'ENG-1', 'role_id "ENG-1" is not in roles', 'reject']]);
  });

  it('checks every owner and optional link of a goal', async () => {
    await h.load(['roles', 'skills', 'objectives', 'employees'].map((d) => h.csv(`${d}.csv`, FULL[d])));
    await h.load([h.csv('goals.csv', [FULL.goals[0],
      ['G1', 'E9', 'x', '', '', '', 'done', '', '2026-01-01', '', ''],
      ['G2', 'E2', 'x', 'O9', 'R9', 'S9', 'done', '', '2026-01-01', '', '']])]);
    expect(await entries('goals.csv')).toEqual([
      [2, 'employee_id', 'E9', 'employee_id "E9" is not in employees', 'reject'],
      [3, 'objective_id', 'O9', 'objective_id "O9" is not in objectives; the field is left empty', 'warning'],
      [3, 'skill_id', 'S9', 'skill_id "S9" is not in skills; the field is left empty', 'warning'],
      [3, 'target_role_id', 'R9', 'target_role_id "R9" is not in roles; the field is left empty', 'warning'],
    ]);
    expect(await h.rows('select goal_id, objective_id, target_role_id, skill_id from src_goals'))
      .toEqual([{ goal_id: 'G2', objective_id: null, target_role_id: null, skill_id: null }]);
  });
});

describe('cycles', () => {
  it('keeps every employee on a manager cycle (and a self-manager), nulls the field and warns on each', async () => {
    const [res] = await h.load([h.csv('roles.csv', ORG.roles), h.csv('employees.csv', [EMP_HEADER,
      emp('E1', 'ENG-1', 'E3'), emp('E2', 'ENG-1', 'E1'), emp('E3', 'ENG-1', 'E2'),
      emp('E4', 'ENG-1', 'E4'), emp('E5', 'ENG-1', 'E1'), emp('E6', 'ENG-1', '')])]);
    expect(await entries('employees.csv')).toEqual([
      [2, 'manager_id', 'E3', 'manager_id "E3" makes a cycle (E1 → E3 → E2 → E1); the field is left empty', 'warning'],
      [3, 'manager_id', 'E1', 'manager_id "E1" makes a cycle (E2 → E1 → E3 → E2); the field is left empty', 'warning'],
      [4, 'manager_id', 'E2', 'manager_id "E2" makes a cycle (E3 → E2 → E1 → E3); the field is left empty', 'warning'],
      [5, 'manager_id', 'E4', 'manager_id "E4" makes a cycle (E4 → E4); the field is left empty', 'warning'],
    ]);
    expect(res).toMatchObject({ rowsLoaded: 6, rowsRejected: 0, rowsWarned: 4 });
    expect(await h.rows('select employee_id, manager_id from src_employees order by 1')).toEqual([
      { employee_id: 'E1', manager_id: null }, { employee_id: 'E2', manager_id: null }, { employee_id: 'E3', manager_id: null },
      { employee_id: 'E4', manager_id: null }, { employee_id: 'E5', manager_id: 'E1' }, { employee_id: 'E6', manager_id: null },
    ]);
  });

  it('does the same for objective parents', async () => {
    await h.load([h.csv('objectives.csv', [ORG.objectives[0],
      ['O1', 'a', 'O2', '', ''], ['O2', 'b', 'O1', '', ''], ['O3', 'c', 'O1', '', ''], ['O4', 'd', '', '', '']])]);
    expect((await entries('objectives.csv')).map((e) => [e[0], e[3]])).toEqual([
      [2, 'parent_objective_id "O2" makes a cycle (O1 → O2 → O1); the field is left empty'],
      [3, 'parent_objective_id "O1" makes a cycle (O2 → O1 → O2); the field is left empty'],
    ]);
    expect(await h.rows('select objective_id, parent_objective_id as p from src_objectives order by 1')).toEqual([
      { objective_id: 'O1', p: null }, { objective_id: 'O2', p: null }, { objective_id: 'O3', p: 'O1' }, { objective_id: 'O4', p: null },
    ]);
  });
});
