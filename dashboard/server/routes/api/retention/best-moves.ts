// GET /api/retention/best-moves: each no-path person with their best suggested move (mobility_matches rank 1;
// null fields when nothing is suggested), with their retention score. Same team parameters as the list:
// `manager` (everyone under them; outside a manager's subtree a 403) and `reports=direct`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Type } from '@sinclair/typebox';
import { userOf } from '../../../context.ts';
import { PEOPLE_FILTERS } from '../../../filters.ts';
import { listRoute, type ListSource } from '../../../list-route.ts';
import { Bool, Int, Num, Row, Str } from '../../../schemas.ts';
import { checkInScope } from '../../../scope.ts';
import { ReportsQuery, directReports } from './index.ts';

export const BestMoveRow = Row({
  employee_id: Type.String(), full_name: Str(), department: Str(), role_id: Str(), job_family: Str(), manager_id: Str(),
  score: Int(), band: Str(),
  suggested_role_id: Str({ description: 'the best suggested move (rank 1); null: nothing to suggest' }), suggested_title: Str(),
  kind: Str(), level_change: Int(), coverage: Num(), n_skills_to_close: Int(), skills_to_close: Str(),
  has_open_need: Bool(), is_critical_without_ready_now: Bool(),
});

const BEST_MOVES_SQL = `
  select c.employee_id, c.full_name, c.department, c.role_id, ro.job_family, c.manager_id,
         r.score::int as score, r.band::varchar as band,
         m.role_id as suggested_role_id, m.title as suggested_title, m.kind, m.level_change::int as level_change,
         m.coverage::double as coverage, m.n_skills_to_close::int as n_skills_to_close, m.skills_to_close,
         m.has_open_need, m.is_critical_without_ready_now
  from career_path_state c
  left join retention_risk r on r.employee_id = c.employee_id
  left join stg_roles ro on ro.role_id = c.role_id
  left join mobility_matches m on m.employee_id = c.employee_id and m.rank = 1
  where c.path_state = 'no_path'`;

async function source(conn: DuckDBConnection, request: FastifyRequest): Promise<ListSource> {
  const query = request.query as Record<string, unknown>;
  const user = userOf(request);
  await checkInScope(conn, user, query.manager);
  const direct = directReports(query, user);
  if (direct) return { base: `select * from (${BEST_MOVES_SQL}\n) as d where ${direct.clause}`, params: direct.params };
  return { base: BEST_MOVES_SQL, params: {} };
}

export function registerBestMoves(app: FastifyInstance) {
  const { department, job_family, manager, q } = PEOPLE_FILTERS;
  listRoute(app, '/best-moves', {
    summary: 'Each no-path employee’s best suggested move (mobility_matches rank 1) with their retention score',
    tags: ['retention'],
    requires: ['career_path_state', 'retention_risk', 'stg_roles', 'mobility_matches'],
    row: BestMoveRow,
    spec: {
      base: BEST_MOVES_SQL,
      filters: { department, job_family, manager, q, band: { column: 'band', values: ['high', 'medium', 'low'], description: 'high | medium | low' } },
      sorts: ['score', 'full_name', 'employee_id', 'department', 'coverage', 'suggested_role_id'],
      defaultSort: 'score',
      defaultOrder: 'desc',
      tieBreak: ['employee_id'],
      scopeColumn: 'employee_id',
    },
    extraQuery: ReportsQuery,
    source: (request, conn) => source(conn, request),
  });
}
