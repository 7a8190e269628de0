// Succession: org summary, critical roles with bench depth, one role with ranked candidates, all
// candidates, and the 9-box. A manager's figures cover their organisation: the critical roles held in
// their subtree and the candidates from it, through the succession marts' own SQL (managerMarts).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { sendArrow, wantsArrow } from '../../../arrow.ts';
import { dataVersion, memoByVersion, scopeKey, userOf } from '../../../context.ts';
import { NotFoundError } from '../../../errors.ts';
import { PEOPLE_FILTERS } from '../../../filters.ts';
import type { AuthUser } from '../../../auth/user.ts';
import { listRoute, missingTables, type ListSource } from '../../../list-route.ts';
import { buildWhere } from '../../../query.ts';
import { readColumns, readOne, readRows, toRows } from '../../../rows.ts';
import { Bool, IdParam, Int, Num, Row, Str, errors } from '../../../schemas.ts';
import { isUnscoped, scopeSql } from '../../../scope.ts';
import { martShadow, stored, withShadows, type Shadow } from '../../../scoped.ts';
import planRoutes from './plans.ts';

const READINESS = ['ready_now', 'ready_1_2_years', 'ready_3_plus_years', 'not_ready'] as const;
const BANDS = ['low', 'moderate', 'high'] as const;

const Summary = Type.Object({
  n_critical_roles: Int(), succession_readiness_rate: Num(), successor_coverage: Num(), successor_coverage_median: Num(),
  bench_strength_index: Num(), asOf: Str(), runId: Int(),
});

const RoleRow = Row({
  role_id: Type.String(), title: Str(), job_family: Str(), level: Int(),
  n_incumbents: Int(), n_ready_now: Int(), n_ready_1_2_years: Int(), n_ready_3_plus_years: Int(), n_not_ready: Int(),
  has_bench: Bool(), incumbent_risk_band: Str(), bench_strength: Num(),
});

const CandidateRow = Row({
  role_id: Type.String(), role_title: Str(), employee_id: Type.String(), full_name: Str(), department: Str(),
  job_family: Str(), current_role_id: Str(), manager_id: Str(),
  coverage: Num(), performance: Int(), potential: Int(), readiness: Str(), readiness_score: Int(),
  nominated_readiness: Str(), calibration: Str(), is_path_target: Bool(), is_nominated: Bool(), is_feeder: Bool(),
});

const CANDIDATES_SQL = `
  select s.role_id, ro.title as role_title, s.employee_id, c.full_name, c.department, cr.job_family,
         c.role_id as current_role_id, c.manager_id,
         s.coverage::double as coverage, s.performance::int as performance, s.potential::int as potential,
         s.readiness, s.readiness_score::int as readiness_score, s.nominated_readiness, s.calibration,
         s.is_path_target, s.is_nominated, s.is_feeder
  from succession_candidates as s
  left join career_path_state c using (employee_id)
  left join stg_roles ro on ro.role_id = s.role_id
  left join stg_roles cr on cr.role_id = c.role_id`;

const ROLES_MART_SQL = `
  select s.role_id, r.title, r.job_family, r.level::int as level, s.n_incumbents::int as n_incumbents,
    s.n_ready_now::int as n_ready_now, s.n_ready_1_2_years::int as n_ready_1_2_years,
    s.n_ready_3_plus_years::int as n_ready_3_plus_years, s.n_not_ready::int as n_not_ready, s.has_bench,
    s.incumbent_risk_band, s.bench_strength::double as bench_strength
  from succession_roles s left join stg_roles r using (role_id)`;

/**
 * A manager's organisation (spec: "In a manager's scope"): the critical roles held by someone in their
 * subtree, and the candidates from their subtree for those roles, as shadows of the tables the
 * succession marts read. A vacant critical role is held by nobody, so it is in no manager's organisation.
 */
function managerInputs(user: AuthUser | null): { shadows: Shadow[]; params: Record<string, DuckDBValue> } {
  const scope = scopeSql(user, 'employee_id');
  const inScope = (table: string) => `select * from ${stored(table)} where ${scope.clause}`;
  return {
    shadows: [
      { name: 'int_employees_active', sql: inScope('int_employees_active') },
      // the roles held in the subtree (the marts keep the critical ones among them)
      { name: 'stg_roles', sql: `select * from ${stored('stg_roles')} where role_id in (select role_id from int_employees_active)` },
      { name: 'succession_candidates', sql: `${inScope('succession_candidates')} and role_id in (select role_id from stg_roles)` },
      { name: 'retention_risk', sql: inScope('retention_risk') },
    ],
    params: scope.params,
  };
}

