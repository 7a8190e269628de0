// Skill gaps: org views (department / job family / company × skill), employee gap rows, role coverage.
import type { FastifyInstance } from 'fastify';
import { scopedFrom } from '../../../scoped.ts';
import { Type } from '@sinclair/typebox';
import { isUnscoped } from '../../../scope.ts';
import { userOf } from '../../../context.ts';
import { PEOPLE_FILTERS } from '../../../filters.ts';
import { listRoute } from '../../../list-route.ts';
import { Int, Num, Row, Str } from '../../../schemas.ts';

const OrgRow = Row({
  scope: Type.String(), scope_value: Str(), skill_id: Type.String(), skill_name: Str(), category: Str(),
  employees_requiring: Int(), employees_short: Int(), mean_gap: Num(), gap_points: Int(), supply: Int(), demand: Int(),
});

const ORG_SQL = `
  select o.scope, o.scope_value, o.skill_id, s.name as skill_name, s.category,
         o.employees_requiring::int as employees_requiring, o.employees_short::int as employees_short,
         o.mean_gap::double as mean_gap, o.gap_points::int as gap_points, o.supply::int as supply, o.demand::int as demand
  from skill_gaps_org o left join stg_skills s using (skill_id)`;

/**
 * The same figures computed from the current-role gap rows of the caller's subtree (managers).
 * Supply needs every assessment and demand is org planning: both are null here.
 */
const orgScopedSql = (scopedGaps: string) => `
  with gaps as (
    select g.employee_id, g.skill_id, g.gap, g.importance, c.department, r.job_family
    from ${scopedGaps} as g
    join career_path_state c using (employee_id)
    left join stg_roles r on r.role_id = c.role_id
    where g.target_kind = 'current'                         -- org views are about the role people hold now
  ),
  scoped as (
    select 'department' as scope, department as scope_value, * exclude (department, job_family) from gaps
    union all select 'job_family', job_family, * exclude (department, job_family) from gaps
    union all select 'company', null, * exclude (department, job_family) from gaps
  )
  select o.scope, o.scope_value, o.skill_id, s.name as skill_name, s.category,
         count(distinct employee_id)::int as employees_requiring,
         count(distinct employee_id) filter (where gap > 0)::int as employees_short,
         avg(gap)::double as mean_gap, sum(importance * gap)::int as gap_points,
         null::int as supply, null::int as demand
  from scoped o left join stg_skills s using (skill_id)
  group by all`;

const EmployeeGapRow = Row({
  employee_id: Type.String(), full_name: Str(), department: Str(), job_family: Str(), manager_id: Str(),
  target_role_id: Type.String(), target_role_title: Str(), target_kind: Str(),
  skill_id: Type.String(), skill_name: Str(), required_level: Int(), current_level: Int(), gap: Int(), importance: Int(),
});

const EMPLOYEE_GAPS_SQL = `
  select g.employee_id, c.full_name, c.department, r.job_family, c.manager_id,
         g.target_role_id, t.title as target_role_title, g.target_kind,
         g.skill_id, s.name as skill_name, g.required_level::int as required_level, g.current_level::int as current_level,
         g.gap::int as gap, g.importance::int as importance
  from skill_gaps_employee g
  join career_path_state c using (employee_id)
  left join stg_roles r on r.role_id = c.role_id
  left join stg_roles t on t.role_id = g.target_role_id
  left join stg_skills s on s.skill_id = g.skill_id`;

const CoverageRow = Row({
  employee_id: Type.String(), full_name: Str(), department: Str(), job_family: Str(), manager_id: Str(),
  role_id: Type.String(), role_title: Str(), target_kind: Str(), coverage: Num(),
});

const COVERAGE_SQL = `
  select v.employee_id, c.full_name, c.department, r.job_family, c.manager_id,
         v.role_id, t.title as role_title, v.target_kind, v.coverage::double as coverage
  from role_coverage v
  join career_path_state c using (employee_id)
  left join stg_roles r on r.role_id = c.role_id
  left join stg_roles t on t.role_id = v.role_id`;

