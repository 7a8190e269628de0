// Succession: org summary, critical roles with bench depth, one role with ranked candidates, all
// candidates, and the 9-box. Managers' figures are computed from the candidates in their subtree.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { sendArrow, wantsArrow } from '../../../arrow.ts';
import { dataVersion, memoByVersion, scopeKey, userOf } from '../../../context.ts';
import { NotFoundError } from '../../../errors.ts';
import { PEOPLE_FILTERS } from '../../../filters.ts';
import { listRoute, missingTables } from '../../../list-route.ts';
import { buildWhere } from '../../../query.ts';
import { readColumns, readOne, readRows, toRows } from '../../../rows.ts';
import { Bool, IdParam, Int, Num, Row, Str, errors } from '../../../schemas.ts';
import { isUnscoped } from '../../../scope.ts';
import { scopedFrom } from '../../../scoped.ts';

const READINESS = ['ready_now', 'ready_1_2_years', 'ready_3_plus_years', 'not_ready'] as const;
const BANDS = ['low', 'moderate', 'high'] as const;

const Summary = Type.Object({
  n_critical_roles: Int(), succession_readiness_rate: Num(), successor_coverage: Num(), bench_strength_index: Num(),
  asOf: Str(), runId: Int(),
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

const CANDIDATES_SQL = (from = 'succession_candidates') => `
  select s.role_id, ro.title as role_title, s.employee_id, c.full_name, c.department, cr.job_family,
         c.role_id as current_role_id, c.manager_id,
         s.coverage::double as coverage, s.performance::int as performance, s.potential::int as potential,
         s.readiness, s.readiness_score::int as readiness_score, s.nominated_readiness, s.calibration,
         s.is_path_target, s.is_nominated, s.is_feeder
  from ${from} as s
  left join career_path_state c using (employee_id)
  left join stg_roles ro on ro.role_id = s.role_id
  left join stg_roles cr on cr.role_id = c.role_id`;

/** Per critical role figures from (scoped) candidate, incumbent and risk rows. */
const rolesFromRows = (candidates: string, people: string, risk: string) => `
  with critical as (select role_id, title, job_family, level from stg_roles where is_critical),
  cand as (select * from ${candidates}),
  ready2 as (
    select role_id, employee_id, count(*) over (partition by employee_id) as k
    from cand where readiness in ('ready_now', 'ready_1_2_years')
  ),
  bench as (select role_id, sum(1.0 / k) as bench_strength from ready2 group by role_id),
  counts as (
    select role_id,
      count(*) filter (where readiness = 'ready_now') as n_ready_now,
      count(*) filter (where readiness = 'ready_1_2_years') as n_ready_1_2_years,
      count(*) filter (where readiness = 'ready_3_plus_years') as n_ready_3_plus_years,
      count(*) filter (where readiness = 'not_ready') as n_not_ready
    from cand group by role_id
  ),
  inc as (
    select p.role_id, count(*) as n_incumbents,
      max(case r.band when 'high' then 3 when 'medium' then 2 when 'low' then 1 end) as worst
    from ${people} as p left join ${risk} as r using (employee_id) group by p.role_id
  )
  select critical.role_id, critical.title, critical.job_family, critical.level::int as level,
    coalesce(inc.n_incumbents, 0)::int as n_incumbents,
    coalesce(counts.n_ready_now, 0)::int as n_ready_now,
    coalesce(counts.n_ready_1_2_years, 0)::int as n_ready_1_2_years,
    coalesce(counts.n_ready_3_plus_years, 0)::int as n_ready_3_plus_years,
    coalesce(counts.n_not_ready, 0)::int as n_not_ready,
    coalesce(counts.n_ready_now, 0) + coalesce(counts.n_ready_1_2_years, 0) > 0 as has_bench,
    case inc.worst when 3 then 'high' when 2 then 'medium' when 1 then 'low' end as incumbent_risk_band,
    coalesce(bench.bench_strength, 0)::double as bench_strength
  from critical
  left join counts using (role_id) left join inc using (role_id) left join bench using (role_id)`;

const ROLES_MART_SQL = `
  select s.role_id, r.title, r.job_family, r.level::int as level, s.n_incumbents::int as n_incumbents,
    s.n_ready_now::int as n_ready_now, s.n_ready_1_2_years::int as n_ready_1_2_years,
    s.n_ready_3_plus_years::int as n_ready_3_plus_years, s.n_not_ready::int as n_not_ready, s.has_bench,
    s.incumbent_risk_band, s.bench_strength::double as bench_strength
  from succession_roles s left join stg_roles r using (role_id)`;

/** Roles SQL for the caller: the mart for admins/leaders, recomputed from subtree rows for managers. */
function rolesSource(user: ReturnType<typeof userOf>): { base: string; params: Record<string, DuckDBValue> } {
  if (isUnscoped(user)) return { base: ROLES_MART_SQL, params: {} };
  const c = scopedFrom('succession_candidates', user);
  const p = scopedFrom('career_path_state', user);
  const r = scopedFrom('retention_risk', user);
  return { base: rolesFromRows(c.sql, p.sql, r.sql), params: { ...c.params, ...p.params, ...r.params } };
}

const ROLE_TABLES = ['succession_roles', 'succession_candidates', 'career_path_state', 'retention_risk', 'stg_roles'];

/** Org succession figures: the mart for admins/leaders, recomputed from subtree rows for managers. */
export async function successionSummary(conn: DuckDBConnection, user: ReturnType<typeof userOf>) {
  const empty = { n_critical_roles: null, succession_readiness_rate: null, successor_coverage: null, bench_strength_index: null };
  if ((await missingTables(conn, ['succession_summary', ...ROLE_TABLES])).length) return empty;
  if (isUnscoped(user)) {
    const row = await readOne(conn, `select n_critical_roles::int as n_critical_roles,
      succession_readiness_rate::double as succession_readiness_rate, successor_coverage::double as successor_coverage,
      bench_strength_index::double as bench_strength_index from succession_summary`);
    return { ...empty, ...row };
  }
  const roles = rolesSource(user);
  const c = scopedFrom('succession_candidates', user);
  const row = await readOne(conn, `
    with roles as (${roles.base})
    select count(*)::int as n_critical_roles,
      (count(*) filter (where n_ready_now > 0))::double / nullif(count(*), 0) as succession_readiness_rate,
      (select count(distinct employee_id) from ${c.sql} where readiness in ('ready_now', 'ready_1_2_years'))::double
        / nullif(count(*), 0) as successor_coverage,
      avg(least(1, bench_strength))::double as bench_strength_index
    from roles`, { ...roles.params, ...c.params });
  return { ...empty, ...row };
}

export default async function succession(app: FastifyInstance) {
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
      const role = await readOne(conn, `select * from (${roles.base}) where role_id = $role_id`, { ...roles.params, role_id: roleId });
      if (!role) return null;
      const { where, params } = buildWhere({ scopeColumn: 'employee_id' }, {}, user, [{ clause: 'role_id = $role_id', params: { role_id: roleId } }]);
      const candidates = await readRows(conn,
        `select * from (${CANDIDATES_SQL()}) as t ${where} order by readiness_score desc nulls last, employee_id`, params);
      return { role, candidates, ...version };
    });
    if (!answer) throw new NotFoundError(`No critical role "${roleId}"`);
    return answer;
  });

  listRoute(app, '/candidates', {
    summary: 'Succession candidates for critical roles with readiness and evidence',
    tags: ['succession'],
    requires: ['succession_candidates', 'career_path_state', 'stg_roles'],
    row: CandidateRow,
    spec: {
      base: CANDIDATES_SQL(),
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
