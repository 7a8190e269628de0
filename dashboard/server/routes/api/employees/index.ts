// GET /api/employees (search), GET /api/employees/:id (the profile) and GET /api/employees/:id/brief
// (the career-conversation brief, brief.ts). Both are only served when the employee is inside the
// caller's scope (else 404, like an unknown id).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { DuckDBConnection } from '@duckdb/node-api';
import { audit } from '../../../auth/audit.ts';
import { dataVersion, userOf } from '../../../context.ts';
import { NotFoundError } from '../../../errors.ts';
import { PEOPLE_FILTERS } from '../../../filters.ts';
import { listRoute, missingTables } from '../../../list-route.ts';
import { buildWhere } from '../../../query.ts';
import { readOne, readRows } from '../../../rows.ts';
import { Bool, IdParam, Int, Num, Row, Str, StrList, errors } from '../../../schemas.ts';
import { CAREER_PATH_SQL } from '../career-paths/index.ts';
import { RISK_FACTORS } from '../retention/index.ts';
import { briefRoute } from './brief.ts';
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

/** Which datasets the profile lists rows of have any rows at all (for the page's wording when a list is empty). */
async function loadedDatasets(conn: DuckDBConnection) {
  const has = async (dataset: string) => (await optionalRows(conn, [`stg_${dataset}`], `select 1 from stg_${dataset} limit 1`, {})).length > 0;
  return { goals: await has('goals'), reviews: await has('reviews'), check_ins: await has('check_ins') };
}

async function optionalRows(conn: DuckDBConnection, tables: string[], sql: string, params: Record<string, string>) {
  if ((await missingTables(conn, tables)).length) return [];
  return readRows(conn, sql, params);
}

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
    const profile = await app.reads.use(async (conn) => {
      const version = await dataVersion(conn);
      if ((await missingTables(conn, ['career_path_state', 'stg_employees', 'stg_roles'])).length) return null;
      const { where, params } = buildWhere({ scopeColumn: 'employee_id' }, {}, user,
        [{ clause: 'employee_id = $id', params: { id } }]);
      // career_path_state alone, then the manager's name by id: CAREER_PATH_SQL's join reads every employee
      // for one name (bench/README.md, the employee page)
      const base = await readOne(conn, `select employee_id, role_id, manager_id, path_state,
        cast(path_targets as varchar[]) as path_targets from career_path_state ${where}`, params);
      if (!base) return null;
      if (base.manager_id != null) {
        base.manager_name = (await readOne(conn, 'select full_name from stg_employees where employee_id = $m', { m: base.manager_id as string }))?.full_name ?? null;
      }
      const p = { id };
      const employee = await readOne(conn, `select employee_id, full_name, email, department, location,
        hire_date, role_start_date, last_promotion_date from stg_employees where employee_id = $id`, p);
      const role = await readOne(conn, `select role_id, title, job_family, level::int as level, track from stg_roles where role_id = $role`,
        { role: base.role_id as string });
      const coverage = await optionalRows(conn, ['role_coverage'], `
        select c.role_id, r.title, c.target_kind, c.coverage::double as coverage
        from role_coverage c left join stg_roles r using (role_id)
        where c.employee_id = $id order by c.target_kind, c.role_id`, p);
      const gaps = await optionalRows(conn, ['skill_gaps_employee', 'stg_skills'], `
        select g.target_role_id, g.target_kind, g.skill_id, s.name as skill_name, g.required_level::int as required_level,
               g.current_level::int as current_level, g.gap::int as gap, g.importance::int as importance
        from skill_gaps_employee g left join stg_skills s using (skill_id)
        where g.employee_id = $id order by g.target_kind, g.target_role_id, g.gap desc, g.skill_id`, p);
      const goals = await optionalRows(conn, ['stg_goals'], `
        select g.goal_id, g.title, g.status, g.progress::double as progress, g.objective_id, g.target_role_id, g.skill_id,
               g.created_on, g.due_on, g.completed_on,
               ${(await missingTables(conn, ['int_goals_linked'])).length ? 'null::boolean as is_linked, null::boolean as is_aligned'
                 : 'l.is_path_linked as is_linked, l.is_aligned'}
        from stg_goals g
        ${(await missingTables(conn, ['int_goals_linked'])).length ? '' : 'left join int_goals_linked l using (goal_id)'}
        where g.employee_id = $id and g.created_on <= $as_of::date
        order by g.created_on desc, g.goal_id`, { ...p, as_of: version.asOf ?? '9999-12-31' });
      const reviews = await optionalRows(conn, ['stg_reviews'], `
        select cycle, performance::int as performance, potential::int as potential, reviewed_on
        from stg_reviews where employee_id = $id and reviewed_on <= $as_of::date order by reviewed_on, cycle`,
        { ...p, as_of: version.asOf ?? '9999-12-31' });
      const pulse = await optionalRows(conn, ['stg_check_ins'], `
        select week_of, pulse::int as pulse, career_discussed, manager_replied
        from stg_check_ins where employee_id = $id and week_of <= $as_of::date order by week_of`,
        { ...p, as_of: version.asOf ?? '9999-12-31' });
      // retention_risk alone: RETENTION_SQL's join adds names the profile does not read, and the person is in
      // career_path_state already (base), so its inner join keeps them (one table read instead of a 4-way join).
      const riskRow = (await optionalRows(conn, ['retention_risk'],
        `select score::int as score, band::varchar as band, reasons, ${RISK_FACTORS.join(', ')} from retention_risk where employee_id = $id`, p))[0];
      const targets = coverage.filter((c) => c.target_kind !== 'current');
      const pathTargets = (base.path_targets as string[] | null) ?? [];
      for (const t of pathTargets) {
        if (!targets.some((c) => c.role_id === t)) targets.push({ role_id: t, title: null, target_kind: 'path', coverage: null });
      }
      return {
        employee,
        role: role ?? null,
        manager: base.manager_id ? { employee_id: base.manager_id, full_name: base.manager_name } : null,
        path: { path_state: base.path_state, targets },
        gaps, coverage, goals, reviews, pulse,
        // the same for every profile of a data version: kept, not read three times per profile
        loaded: await loadedDatasets(conn), // not memoised: three one-row reads, and always the data as it is
        risk: riskRow ? {
          score: riskRow.score, band: riskRow.band, reasons: riskRow.reasons,
          factors: RISK_FACTORS.filter((f) => riskRow[f] === true),
        } : null,
        ...version,
      };
    });
    if (!profile) throw new NotFoundError(`No active employee with id "${id}" (or not in your part of the org)`);
    await audit(request, 'view_employee', id);
    return profile;
  });

  briefRoute(app);
  registerSuggestions(app);
}