/**
 * The succession marts over a manager's organisation, recomputed by their own SQL, so the figures follow
 * the org-wide formulas exactly; k (the critical roles a candidate is ready for) counts within it.
 */
function managerMarts(user: AuthUser | null): { shadows: Shadow[]; params: Record<string, DuckDBValue> } {
  const { shadows, params } = managerInputs(user);
  shadows.push(martShadow('succession_roles', shadows));
  shadows.push(martShadow('succession_summary', shadows));
  return { shadows, params };
}

/** Roles SQL for the caller: the mart for admins/leaders, the mart's SQL over their organisation for managers. */
function rolesSource(user: AuthUser | null): ListSource {
  if (isUnscoped(user)) return { base: ROLES_MART_SQL, params: {} };
  const { shadows, params } = managerMarts(user);
  return { base: withShadows(shadows, ROLES_MART_SQL), params };
}

/** Candidates for the caller: all for admins/leaders; for managers, those for their organisation's roles (the list also scopes the people). */
function candidatesSource(user: AuthUser | null): ListSource {
  if (isUnscoped(user)) return { base: CANDIDATES_SQL, params: {} };
  // stg_roles is the subtree's roles here, which include each candidate's current role (they hold it)
  const { shadows, params } = managerInputs(user);
  return { base: withShadows(shadows, CANDIDATES_SQL), params };
}

const ROLE_TABLES = ['succession_roles', 'succession_candidates', 'int_employees_active', 'career_path_state', 'retention_risk', 'stg_roles'];

/** Org succession figures: the mart for admins/leaders, the mart's SQL over their organisation for managers. */
export async function successionSummary(conn: DuckDBConnection, user: AuthUser | null) {
  // successor_coverage_median: null until the mart has that column (December 2026 definitions)
  const empty = { n_critical_roles: null, succession_readiness_rate: null, successor_coverage: null, successor_coverage_median: null, bench_strength_index: null };
  if ((await missingTables(conn, ['succession_summary', ...ROLE_TABLES])).length) return empty;
  const { shadows, params } = isUnscoped(user) ? { shadows: [], params: {} } : managerMarts(user);
  const select = 'select * from succession_summary';
  return { ...empty, ...(await readOne(conn, shadows.length ? withShadows(shadows, select) : select, params)) };
}

