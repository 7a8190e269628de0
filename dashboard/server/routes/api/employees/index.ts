// GET /api/employees (search), GET /api/employees/:id (the profile) and GET /api/employees/:id/brief
// (the career-conversation brief, brief.ts). Both are only served when the employee is inside the
// caller's scope (else 404, like an unknown id).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { audit } from '../../../auth/audit.ts';
import { userOf } from '../../../context.ts';
import { NotFoundError } from '../../../errors.ts';
import { PEOPLE_FILTERS } from '../../../filters.ts';
import { listRoute } from '../../../list-route.ts';
import { Bool, IdParam, Int, Num, Row, Str, StrList, errors } from '../../../schemas.ts';
import { CAREER_PATH_SQL } from '../career-paths/index.ts';
import { briefRoute } from './brief.ts';
import { profileOf } from './profile.ts';
import { registerSuggestions } from './suggestions.ts';

const EmployeeRow = Row({
  employee_id: Type.String(), full_name: Str(), department: Str(), role_id: Str(), role_title: Str(),
  job_family: Str(), manager_id: Str(), manager_name: Str(), path_state: Str(),
});

const Profile = Type.Object({
  employee: Row({
    employee_id: Type.String(), full_name: Str(), email: Str(), department: Str(), location: Str(),
    hire_date: Str(), role_start_date: Str(), last_promotion_date: Str(),
  }),
  role: Type.Union([Type.Null(), Row({ role_id: Type.String(), title: Str(), job_family: Str(), level: Int(), track: Str() })]),
  manager: Type.Union([Type.Null(), Row({ employee_id: Type.String(), full_name: Str() })]),
  path: Row({
    path_state: Str(),
    targets: Type.Array(Row({ role_id: Type.String(), title: Str(), target_kind: Str(), coverage: Num() })),
  }),
  gaps: Type.Array(Row({
    target_role_id: Type.String(), target_kind: Str(), skill_id: Type.String(), skill_name: Str(),
    required_level: Int(), current_level: Int(), gap: Int(), importance: Int(),
  })),
  coverage: Type.Array(Row({ role_id: Type.String(), title: Str(), target_kind: Str(), coverage: Num() })),
  goals: Type.Array(Row({
    goal_id: Type.String(), title: Str(), status: Str(), progress: Num(), objective_id: Str(),
    target_role_id: Str(), skill_id: Str(), created_on: Str(), due_on: Str(), completed_on: Str(),
    is_linked: Bool(), is_aligned: Bool(),
  })),
  reviews: Type.Array(Row({ cycle: Type.String(), performance: Int(), potential: Int(), reviewed_on: Str() })),
  pulse: Type.Array(Row({ week_of: Type.String(), pulse: Int(), career_discussed: Bool(), manager_replied: Bool() })),
  loaded: Type.Object({ goals: Type.Boolean(), reviews: Type.Boolean(), check_ins: Type.Boolean() }, {
    additionalProperties: false,
    description: 'whether each dataset has any rows at all: never imported reads differently from none for this person',
  }),
  risk: Type.Union([Type.Null(), Row({
    score: Int(), band: Str(), reasons: Str(), factors: StrList({ description: 'factors that apply' }),
  })]),
  asOf: Str(),
  runId: Int(),
});

export default async function employees(app: FastifyInstance) {
  listRoute(app, '/', {
    summary: 'Search active employees (q: name or id)',
    tags: ['employees'],
    requires: ['career_path_state', 'stg_roles', 'stg_employees'],
    row: EmployeeRow,
    spec: {
      base: CAREER_PATH_SQL,
      filters: PEOPLE_FILTERS,
      sorts: ['full_name', 'employee_id', 'department', 'job_family', 'role_id'],
      defaultSort: 'full_name',
      tieBreak: ['employee_id'],
      scopeColumn: 'employee_id',
    },
  });

  app.get('/:id', {
    schema: {
      summary: 'One employee: role, manager, path, gaps, coverage, goals, reviews, pulse, risk',
      tags: ['employees'],
      params: Type.Object({ id: IdParam }),
      response: { 200: Profile, ...errors },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const user = userOf(request);
    const profile = await app.reads.use((conn) => profileOf(conn, id, user));
    if (!profile) throw new NotFoundError(`No active employee with id "${id}" (or not in your part of the org)`);
    await audit(request, 'view_employee', id);
    return profile;
  });

  briefRoute(app);
  registerSuggestions(app);
}
