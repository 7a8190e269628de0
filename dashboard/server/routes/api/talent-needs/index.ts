// GET /api/talent-needs: per role headcount vs plan, at-risk incumbents, internal pipeline, shortfall.
// For managers the people figures come from their subtree (incumbents, at-risk); the plan is the role's.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { userOf } from '../../../context.ts';
import { listRoute } from '../../../list-route.ts';
import { Int, Row, Str } from '../../../schemas.ts';
import { isUnscoped } from '../../../scope.ts';
import { scopedFrom } from '../../../scoped.ts';
import { registerHiddenBench } from './hidden-bench.ts';

const NeedRow = Row({
  role_id: Type.String(), title: Str(), job_family: Str(), level: Int(), headcount: Int(), planned_headcount: Int(),
  open_need: Int(), incumbents_high_risk: Int(), pipeline_ready_now: Int(), pipeline_ready_1_2_years: Int(),
  pipeline_ready_3_plus_years: Int(), pipeline_not_ready: Int(), shortfall: Int(),
});

const MART_SQL = `select role_id, title, job_family, level::int as level, headcount::int as headcount,
  planned_headcount::int as planned_headcount, open_need::int as open_need, incumbents_high_risk::int as incumbents_high_risk,
  pipeline_ready_now::int as pipeline_ready_now, pipeline_ready_1_2_years::int as pipeline_ready_1_2_years,
  pipeline_ready_3_plus_years::int as pipeline_ready_3_plus_years, pipeline_not_ready::int as pipeline_not_ready,
  shortfall::int as shortfall from talent_needs`;

/** Subtree view: incumbents and their risk from scoped rows; pipeline and plan-based figures are org-level (null). */
const scopedSql = (people: string, risk: string) => `
  select r.role_id, r.title, r.job_family, r.level::int as level, count(p.employee_id)::int as headcount,
    null::int as planned_headcount, null::int as open_need,
    count(*) filter (where k.band = 'high')::int as incumbents_high_risk,
    null::int as pipeline_ready_now, null::int as pipeline_ready_1_2_years, null::int as pipeline_ready_3_plus_years,
    null::int as pipeline_not_ready, null::int as shortfall
  from stg_roles r
  join ${people} as p on p.role_id = r.role_id
  left join ${risk} as k on k.employee_id = p.employee_id
  group by all`;

export default async function talentNeeds(app: FastifyInstance) {
  listRoute(app, '/', {
    summary: 'Talent needs per role: headcount vs plan, at-risk incumbents, internal pipeline, shortfall',
    tags: ['talent needs'],
    requires: ['talent_needs', 'career_path_state', 'retention_risk', 'stg_roles'],
    row: NeedRow,
    spec: {
      base: MART_SQL,
      filters: { job_family: { column: 'job_family' }, role: { column: 'role_id' } },
      sorts: ['shortfall', 'open_need', 'headcount', 'incumbents_high_risk', 'pipeline_ready_now', 'role_id', 'title', 'job_family', 'level'],
      defaultSort: 'shortfall',
      defaultOrder: 'desc',
      tieBreak: ['role_id'],
      scopeColumn: null,
    },
    source: (request) => {
      const user = userOf(request);
      if (isUnscoped(user)) return { base: MART_SQL, params: {} };
      const p = scopedFrom('career_path_state', user);
      const k = scopedFrom('retention_risk', user);
      return { base: scopedSql(p.sql, k.sql), params: { ...p.params, ...k.params } };
    },
  });
  registerHiddenBench(app);
}