export default async function succession(app: FastifyInstance) {
  await planRoutes(app); // saved plans: /plans, /plans/:roleId, /versions, /what-if, /disagreements

  app.get('/summary', {
    schema: { summary: 'Succession readiness rate, successor coverage, bench strength index', tags: ['succession'], response: { 200: Summary, ...errors } },
  }, async (request) => {
    const user = userOf(request);
    return app.reads.use((conn) => memoByVersion(conn, `${app.db.path}|succession-summary|${scopeKey(user)}`,
      async () => ({ ...(await successionSummary(conn, user)), ...(await dataVersion(conn)) })));
  });

  listRoute(app, '/roles', {
    summary: 'Critical roles with bench depth, incumbents and their highest risk band',
    tags: ['succession'],
    requires: ROLE_TABLES,
    row: RoleRow,
    spec: {
      base: ROLES_MART_SQL,
      filters: { job_family: { column: 'job_family' }, role: { column: 'role_id' } },
      sorts: ['role_id', 'title', 'bench_strength', 'n_ready_now', 'n_ready_1_2_years', 'n_incumbents', 'job_family', 'level'],
      defaultSort: 'bench_strength',
      tieBreak: ['role_id'],
      scopeColumn: null, // roles are not people; the counts come from scoped rows (source)
    },
    source: (request) => rolesSource(userOf(request)),
  });

  app.get('/roles/:roleId', {
    schema: {
      summary: 'One critical role with its candidates ranked by readiness score',
      tags: ['succession'],
      params: Type.Object({ roleId: IdParam }),
      response: { 200: Type.Object({ role: RoleRow, candidates: Type.Array(CandidateRow), asOf: Str(), runId: Int() }), ...errors },
    },
  }, async (request) => {
    const { roleId } = request.params as { roleId: string };
    const user = userOf(request);
    const answer = await app.reads.use(async (conn) => {
      const version = await dataVersion(conn);
      if ((await missingTables(conn, ROLE_TABLES)).length) return null;
      const roles = rolesSource(user);
      const role = await readOne(conn, `select * from (${roles.base}\n) where role_id = $role_id`, { ...roles.params, role_id: roleId });
      if (!role) return null;
      const source = candidatesSource(user);
      const { where, params } = buildWhere({ scopeColumn: 'employee_id' }, {}, user, [{ clause: 'role_id = $role_id', params: { role_id: roleId } }]);
      const candidates = await readRows(conn,
        `select * from (${source.base}\n) as t ${where} order by readiness_score desc nulls last, employee_id`, { ...source.params, ...params });
      return { role, candidates, ...version };
    });
    if (!answer) throw new NotFoundError(`No critical role "${roleId}"${isUnscoped(user) ? '' : ' in your organisation'}`);
    return answer;
  });

  listRoute(app, '/candidates', {
    summary: 'Succession candidates for critical roles with readiness and evidence',
    tags: ['succession'],
    requires: ['succession_candidates', 'career_path_state', 'stg_roles', 'int_employees_active'],
    row: CandidateRow,
    spec: {
      base: CANDIDATES_SQL,
      filters: {
        role: { column: 'role_id', description: 'critical role id' },
        readiness: { column: 'readiness', values: READINESS },
        calibration: { column: 'calibration', values: ['over_rated', 'under_rated'] },
        department: PEOPLE_FILTERS.department,
        job_family: PEOPLE_FILTERS.job_family,
        manager: PEOPLE_FILTERS.manager,
        q: PEOPLE_FILTERS.q,
      },
      sorts: ['readiness_score', 'coverage', 'full_name', 'employee_id', 'role_id', 'readiness', 'performance'],
      defaultSort: 'readiness_score',
      defaultOrder: 'desc',
      tieBreak: ['role_id', 'employee_id'],
      scopeColumn: 'employee_id',
    },
    source: (request) => candidatesSource(userOf(request)),
  });

  const NineCell = Row({ performance_band: Type.String(), potential_band: Type.String(), n: Type.Integer() });
  const NinePerson = Row({
    employee_id: Type.String(), full_name: Str(), department: Str(), role_id: Str(), manager_id: Str(),
    performance_band: Str(), potential_band: Str(),
  });
  app.get('/nine-box', {
    schema: {
      summary: '9-box cells with counts; with performance_band and potential_band, the people in that cell',
      tags: ['succession'],
      querystring: Type.Object({
        performance_band: Type.Optional(Type.Union(BANDS.map((b) => Type.Literal(b)))),
        potential_band: Type.Optional(Type.Union(BANDS.map((b) => Type.Literal(b)))),
        department: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        manager: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ cells: Type.Array(NineCell), rows: Type.Array(NinePerson), asOf: Str(), runId: Int() }), ...errors },
    },
  }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const user = userOf(request);
    const out = await app.reads.use(async (conn) => {
      const version = await dataVersion(conn);
      if ((await missingTables(conn, ['nine_box', 'career_path_state'])).length) return { cells: [], rows: [], read: null, ...version };
      const base = `select n.employee_id, c.full_name, c.department, c.role_id, c.manager_id, n.performance_band, n.potential_band
        from nine_box n join career_path_state c using (employee_id) where n.performance_band is not null and n.potential_band is not null`;
      const filters = { department: PEOPLE_FILTERS.department, manager: PEOPLE_FILTERS.manager };
      const cellsWhere = buildWhere({ filters, scopeColumn: 'employee_id' }, q, user);
      const cells = await readRows(conn, `select performance_band, potential_band, count(*)::int as n
        from (${base}) as t ${cellsWhere.where} group by all order by all`, cellsWhere.params);
      let read = null;
      if (q.performance_band && q.potential_band) {
        const drill = buildWhere({
          filters: { ...filters, performance_band: { column: 'performance_band' }, potential_band: { column: 'potential_band' } },
          scopeColumn: 'employee_id',
        }, q, user);
        read = await readColumns(conn, `select * from (${base}) as t ${drill.where} order by full_name, employee_id`, drill.params);
      }
      return { cells, rows: read ? toRows(read) : [], read, ...version };
    });
    if (out.read && wantsArrow(request)) return sendArrow(reply, out.read);
    return { cells: out.cells, rows: out.rows, asOf: out.asOf, runId: out.runId };
  });
}
