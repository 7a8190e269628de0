// Each rule of the contract with a bad row of its own: exact line, column, value and reason.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FULL, harness, ORG, type Harness } from './test-helpers.ts';

let h: Harness;
beforeAll(async () => { h = await harness(); });
afterAll(() => h.close());
beforeEach(async () => {
  await h.reset();
  await h.load([h.csv('roles.csv', ORG.roles), h.csv('skills.csv', ORG.skills),
    h.csv('objectives.csv', ORG.objectives), h.csv('employees.csv', ORG.employees)]);
});

type Entry = [line: number, column: string | null, value: string | null, reason: string, severity?: string];

/** A file of `dataset` holding the valid first row of FULL, then `rows` (so the first bad row is line 3). */
async function loadBad(dataset: string, rows: Record<string, string | number>[]) {
  const header = FULL[dataset][0] as string[];
  const base = FULL[dataset][1];
  // A repeated email would add a warning of its own: later rows have none unless the case gives one.
  const body = rows.map((r) => header.map((col, i) => (col in r ? r[col] : col === 'email' ? '' : base[i])));
  const [res] = await h.load([h.csv(`${dataset}.csv`, [header, base, ...body])]);
  const entries = (await h.rejects(`${dataset}.csv`)).map((r): Entry =>
    (r.severity === 'reject' ? [r.line, r.column, r.value, r.reason] : [r.line, r.column, r.value, r.reason, r.severity]));
  return { res, entries };
}

