// GET /api/overview: the headline figures. Every people figure is computed from the caller's scoped
// rows; org-wide marts are read only for admins and leaders.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { dataVersion, userOf, hasTable, memoByVersion, scopeKey } from '../../../context.ts';
import { missingTables } from '../../../list-route.ts';
import { readOne, readRows } from '../../../rows.ts';
import { Int, Num, Row, Str, errors } from '../../../schemas.ts';
import { isUnscoped } from '../../../scope.ts';
import { scopedFrom } from '../../../scoped.ts';
import { successionSummary } from '../succession/index.ts';
import { historyRoute } from './history.ts';

const Overview = Type.Object({
  headcount: Type.Integer(),
  pathStates: Type.Array(Row({ path_state: Type.String(), n: Type.Integer(), share: Num() })),
  highRisk: Type.Integer(),
  riskBands: Type.Array(Row({ band: Type.String(), n: Type.Integer() })),
  succession: Row({
    n_critical_roles: Int(), succession_readiness_rate: Num(), successor_coverage: Num(), successor_coverage_median: Num(),
    bench_strength_index: Num(),
  }),
  topSkillGaps: Type.Array(Row({ skill_id: Type.String(), skill_name: Str(), employees_short: Int(), gap_points: Int() })),
  trend: Type.Array(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()]))),
  /** history_overview (docs/marts.md "History"): the figures at each month-end and as_of, from the first load. */
  history: Type.Array(Row({
    as_of: Type.String(), n_active: Int(), no_path_share: Num(), n_risk_high: Int(), succession_readiness_rate: Num(),
    n_exits: Int(), n_exits_voluntary: Int(), n_exits_involuntary: Int(), n_hires: Int(),
  })),
  asOf: Str(),
  runId: Int(),
});

export default async function overview(app: FastifyInstance) {
  historyRoute(app);
  app.get('/', {
    schema: {
      summary: 'Headcount, path states, high-risk count, succession figures, top skill gaps, trend',
      tags: ['overview'],
      querystring: Type.Object({ top: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) }, { additionalProperties: false }),
      response: { 200: Overview, ...errors },
    },
  }, async (request) => {
    const user = userOf(request);
    const top = (request.query as { top?: number }).top ?? 10;
    return app.reads.use(async (conn) => memoByVersion(conn, `${app.db.path}|overview|${scopeKey(user)}|${top}`, async () => {
      const version = await dataVersion(conn);
      const out = {
        headcount: 0, pathStates: [] as unknown[], highRisk: 0, riskBands: [] as unknown[],
        succession: await successionSummary(conn, user), topSkillGaps: [] as unknown[], trend: [] as unknown[], history: [] as unknown[], ...version,
      };
      if (!(await missingTables(conn, ['career_path_state'])).length) {
        const people = scopedFrom('career_path_state', user);
        out.pathStates = await readRows(conn, `
          select s.path_state, count(p.employee_id)::int as n,
                 count(p.employee_id)::double / nullif(sum(count(p.employee_id)) over (), 0) as share
          from (values ('no_path'), ('top_of_ladder'), ('plan_only'), ('on_path')) as s(path_state)
          left join ${people.sql} as p using (path_state) group by s.path_state order by s.path_state`, people.params);
        out.headcount = Number((await readOne(conn, `select count(*)::int as n from ${people.sql}`, people.params))?.n ?? 0);
      }
      if (!(await missingTables(conn, ['retention_risk'])).length) {
        const risk = scopedFrom('retention_risk', user);
        out.riskBands = await readRows(conn, `
          select b.band, count(r.employee_id)::int as n from (values ('high'), ('medium'), ('low')) as b(band)
          left join ${risk.sql} as r using (band) group by b.band order by min(case b.band when 'high' then 1 when 'medium' then 2 else 3 end)`, risk.params);
        out.highRisk = Number((out.riskBands as { band: string; n: number }[]).find((b) => b.band === 'high')?.n ?? 0);
      }
      if (isUnscoped(user) && !(await missingTables(conn, ['skill_gaps_org', 'stg_skills'])).length) {
        out.topSkillGaps = await readRows(conn, `
          select o.skill_id, s.name as skill_name, o.employees_short::int as employees_short, o.gap_points::int as gap_points
          from skill_gaps_org o left join stg_skills s using (skill_id)
          where o.scope = 'company' and o.gap_points > 0 order by o.gap_points desc, o.skill_id limit $top`, { top });
      } else if (!(await missingTables(conn, ['skill_gaps_employee', 'stg_skills'])).length) {
        const gaps = scopedFrom('skill_gaps_employee', user);
        out.topSkillGaps = await readRows(conn, `
          select g.skill_id, s.name as skill_name, count(distinct g.employee_id) filter (where g.gap > 0)::int as employees_short,
                 sum(g.importance * g.gap)::int as gap_points
          from ${gaps.sql} as g left join stg_skills s using (skill_id)
          where g.target_kind = 'current' group by all having sum(g.importance * g.gap) > 0
          order by gap_points desc, g.skill_id limit $top`, { ...gaps.params, top });
      }
      // The trend is org-wide history: shown to those who see the whole org. One point per as-of date:
      // the latest successful run of that date (a rerun on the same date replaces the earlier figures).
      if (isUnscoped(user) && (await hasTable(conn, 'run_history'))) {
        // every column of run_history (a database from before n_top_of_ladder has no such column yet)
        out.trend = await readRows(conn, `
          select * replace (strftime(as_of, '%Y-%m-%d') as as_of),
                 n_no_path::double / nullif(headcount, 0) as no_path_share,
                 n_high_risk::double / nullif(headcount, 0) as high_risk_share
          from run_history
          qualify row_number() over (partition by as_of order by run_id desc) = 1
          order by as_of`);
      }
      // History over time from the first load (the history tables of the latest run): org-wide, as the trend.
      if (isUnscoped(user) && (await hasTable(conn, 'history_overview'))) {
        out.history = await readRows(conn, `
          select strftime(as_of_date, '%Y-%m-%d') as as_of, n_active, no_path_share, n_risk_high, succession_readiness_rate,
                 n_exits, n_exits_voluntary, n_exits_involuntary, n_hires
          from history_overview order by as_of_date`);
      }
      return out;
    }));
  });
}