/** Which kind of target a gap or coverage row is about. */
const TARGET_KIND_FILTER = { column: 'target_kind', values: ['path', 'default_next', 'current'], description: 'path | default_next | current' };

export default async function skillGaps(app: FastifyInstance) {
  const orgSpec = {
    filters: {
      scope: { column: 'scope', values: ['department', 'job_family', 'company'], description: 'department | job_family | company' },
      value: { column: 'scope_value', description: 'the department or job family' },
      skill: { column: 'skill_id', description: 'skill id' },
    },
    sorts: ['gap_points', 'employees_short', 'employees_requiring', 'mean_gap', 'supply', 'demand', 'skill_id', 'skill_name', 'scope_value'],
    defaultSort: 'gap_points',
    defaultOrder: 'desc' as const,
    tieBreak: ['scope', 'scope_value', 'skill_id'],
    scopeColumn: null,
  };
  listRoute(app, '/org', {
    summary: 'Skill gaps by department, job family or company × skill',
    tags: ['skill gaps'],
    row: OrgRow,
    requires: ['skill_gaps_org', 'stg_skills', 'skill_gaps_employee', 'career_path_state', 'stg_roles'],
    spec: { ...orgSpec, base: ORG_SQL },
    // Admins and leaders read the org-wide mart; a manager's figures come from their subtree's rows.
    source: (request) => {
      const user = userOf(request);
      if (isUnscoped(user)) return { base: ORG_SQL, params: {} };
      const gaps = scopedFrom('skill_gaps_employee', user);
      return { base: orgScopedSql(gaps.sql), params: gaps.params };
    },
  });

  listRoute(app, '/employees', {
    summary: 'Gap rows per employee × target role × required skill',
    tags: ['skill gaps'],
    requires: ['skill_gaps_employee', 'career_path_state', 'stg_roles', 'stg_skills'],
    row: EmployeeGapRow,
    spec: {
      base: EMPLOYEE_GAPS_SQL,
      filters: {
        department: PEOPLE_FILTERS.department,
        job_family: PEOPLE_FILTERS.job_family,
        manager: PEOPLE_FILTERS.manager,
        skill: { column: 'skill_id', description: 'skill id' },
        target_kind: TARGET_KIND_FILTER,
        employee: { column: 'employee_id', description: 'employee id' },
        role: { column: 'target_role_id', description: 'target role id' },
        q: PEOPLE_FILTERS.q,
      },
      sorts: ['gap', 'full_name', 'employee_id', 'department', 'skill_id', 'importance', 'required_level', 'current_level', 'target_role_id'],
      defaultSort: 'gap',
      defaultOrder: 'desc',
      tieBreak: ['employee_id', 'target_role_id', 'skill_id'],
      scopeColumn: 'employee_id',
    },
  });

  listRoute(app, '/coverage', {
    summary: 'Coverage of each target role per employee (0–1)',
    tags: ['skill gaps'],
    requires: ['role_coverage', 'career_path_state', 'stg_roles'],
    row: CoverageRow,
    spec: {
      base: COVERAGE_SQL,
      filters: {
        department: PEOPLE_FILTERS.department,
        job_family: PEOPLE_FILTERS.job_family,
        manager: PEOPLE_FILTERS.manager,
        role: { column: 'role_id', description: 'target role id' },
        target_kind: TARGET_KIND_FILTER,
        employee: { column: 'employee_id', description: 'employee id' },
        q: PEOPLE_FILTERS.q,
      },
      sorts: ['coverage', 'full_name', 'employee_id', 'department', 'role_id', 'target_kind'],
      defaultSort: 'coverage',
      tieBreak: ['employee_id', 'role_id'],
      scopeColumn: 'employee_id',
    },
  });
}