describe('own rules', () => {
  it.each<[string, string, Record<string, string | number>, Entry[]]>([
    ['a date that does not exist', 'employees', { employee_id: 'E9', hire_date: '2026-02-30' },
      [[3, 'hire_date', '2026-02-30', 'hire_date "2026-02-30" is not a valid date (expected YYYY-MM-DD)']]],
    ['a date not zero-padded', 'employees', { employee_id: 'E9', hire_date: '2026-2-03' },
      [[3, 'hire_date', '2026-2-03', 'hire_date "2026-2-03" is not a valid date (expected YYYY-MM-DD)']]],
    ['an int written 3.0', 'roles', { role_id: 'R9', level: '3.0' },
      [[3, 'level', '3.0', 'level "3.0" is not a whole number (digits only)']]],
    ['an int with a sign', 'roles', { role_id: 'R9', planned_headcount: '-1' },
      [[3, 'planned_headcount', '-1', 'planned_headcount "-1" is not a whole number (digits only)']]],
    ['an int above its range', 'roles', { role_id: 'R9', level: 13 },
      [[3, 'level', '13', 'level "13" is out of range (1 to 12)']]],
    ['an int that must be greater than 0', 'role_progressions', { to_role_id: 'MGR-3', typical_months: 0 },
      [[3, 'typical_months', '0', 'typical_months "0" must be greater than 0']]],
    ['a number with an exponent', 'goals', { goal_id: 'G9', progress: '1e2' },
      [[3, 'progress', '1e2', 'progress "1e2" is not a number (digits with an optional decimal part, e.g. 12 or 12.5)']]],
    ['a number with a thousands separator', 'goals', { goal_id: 'G9', progress: '1,000' },
      [[3, 'progress', '1,000', 'progress "1,000" is not a number (digits with an optional decimal part, e.g. 12 or 12.5)']]],
    ['a number above its range', 'goals', { goal_id: 'G9', progress: '100.5' },
      [[3, 'progress', '100.5', 'progress "100.5" is out of range (0 to 100)']]],
    ['a boolean that is not yes/no', 'employees', { employee_id: 'E9', regrettable: 'maybe' },
      [[3, 'regrettable', 'maybe', 'regrettable "maybe" is not a yes/no value (use true/false, yes/no, y/n or 1/0)']]],
    ['an enum value outside the list', 'employees', { employee_id: 'E9', termination_type: 'fired' },
      [[3, 'termination_type', 'fired', 'termination_type "fired" is not one of voluntary, involuntary']]],
    ['a required column that is blank', 'employees', { employee_id: 'E9', full_name: '   ' },
      [[3, 'full_name', null, 'full_name is required but empty']]],
    ['a key column that is blank', 'role_skills', { role_id: '' },
      [[3, 'role_id', null, 'role_id is required but empty']]],
    ['a date before the date it must not precede', 'employees', { employee_id: 'E9', hire_date: '2021-01-01', termination_date: '2020-12-31' },
      [[3, 'termination_date', '2020-12-31', 'termination_date "2020-12-31" is before hire_date "2021-01-01"']]],
    ['a column that must differ from another', 'role_progressions', { from_role_id: 'ENG-2', to_role_id: 'ENG-2' },
      [[3, 'to_role_id', 'ENG-2', 'to_role_id "ENG-2" is the same as from_role_id; they must differ']]],
    ['several broken rules: one entry each', 'employees', { employee_id: 'E9', full_name: '', hire_date: '01/02/2020', regrettable: 'x' },
      [[3, 'full_name', null, 'full_name is required but empty'],
        [3, 'hire_date', '01/02/2020', 'hire_date "01/02/2020" is not a valid date (expected YYYY-MM-DD)'],
        [3, 'regrettable', 'x', 'regrettable "x" is not a yes/no value (use true/false, yes/no, y/n or 1/0)']]],
    ['a bad date is not also compared with its not-before column', 'employees', { employee_id: 'E9', hire_date: 'soon', role_start_date: '2020-01-01' },
      [[3, 'hire_date', 'soon', 'hire_date "soon" is not a valid date (expected YYYY-MM-DD)']]],
  ])('%s', async (_name, dataset, row, expected) => {
    const { res, entries } = await loadBad(dataset, [row]);
    expect(entries).toEqual(expected);
    expect(res).toMatchObject({ status: 'loaded', rowsRead: 2, rowsLoaded: 1, rowsRejected: 1 });
  });

  it('accepts the edge values: same day, .5, 0 and 100, booleans and enums in any case, padded cells', async () => {
    const { res, entries } = await loadBad('goals', [
      { goal_id: ' G7 ', progress: '.5', status: 'AT_RISK', created_on: '2026-01-01', completed_on: '2026-01-01' },
      { goal_id: 'G8', progress: '100', status: ' Done ' },
      { goal_id: 'G9', progress: '0' },
    ]);
    expect(entries).toEqual([]);
    expect(res.rowsLoaded).toBe(4);
    expect(await h.rows(`select goal_id, progress, status from src_goals where goal_id in ('G7', 'G8', 'G9') order by 1`)).toEqual([
      { goal_id: 'G7', progress: 0.5, status: 'at_risk' },
      { goal_id: 'G8', progress: 100, status: 'done' },
      { goal_id: 'G9', progress: 0, status: 'on_track' },
    ]);
    const e = await loadBad('employees', [{ employee_id: 'E9', hire_date: '2020-02-29', role_start_date: '2020-02-29', regrettable: 'NO' }]);
    expect(e.entries).toEqual([]);
  });

  it('applies defaults: role_start_date from hire_date, constants, and a derived progression move', async () => {
    await h.load([h.csv('role_progressions.csv', FULL.role_progressions), h.csv('role_skills.csv', FULL.role_skills),
      h.csv('employee_skills.csv', FULL.employee_skills), h.csv('check_ins.csv', FULL.check_ins),
      h.csv('career_plans.csv', FULL.career_plans)]);
    expect(await h.rows(`select employee_id, strftime(role_start_date, '%Y-%m-%d') as d from src_employees where employee_id = 'E2'`))
      .toEqual([{ employee_id: 'E2', d: '2022-03-01' }]);
    expect(await h.rows(`select role_id, track, is_critical from src_roles where role_id = 'ENG-1'`))
      .toEqual([{ role_id: 'ENG-1', track: 'ic', is_critical: false }]);
    expect(await h.rows('select from_role_id, to_role_id, move from src_role_progressions order by _line')).toEqual([
      { from_role_id: 'ENG-1', to_role_id: 'ENG-2', move: 'promotion' },
      { from_role_id: 'ENG-2', to_role_id: 'MGR-3', move: 'promotion' },
      { from_role_id: 'MGR-3', to_role_id: 'ENG-2', move: 'lateral' },
    ]);
    expect(await h.rows(`select skill_id, importance from src_role_skills order by 1`))
      .toEqual([{ skill_id: 'S1', importance: 2 }, { skill_id: 'S2', importance: 3 }]);
    // A blank source is `manager` before the key is compared: rows 2 and 3 differ in source.
    expect(await h.rows(`select level, source from src_employee_skills order by _line`))
      .toEqual([{ level: 3, source: 'manager' }, { level: 4, source: 'self' }, { level: 0, source: 'peer' }]);
    expect(await h.rows(`select week_of::VARCHAR as w, career_discussed as c, manager_replied as r from src_check_ins order by 1`))
      .toEqual([{ w: '2026-03-02', c: true, r: false }, { w: '2026-03-09', c: false, r: true }]);
    expect(await h.rows('select status from src_career_plans')).toEqual([{ status: 'active' }]);
  });
});

