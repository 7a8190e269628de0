// GET /api/talent-needs/hidden-bench: role_internal_candidates (docs/marts.md) — for each role with a
// shortfall or critical without a ready-now successor, the best people nobody nominated for it. The
// Talent needs page lists them all, Succession those of critical roles (`critical=true`). A manager sees
// the candidates from their subtree (with their rank among the whole organisation's candidates).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { listRoute } from '../../../list-route.ts';
import { Bool, Int, Num, Row, Str } from '../../../schemas.ts';

export const BenchRow = Row({
  role_id: Type.String(), role_title: Str(), job_family: Str(), rank: Int(), employee_id: Type.String(), full_name: Str(),
  department: Str(), current_role_id: Str(), kind: Str(), coverage: Num(), n_skills_to_close: Int(), skills_to_close: Str(),
  performance: Int(), potential: Int(), months_in_role: Int(), is_path_target: Bool(), has_open_need: Bool(),
  is_critical_without_ready_now: Bool(), rank_in_suggestions: Int(),
});

const BENCH_SQL = `
  select b.role_id, r.title as role_title, r.job_family, b.rank::int as rank, b.employee_id, b.full_name, b.department,
         b.current_role_id, b.kind, b.coverage::double as coverage, b.n_skills_to_close::int as n_skills_to_close,
         b.skills_to_close, b.performance::int as performance, b.potential::int as potential,
         b.months_in_role::int as months_in_role, b.is_path_target, b.has_open_need, b.is_critical_without_ready_now,
         b.rank_in_suggestions::int as rank_in_suggestions,
         case when b.is_critical_without_ready_now then 'true' else 'false' end as critical
  from role_internal_candidates b
  left join stg_roles r on r.role_id = b.role_id`;

export function registerHiddenBench(app: FastifyInstance) {
  listRoute(app, '/hidden-bench', {
    summary: 'The hidden bench: per role in need, the best internal candidates nobody nominated (role_internal_candidates)',
    tags: ['talent needs'],
    requires: ['role_internal_candidates', 'stg_roles'],
    row: BenchRow,
    spec: {
      base: BENCH_SQL,
      filters: {
        role: { column: 'role_id', description: 'role id' },
        job_family: { column: 'job_family', description: 'job family of the role' },
        critical: { column: 'critical', values: ['true', 'false'], description: 'true: critical roles without a ready-now successor only' },
      },
      sorts: ['role_id', 'rank', 'coverage', 'full_name', 'employee_id', 'performance'],
      defaultSort: 'role_id',
      tieBreak: ['rank'],
      scopeColumn: 'employee_id',
    },
  });
}
