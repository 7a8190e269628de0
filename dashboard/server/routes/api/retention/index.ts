// GET /api/retention: retention_risk joined to career_path_state (the retention_list mart when built); /distribution: score histogram by path state.
// Both take a team: `manager` (everyone under that person) and `reports=direct` (their direct reports only).
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { sendArrow, wantsArrow } from '../../../arrow.ts';
import type { AuthUser } from '../../../auth/user.ts';
import { dataVersion, hasTable, userOf } from '../../../context.ts';
import { BadRequestError } from '../../../errors.ts';
import { PEOPLE_FILTERS } from '../../../filters.ts';
import { listRoute, missingTables, type ListSource } from '../../../list-route.ts';
import { buildWhere } from '../../../query.ts';
import { readColumns, toRows } from '../../../rows.ts';
import { Bool, Int, Num, Row, Str, errors } from '../../../schemas.ts';
import { checkInScope } from '../../../scope.ts';
import { registerBestMoves } from './best-moves.ts';
import { backtestRoute } from './backtest.ts';

export const RISK_FACTORS = ['no_path', 'plan_only', 'stalled', 'low_pulse', 'pulse_drop', 'checkins_lapsed',
  'no_career_talk', 'high_performer_off_path'] as const;

export const RetentionRow = Row({
  employee_id: Type.String(),
  full_name: Str(),
  department: Str(),
  role_id: Str(),
  job_family: Str(),
  manager_id: Str(),
  manager_name: Str(),
  path_state: Str({ enum: ['no_path', 'top_of_ladder', 'plan_only', 'on_path', null] }),
  // null: the factor is off (its source was never loaded)
  ...Object.fromEntries(RISK_FACTORS.map((f) => [f, Bool()])),
  score: Int(),
  band: Str({ enum: ['high', 'medium', 'low', null] }),
  reasons: Str(),
  factors_off: Str({ description: 'factors left out of every score because their source was never loaded, e.g. "low_pulse, pulse_drop"' }),
});

export const RETENTION_SQL = `
  select c.employee_id, c.full_name, c.department, c.role_id, ro.job_family, c.manager_id,
         m.full_name as manager_name, c.path_state,
         ${RISK_FACTORS.map((f) => `r.${f}`).join(', ')},
         r.score::int as score, r.band, r.reasons, r.factors_off
  from retention_risk r
  join career_path_state c on c.employee_id = r.employee_id
  left join stg_roles ro on ro.role_id = c.role_id
  left join stg_employees m on m.employee_id = c.manager_id`;

/**
 * The same rows read from the retention_list mart (built by every run since it exists: the join above,
 * stored in score desc, employee_id order), so the default full list needs no join and no sort.
 * A database whose last run predates the mart falls back to RETENTION_SQL.
 */
export const RETENTION_LIST_SQL = `
  select employee_id, full_name, department, role_id, job_family, manager_id, manager_name, path_state,
         ${RISK_FACTORS.join(', ')}, score, band, reasons, factors_off
  from retention_list`;

const RETENTION_FILTERS = { ...PEOPLE_FILTERS, band: { column: 'band', values: ['high', 'medium', 'low'], description: 'high | medium | low' } };

/** `reports`: with `manager` (or, for a manager, their own team) the whole subtree (`all`, the default) or only the direct reports. */
export const ReportsQuery = {
  reports: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('direct')], {
    description: 'all | direct: with manager (a manager: their own team), everyone under them (default) or only their direct reports',
  })),
};

/** reports=direct as a clause on the rows' manager_id: the direct reports of `manager`, else of the signed-in manager. */
export function directReports(query: Record<string, unknown>, user: AuthUser | null): { clause: string; params: Record<string, DuckDBValue> } | null {
  if (query.reports !== 'direct') return null;
  const of = (query.manager as string | undefined) ?? (user?.role === 'manager' ? user.employeeId : null);
  if (!of) throw new BadRequestError('Bad request: reports=direct needs a manager (manager=<employee id>)');
  return { clause: 'manager_id = $reports_of', params: { reports_of: of } };
}

