import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, ORG, type Harness } from './test-helpers.ts';

let h: Harness;
beforeEach(async () => { h = await harness(); });
afterEach(() => h.close());

describe('loadFiles: a clean drop', () => {
  it('loads roles, skills, objectives and employees with typed values, defaults and lineage', async () => {
    const files = [h.csv('employees.csv', ORG.employees), h.csv('roles.csv', ORG.roles),
      h.csv('skills.csv', ORG.skills), h.csv('objectives.csv', ORG.objectives)];
    const res = await h.load(files, { runId: 7 });
    expect(res.map((r) => [r.file, r.dataset, r.status, r.rowsRead, r.rowsLoaded, r.rowsRejected, r.rowsWarned])).toEqual([
      ['employees.csv', 'employees', 'loaded', 3, 3, 0, 0],
      ['objectives.csv', 'objectives', 'loaded', 2, 2, 0, 0],
      ['roles.csv', 'roles', 'loaded', 3, 3, 0, 0],
      ['skills.csv', 'skills', 'loaded', 2, 2, 0, 0],
    ]);
    const roles = await h.rows(`select role_id, level, track, is_critical, planned_headcount, _run_id, _file, _line from src_roles order by role_id`);
    expect(roles).toEqual([
      { role_id: 'ENG-1', level: 1, track: 'ic', is_critical: false, planned_headcount: 5, _run_id: 7, _file: 'roles.csv', _line: 2 },
      { role_id: 'ENG-2', level: 2, track: 'ic', is_critical: true, planned_headcount: null, _run_id: 7, _file: 'roles.csv', _line: 3 },
      { role_id: 'MGR-3', level: 3, track: 'manager', is_critical: false, planned_headcount: 1, _run_id: 7, _file: 'roles.csv', _line: 4 },
    ]);
    const emps = await h.rows(`select employee_id, strftime(role_start_date, '%Y-%m-%d') as rsd, termination_type, regrettable, manager_id from src_employees order by 1`);
    expect(emps).toEqual([
      { employee_id: 'E1', rsd: '2021-02-01', termination_type: null, regrettable: null, manager_id: null },
      { employee_id: 'E2', rsd: '2022-03-01', termination_type: null, regrettable: null, manager_id: 'E1' },
      { employee_id: 'E3', rsd: '2023-05-15', termination_type: 'voluntary', regrettable: true, manager_id: 'E1' },
    ]);
    expect(await h.rejects()).toEqual([]);
  });
});
