// The employee profile (GET /api/employees/:id) in one statement: the data version, the person (found in
// career_path_state, within the caller's scope), their role and manager, and each of the profile's lists as a
// list of rows, each list read alone by the person's id and ordered as the page shows it. One statement
// instead of about fourteen: at 100k each statement cost a few ms of planning and scheduling whatever it read
// (bench/README.md, "The employee page under 50 ms"). A table not loaded yet reads as no rows, as before.
import type { DuckDBConnection } from '@duckdb/node-api';
import { SERVING_STATUS_SQL } from '../../../../../pipeline/src/run-outcome.ts';
import type { AuthUser } from '../../../auth/user.ts';
import { tableNames } from '../../../context.ts';
import { buildWhere } from '../../../query.ts';
import { readOnePrepared, type Cell, type PlainRow } from '../../../rows.ts';
import { RISK_FACTORS } from '../retention/index.ts';

/** The latest serving run (context.ts dataVersion), as a CTE; no row when there is none or no runs table. */
export const versionCte = (names: Set<string>) => names.has('runs')
  ? `version as (select run_id::int as run_id, strftime(as_of::date, '%Y-%m-%d') as as_of from runs
      where ${SERVING_STATUS_SQL} order by run_id desc limit 1)`
  : 'version as (select null::int as run_id, null::varchar as as_of where false)';

/** The as-of date the lists stop at: the version's, or no limit when nothing has run. */
const AS_OF = `coalesce((select as_of from version), '9999-12-31')::date`;

/** `(select list({…} order by …) from …)`, or an empty list's null when a table it reads is missing. */
function listOf(names: Set<string>, tables: string[], sql: string): string {
  return tables.every((t) => names.has(t)) ? `(${sql})` : 'null';
}

/** The profile's SQL for the tables there are (one row per person found: none when out of scope or unknown). */
function profileSql(names: Set<string>, where: string): string {
  const linked = names.has('int_goals_linked');
  return `with ${versionCte(names)},
  person as (select employee_id, role_id, manager_id, path_state, cast(path_targets as varchar[]) as path_targets
             from career_path_state ${where})
  select
    (select run_id from version) as run_id, (select as_of from version) as as_of,
    p.role_id, p.manager_id, p.path_state, p.path_targets, m.full_name as manager_name,
    (select {'employee_id': employee_id, 'full_name': full_name, 'email': email, 'department': department, 'location': location,
             'hire_date': hire_date, 'role_start_date': role_start_date, 'last_promotion_date': last_promotion_date}
     from stg_employees where employee_id = $id limit 1) as employee,
    case when r.role_id is not null then
      {'role_id': r.role_id, 'title': r.title, 'job_family': r.job_family, 'level': r.level::int, 'track': r.track} end as role,
    ${listOf(names, ['role_coverage'], `
      select list({'role_id': c.role_id, 'title': cr.title, 'target_kind': c.target_kind, 'coverage': c.coverage::double}
                  order by c.target_kind, c.role_id)
      from role_coverage c left join stg_roles cr using (role_id) where c.employee_id = $id`)} as coverage,
    ${listOf(names, ['skill_gaps_employee', 'stg_skills'], `
      select list({'target_role_id': g.target_role_id, 'target_kind': g.target_kind, 'skill_id': g.skill_id, 'skill_name': s.name,
                   'required_level': g.required_level::int, 'current_level': g.current_level::int, 'gap': g.gap::int,
                   'importance': g.importance::int}
                  order by g.target_kind, g.target_role_id, g.gap desc, g.skill_id)
      from skill_gaps_employee g left join stg_skills s using (skill_id) where g.employee_id = $id`)} as gaps,
    ${listOf(names, ['stg_goals'], `
      select list({'goal_id': g.goal_id, 'title': g.title, 'status': g.status, 'progress': g.progress::double,
                   'objective_id': g.objective_id, 'target_role_id': g.target_role_id, 'skill_id': g.skill_id,
                   'created_on': g.created_on, 'due_on': g.due_on, 'completed_on': g.completed_on,
                   'is_linked': ${linked ? 'l.is_path_linked' : 'null::boolean'}, 'is_aligned': ${linked ? 'l.is_aligned' : 'null::boolean'}}
                  order by g.created_on desc, g.goal_id)
      from stg_goals g ${linked ? 'left join int_goals_linked l using (goal_id)' : ''}
      where g.employee_id = $id and g.created_on <= ${AS_OF}`)} as goals,
    ${listOf(names, ['stg_reviews'], `
      select list({'cycle': cycle, 'performance': performance::int, 'potential': potential::int, 'reviewed_on': reviewed_on}
                  order by reviewed_on, cycle)
      from stg_reviews where employee_id = $id and reviewed_on <= ${AS_OF}`)} as reviews,
    ${listOf(names, ['stg_check_ins'], `
      select list({'week_of': week_of, 'pulse': pulse::int, 'career_discussed': career_discussed, 'manager_replied': manager_replied}
                  order by week_of)
      from stg_check_ins where employee_id = $id and week_of <= ${AS_OF}`)} as pulse,
    ${names.has('stg_goals') ? 'exists (select 1 from stg_goals)' : 'false'} as loaded_goals,
    ${names.has('stg_reviews') ? 'exists (select 1 from stg_reviews)' : 'false'} as loaded_reviews,
    ${names.has('stg_check_ins') ? 'exists (select 1 from stg_check_ins)' : 'false'} as loaded_check_ins,
    ${names.has('retention_risk') ? `(select {'score': score::int, 'band': band::varchar, 'reasons': reasons,
        ${RISK_FACTORS.map((f) => `'${f}': ${f}`).join(', ')}} from retention_risk where employee_id = $id limit 1)` : 'null'} as risk
  from person p
  left join stg_employees m on m.employee_id = p.manager_id
  left join stg_roles r on r.role_id = p.role_id`;
}