describe('trimming', () => {
  it('trims spaces, tabs and no-break spaces around a cell, keeps inner and accented text, and an all-blank cell is empty', async () => {
    const { entries } = await loadBad('skills', [
      { skill_id: '\tS7\u00a0', name: ' Voilà  à la carte ', category: ' \t ' },
    ]);
    expect(entries).toEqual([]);
    expect(await h.rows(`select skill_id, name, category from src_skills where skill_id = 'S7'`))
      .toEqual([{ skill_id: 'S7', name: 'Voilà  à la carte', category: null }]);
  });
});

describe('duplicates', () => {
  it('keeps the first row with a key in a snapshot file and rejects later ones', async () => {
    const { entries } = await loadBad('employees', [{ employee_id: 'E1' }, { employee_id: 'E9' }, { employee_id: 'E1' }]);
    expect(entries).toEqual([
      [3, 'employee_id', 'E1', 'duplicate employee_id "E1": the first row (line 2) is kept'],
      [5, 'employee_id', 'E1', 'duplicate employee_id "E1": the first row (line 2) is kept'],
    ]);
  });

  it('names every column of a composite key', async () => {
    const { entries } = await loadBad('role_skills', [{ required_level: 4 }]);
    expect(entries).toEqual([[3, 'role_id, skill_id', 'ENG-1, S1', 'duplicate role_id "ENG-1" with skill_id "S1": the first row (line 2) is kept']]);
  });

  it('only rows that passed their own rules count: a broken first row does not make a later one a duplicate', async () => {
    const { entries, res } = await loadBad('employees', [{ employee_id: 'E9', hire_date: 'bad' }, { employee_id: 'E9' }]);
    expect(entries).toEqual([[3, 'hire_date', 'bad', 'hire_date "bad" is not a valid date (expected YYYY-MM-DD)']]);
    expect(res.rowsLoaded).toBe(2);
  });

  it('keeps a repeated email (compared lower-case) with the email cleared and a warning', async () => {
    const { entries, res } = await loadBad('employees', [{ employee_id: 'E9', email: ' ADA@x.org ' }]);
    expect(entries).toEqual([[3, 'email', 'ADA@x.org', 'email "ADA@x.org" is already used on line 2; it is left empty on this row', 'warning']]);
    expect(res).toMatchObject({ rowsLoaded: 2, rowsRejected: 0, rowsWarned: 1 });
    expect(await h.rows(`select employee_id, email from src_employees order by 1`))
      .toEqual([{ employee_id: 'E1', email: 'ada@x.org' }, { employee_id: 'E9', email: null }]);
  });

  it('in an event file a later line with the same key replaces an earlier one, without a reject', async () => {
    const { entries, res } = await loadBad('reviews', [{ performance: 2 }, { performance: 5 }]);
    expect(entries).toEqual([]);
    expect(res).toMatchObject({ rowsRead: 3, rowsLoaded: 1, rowsRejected: 0 });
    expect(await h.rows('select performance, _line from src_reviews')).toEqual([{ performance: 5, _line: 4 }]);
  });

  // Files sorted by their key skip the search for repeats; a repeat or an unsorted file must still be found.
  it.each([
    ['sorted, no repeat', [['E2', '2026-03-02'], ['E2', '2026-03-09'], ['E3', '2026-03-02']], [2, 3, 4]],
    ['sorted, a repeat next to its twin', [['E2', '2026-03-02'], ['E2', '2026-03-09'], ['E2', '2026-03-09'], ['E3', '2026-03-02']], [2, 4, 5]],
    ['unsorted, no repeat', [['E3', '2026-03-02'], ['E2', '2026-03-09'], ['E2', '2026-03-02']], [2, 3, 4]],
    ['unsorted, a repeat far from its twin', [['E2', '2026-03-09'], ['E3', '2026-03-02'], ['E2', '2026-03-02'], ['E2', '2026-03-09']], [3, 4, 5]],
    ['sorted by the first key part only, a repeat', [['E2', '2026-03-09'], ['E2', '2026-03-02'], ['E2', '2026-03-09']], [3, 4]],
  ])('check_ins %s: one row per key, the last line winning', async (_, keys, lines) => {
    const rows = [FULL.check_ins[0], ...keys.map(([e, w]) => [e, 'E1', w, 3, 'yes', 'no'])];
    const [res] = await h.load([h.csv('check_ins.csv', rows)]);
    expect(res).toMatchObject({ status: 'loaded', rowsRejected: 0, rowsLoaded: lines.length });
    expect((await h.rows<{ _line: number }>('select _line from src_check_ins order by _line')).map((r) => r._line)).toEqual(lines);
  });

  it('a snapshot sorted by its key with a repeat still rejects the repeat', async () => {
    const { entries } = await loadBad('roles', [{ role_id: 'ENG-1' }]);
    expect(entries.map((e) => e.slice(0, 2))).toEqual([[3, 'role_id']]);
  });
});
