// GET /api/career-paths: career_path_state rows with the role, job family and manager's name.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { listRoute } from '../../../list-route.ts';
import { Int, Row, Str, StrList } from '../../../schemas.ts';
import { PEOPLE_FILTERS } from '../../../filters.ts';

export const CareerPathRow = Row({
  employee_id: Type.String(),
  full_name: Str(),
  department: Str(),
  role_id: Str(),
  role_title: Str(),
  job_family: Str(),
  manager_id: Str(),
  manager_name: Str(),
  path_state: Str({ enum: ['no_path', 'top_of_ladder', 'plan_only', 'on_path', null] }),
  path_targets: StrList({ description: 'target role ids' }),
  n_path_targets: Int(),
  n_linked_goals: Int(),
});

export const CAREER_PATH_SQL = `
  select c.employee_id, c.full_name, c.department, c.role_id, r.title as role_title, r.job_family,
         c.manager_id, m.full_name as manager_name, c.path_state,
         cast(c.path_targets as varchar[]) as path_targets,
         c.n_path_targets::int as n_path_targets, c.n_linked_goals::int as n_linked_goals
  from career_path_state c
  left join stg_roles r on r.role_id = c.role_id
  left join stg_employees m on m.employee_id = c.manager_id`;

export default async function careerPaths(app: FastifyInstance) {
  listRoute(app, '/', {
    summary: 'Career path state of every active employee',
    tags: ['career paths'],
    requires: ['career_path_state', 'stg_roles', 'stg_employees'],
    row: CareerPathRow,
    spec: {
      base: CAREER_PATH_SQL,
      filters: PEOPLE_FILTERS,
      sorts: ['full_name', 'employee_id', 'department', 'job_family', 'role_id', 'path_state', 'n_path_targets', 'n_linked_goals'],
      defaultSort: 'full_name',
      tieBreak: ['employee_id'],
      scopeColumn: 'employee_id',
    },
  });
}