async function retentionSource(conn: DuckDBConnection, direct: ReturnType<typeof directReports>): Promise<ListSource> {
  const stored = await hasTable(conn, 'retention_list');
  const base = stored ? RETENTION_LIST_SQL : RETENTION_SQL;
  if (direct) return { base: `select * from (${base}\n) as d where ${direct.clause}`, params: direct.params };
  return stored ? { base, params: {}, storedOrder: { sort: 'score', order: 'desc' } } : { base, params: {} };
}

/** A manager filtering by someone outside their subtree gets a 403; then the team's rows, direct or all. */
async function teamSource(conn: DuckDBConnection, request: FastifyRequest): Promise<ListSource> {
  const query = request.query as Record<string, unknown>;
  const user = userOf(request);
  await checkInScope(conn, user, query.manager);
  return retentionSource(conn, directReports(query, user));
}

const BinRow = Row({ path_state: Str(), bin_start: Type.Integer(), bin_end: Type.Integer(), n: Type.Integer() });
/** Exact figures per path state over the same rows as the histogram (not estimated from its bins). */
const StateSummaryRow = Row({
  path_state: Str(), n: Type.Integer(), mean_score: Num({ description: 'mean score' }),
  median_score: Num({ description: 'median score' }), high_share: Num({ description: 'share in the high band (score ≥ 50)' }),
});

export default async function retention(app: FastifyInstance) {
  backtestRoute(app);
  const requires = ['retention_risk', 'career_path_state', 'stg_roles', 'stg_employees'];
  listRoute(app, '/', {
    summary: 'Retention risk per active employee with its factors and reasons',
    tags: ['retention'],
    requires,
    row: RetentionRow,
    spec: {
      base: RETENTION_SQL,
      filters: RETENTION_FILTERS,
      sorts: ['score', 'full_name', 'employee_id', 'department', 'band', 'path_state', 'job_family'],
      defaultSort: 'score',
      defaultOrder: 'desc',
      tieBreak: ['employee_id'],
      scopeColumn: 'employee_id',
    },
    extraQuery: ReportsQuery,
    source: (request, conn) => teamSource(conn, request),
  });
  registerBestMoves(app);

  app.get('/distribution', {
    schema: {
      summary: 'Histogram of retention scores (bins of 10) by path state, and exact figures per path state (Arrow: the bins)',
      tags: ['retention'],
      querystring: Type.Object({
        department: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        job_family: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        manager: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        ...ReportsQuery,
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ rows: Type.Array(BinRow), summary: Type.Array(StateSummaryRow), asOf: Str(), runId: Int() }), ...errors },
    },
  }, async (request, reply) => {
    const result = await app.reads.use(async (conn) => {
      const version = await dataVersion(conn);
      if ((await missingTables(conn, requires)).length) return { version, read: null };
      const { department, job_family, manager } = RETENTION_FILTERS;
      const source = await teamSource(conn, request);
      const { where, params } = buildWhere({ filters: { department, job_family, manager }, scopeColumn: 'employee_id' },
        request.query as Record<string, unknown>, userOf(request));
      const scores = `(select * from (${source.base}\n) as t ${where})`;
      const bound = { ...source.params, ...params };
      const read = await readColumns(conn, `
        select path_state, bin_start::int as bin_start, (bin_start + 10)::int as bin_end, count(*)::int as n
        from (select path_state, least(floor(score / 10) * 10, 90) as bin_start from ${scores})
        group by all order by path_state, bin_start`, bound);
      const summary = toRows(await readColumns(conn, `
        select path_state, count(*)::int as n, avg(score)::double as mean_score, median(score)::double as median_score,
               (count(*) filter (where band = 'high'))::double / count(*) as high_share
        from ${scores} group by path_state order by path_state`, bound));
      return { version, read, summary };
    });
    if (result.read && wantsArrow(request)) return sendArrow(reply, result.read);
    return { rows: result.read ? toRows(result.read) : [], summary: result.summary ?? [], ...result.version };
  });
}