const rows = (v: Cell | undefined) => (v as PlainRow[] | null | undefined) ?? [];

/** One person's profile as the caller may see it; null when not active, unknown or outside the caller's scope. */
export async function profileOf(conn: DuckDBConnection, id: string, user: AuthUser | null) {
  const names = await tableNames(conn);
  if (!['career_path_state', 'stg_employees', 'stg_roles'].every((t) => names.has(t))) return null;
  const { where, params } = buildWhere({ scopeColumn: 'employee_id' }, {}, user,
    [{ clause: 'employee_id = $id', params: { id } }]);
  const row = await readOnePrepared(conn, profileSql(names, where), { ...params, id });
  if (!row) return null;
  const coverage = rows(row.coverage);
  const targets = coverage.filter((c) => c.target_kind !== 'current');
  for (const t of (row.path_targets as string[] | null) ?? []) {
    if (!targets.some((c) => c.role_id === t)) targets.push({ role_id: t, title: null, target_kind: 'path', coverage: null });
  }
  const risk = row.risk as PlainRow | null;
  return {
    employee: row.employee as PlainRow,
    role: (row.role as PlainRow | null) ?? null,
    manager: row.manager_id ? { employee_id: row.manager_id, full_name: row.manager_name } : null,
    path: { path_state: row.path_state, targets },
    gaps: rows(row.gaps), coverage, goals: rows(row.goals), reviews: rows(row.reviews), pulse: rows(row.pulse),
    // whether each dataset has any rows at all, read each time (always the data as it is)
    loaded: { goals: row.loaded_goals === true, reviews: row.loaded_reviews === true, check_ins: row.loaded_check_ins === true },
    risk: risk ? {
      score: risk.score, band: risk.band, reasons: risk.reasons,
      factors: RISK_FACTORS.filter((f) => risk[f] === true),
    } : null,
    asOf: (row.as_of as string | null) ?? null,
    runId: (row.run_id as number | null) ?? null,
  };
}
