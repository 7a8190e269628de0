// Event rows (assessments, reviews, check-ins) are kept across loads, but a later snapshot may drop their
// owner (a skill, an employee). References are checked against the rows in effect after the run, so such
// rows are dangling: the models leave them out and the run counts them in its notes, instead of failing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, type Db } from './db.ts';
import { runPipeline, type RunOptions } from './run.ts';
import { csv, runEnv } from './run-test-env.ts';

const roles = csv('roles', [{ role_id: 'r1', title: 'Engineer', job_family: 'Eng', level: '2' }, { role_id: 'r2', title: 'Senior', job_family: 'Eng', level: '3' }]);
const employees = (ids: string[]) => csv('employees', ids.map((id) => ({ employee_id: id, full_name: id, department: 'Eng', role_id: 'r1', hire_date: '2020-01-01' })));
const skills = (ids: string[]) => csv('skills', ids.map((id) => ({ skill_id: id, name: `Skill ${id}` })));
const roleSkills = (ids: string[]) => csv('role_skills', ids.flatMap((id) => [
  { role_id: 'r1', skill_id: id, required_level: '2' }, { role_id: 'r2', skill_id: id, required_level: '3' }]));
const progressions = csv('role_progressions', [{ from_role_id: 'r1', to_role_id: 'r2' }]);
const assessments = (rows: [string, string, string][]) => csv('employee_skills',
  rows.map(([employee_id, skill_id, level]) => ({ employee_id, skill_id, level, assessed_on: '2026-01-15', source: 'manager' })));

describe('event rows whose owners a later snapshot drops', () => {
  let db: Db;
  let opts: RunOptions;
  let drop: (name: string, text: string) => void;
  const q = async (sql: string) => all(await db.connect(), sql);

  beforeAll(async () => {
    ({ db, opts, drop } = await runEnv('trellis-orphans-', '2026-03-31', '2026-04-01T00:00:00Z'));
  });
  afterAll(() => db.close());

  it('two successive loads with different skills (and employees) lists both succeed', async () => {
    drop('roles.csv', roles);
    drop('role_progressions.csv', progressions);
    drop('employees.csv', employees(['e1', 'e2', 'e3']));
    drop('skills.csv', skills(['go', 'sql', 'ux']));
    drop('role_skills.csv', roleSkills(['go', 'sql', 'ux']));
    drop('employee_skills.csv', assessments([['e1', 'go', '3'], ['e1', 'ux', '4'], ['e2', 'sql', '1'], ['e3', 'go', '5']]));
    drop('reviews.csv', 'employee_id,cycle,performance,potential,reviewed_on\ne1,2025-H2,4,2,2025-12-15\ne3,2025-H2,5,3,2025-12-15\n');
    const first = await runPipeline(db, opts);
    expect(first.error).toBeNull();
    expect(first.notes.join(' ')).not.toMatch(/dangling/);

    // the second org: no 'ux' skill any more, e3 has left the export; the assessments stay (event data)
    drop('skills.csv', skills(['go', 'sql', 'k8s']));
    drop('role_skills.csv', roleSkills(['go', 'k8s']));
    drop('employees.csv', employees(['e1', 'e2']));
    const second = await runPipeline(db, opts);
    expect(second.error).toBeNull();
    expect(second.status).toBe('succeeded');
    expect(await q('select count(*)::int as n from src_employee_skills')).toEqual([{ n: 4 }]);
    // e1/ux (skill gone) and e3/go (employee gone)
    expect(second.notes).toContainEqual(expect.stringMatching(/^3 dangling event rows .*: employee_skills: 2 \(1 whose employee_id, 1 whose skill_id is no longer loaded\); reviews: 1 \(1 whose employee_id is no longer loaded\)$/));
    expect(await q('select employee_id, skill_id, current_level from int_skill_levels_current order by all')).toEqual([
      { employee_id: 'e1', skill_id: 'go', current_level: 3 }, { employee_id: 'e2', skill_id: 'sql', current_level: 1 },
    ]);
    expect(await q('select employee_id from int_reviews_latest')).toEqual([{ employee_id: 'e1' }]);
    expect(await q("select skill_id, supply::int as supply from skill_gaps_org where scope = 'company' order by skill_id")).toEqual([
      { skill_id: 'go', supply: 1 }, { skill_id: 'k8s', supply: 0 },
    ]);
  });
});
