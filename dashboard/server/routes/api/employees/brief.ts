// GET /api/employees/:id/brief — the career-conversation brief (issue 14 §3): what a manager takes into
// a conversation, on one printable page. Same access as the profile (admin/leader anyone, a manager their
// subtree; else 404). The retention flags feed the talking points only: no score or band in the answer.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { audit } from '../../../auth/audit.ts';
import { dataVersion, userOf } from '../../../context.ts';
import { NotFoundError } from '../../../errors.ts';
import { missingTables } from '../../../list-route.ts';
import { buildWhere } from '../../../query.ts';
import { readOne, readRows } from '../../../rows.ts';
import { Bool, IdParam, Int, Num, Row, Str, errors } from '../../../schemas.ts';
import { CAREER_PATH_SQL } from '../career-paths/index.ts';
import { RISK_FACTORS } from '../retention/index.ts';
import { talkingPoints, type BriefFacts } from './talking-points.ts';

/** What each path state means, in the words of metrics.md "Career path state". */
export const PATH_STATE_MEANING: Record<string, string> = {
  on_path: 'A target role (active career plan or live goal) backed by at least one linked live goal.',
  plan_only: 'A target role on paper: an active career plan that no live goal backs yet.',
  no_path: 'No target role: no active career plan and no live goal naming one, although progressions lead out of the current role.',
  top_of_ladder: 'No target role, and no progression of any kind leads out of the current role (a ladder\'s last rung): not a lack of path to fix.',
};

const Gap = Row({ skill_id: Type.String(), skill_name: Str(), current_level: Int(), required_level: Int(), gap: Int() });

const Nomination = Row({
  role_id: Type.String(), title: Str(), nominated_readiness: Str(), nominated_on: Str(),
  readiness: Str({ description: 'readiness by the evidence (succession_candidates), null when not a candidate there' }),
});

/** A saved succession plan the person is on (app tables of migration 2; savedSuccessionPlans). */
const SavedPlan = Row({
  role_id: Type.String(), title: Str(),
  decided_readiness: Str({ description: 'ready_now | 1_2_years | 3_plus_years as decided in the plan; null when only the emergency successor' }),
  is_emergency: Type.Boolean({ description: "the plan's emergency (interim) successor" }),
});

export const Brief = Type.Object({
  employee: Row({ employee_id: Type.String(), full_name: Str(), department: Str(), location: Str(), hire_date: Str() }),
  role: Type.Union([Type.Null(), Row({
    role_id: Type.String(), title: Str(), job_family: Str(), level: Int(), track: Str(),
    role_start_date: Str(), months_in_role: Int(), months_since_promotion: Int(),
  })]),
  manager: Type.Union([Type.Null(), Row({ employee_id: Type.String(), full_name: Str() })]),
  path: Row({
    path_state: Str(),
    meaning: Str(),
    targets: Type.Array(Row({ role_id: Type.String(), title: Str(), target_kind: Str(), coverage: Num(), gaps: Type.Array(Gap) })),
  }),
  suggestions: Type.Array(Row({
    rank: Int(), role_id: Type.String(), title: Str(), kind: Str(), level_change: Int(), coverage: Num(),
    n_skills_to_close: Int(), skills_to_close: Str(), has_open_need: Bool(),
  })),
  goals: Type.Array(Row({
    goal_id: Type.String(), title: Str(), status: Str(), progress: Num(), due_on: Str(), target_role_id: Str(),
    skill_id: Str(), is_linked: Bool(), is_overdue: Type.Boolean(),
  })),
  review: Type.Union([Type.Null(), Row({ cycle: Type.String(), performance: Int(), potential: Int(), reviewed_on: Str() })]),
  checkIns: Row({
    last_check_in: Str(),
    career_discussions: Type.Array(Type.String(), { description: 'dates of the last 3 check-ins with a career discussion, newest first' }),
    pulse_recent: Num({ description: 'mean pulse of the 56 days up to as_of (null under 2 check-ins with a pulse)' }),
    pulse_prior: Num({ description: 'the same of the 56 days before' }),
    trend: Str({ enum: ['up', 'down', 'steady', null], description: 'recent against prior: a change of 0.75 or more either way, else steady' }),
    pulses: Type.Array(Row({ week_of: Type.String(), pulse: Int() }), { description: 'the last 8 check-ins with a pulse, oldest first' }),
  }),
  succession: Row({ nominations: Type.Array(Nomination), plans: Type.Array(SavedPlan) }),
  talkingPoints: Type.Array(Row({ rule: Type.String(), text: Type.String() })),
  asOf: Str(),
  runId: Int(),
});

type R = Record<string, unknown>;

async function optionalRows(conn: DuckDBConnection, tables: string[], sql: string, params: Record<string, string>): Promise<R[]> {
  if ((await missingTables(conn, tables)).length) return [];
  return readRows(conn, sql, params);
}

/**
 * Saved succession plans that name this person, as a successor or as the emergency successor (one row per
 * plan). About the person, so in scope already: the brief is only built for someone the caller may see.
 */
async function savedSuccessionPlans(conn: DuckDBConnection, employeeId: string): Promise<R[]> {
  return readRows(conn, `
    with named as (
        select role_id, max(decided_readiness) as decided_readiness, bool_or(is_emergency) as is_emergency
        from (
            select role_id, decided_readiness, false as is_emergency
            from succession_plan_successors where employee_id = $id
            union all
            select role_id, null, true from succession_plan_roles where emergency_successor_id = $id
        ) as plans
        group by role_id
    )
    select named.role_id, roles.title, named.decided_readiness, named.is_emergency
    from named left join stg_roles as roles using (role_id)
    order by named.role_id`, { id: employeeId });
}

/** The brief of one employee, or null when they are not active or not in the caller's scope. */
async function readBrief(conn: DuckDBConnection, request: Parameters<typeof userOf>[0], id: string) {
  const version = await dataVersion(conn);
  if ((await missingTables(conn, ['career_path_state', 'stg_employees', 'stg_roles'])).length) return null;
  const { where, params } = buildWhere({ scopeColumn: 'employee_id' }, {}, userOf(request),
    [{ clause: 'employee_id = $id', params: { id } }]);
  const base = await readOne(conn, `select * from (${CAREER_PATH_SQL}) as t ${where}`, params);
  if (!base) return null;
  const p = { id };
  const asOf = { ...p, as_of: version.asOf ?? '9999-12-31' };

  const employee = (await readOne(conn, `select employee_id, full_name, department, location, hire_date
    from stg_employees where employee_id = $id`, p))!;
  // The months as int_employees_active counts them (complete calendar months; docs/marts.md).
  const role = await readOne(conn, `
    select r.role_id, r.title, r.job_family, r.level::int as level, r.track, e.role_start_date,
           greatest(0, date_sub('month', e.role_start_date, $as_of::date))::int as months_in_role,
           date_sub('month', coalesce(e.last_promotion_date, e.hire_date), $as_of::date)::int as months_since_promotion
    from stg_roles r, stg_employees e where r.role_id = $role and e.employee_id = $id`,
    { ...asOf, role: base.role_id as string });

  // Path targets (and, without one, the default next step) with the skills still short on each.
  const coverage = await optionalRows(conn, ['role_coverage'], `
    select c.role_id, r.title, c.target_kind, c.coverage::double as coverage
    from role_coverage c left join stg_roles r using (role_id)
    where c.employee_id = $id and c.target_kind <> 'current' order by c.target_kind, c.role_id`, p);
  for (const t of (base.path_targets as string[] | null) ?? []) {
    if (!coverage.some((c) => c.role_id === t)) {
      const title = (await readOne(conn, 'select title from stg_roles where role_id = $t', { t }))?.title ?? null;
      coverage.push({ role_id: t, title, target_kind: 'path', coverage: null });
    }
  }
  const gaps = await optionalRows(conn, ['skill_gaps_employee', 'stg_skills'], `
    select g.target_role_id, g.target_kind, g.skill_id, s.name as skill_name, g.current_level::int as current_level,
           g.required_level::int as required_level, g.gap::int as gap
    from skill_gaps_employee g left join stg_skills s using (skill_id)
    where g.employee_id = $id and g.target_kind <> 'current' and g.gap > 0
    order by g.importance desc, g.gap desc, g.skill_id`, p);
  const targets: R[] = coverage.map((c) => ({
    ...c,
    gaps: gaps.filter((g) => g.target_role_id === c.role_id && g.target_kind === c.target_kind)
      .map(({ target_role_id: _r, target_kind: _k, ...g }) => g),
  }));

  const suggestions = await optionalRows(conn, ['mobility_matches'], `
    select rank::int as rank, role_id, title, kind, level_change::int as level_change, coverage::double as coverage,
           n_skills_to_close::int as n_skills_to_close, skills_to_close, has_open_need
    from mobility_matches where employee_id = $id order by rank`, p);

  const linked = !(await missingTables(conn, ['int_goals_linked'])).length;
  const goals = await optionalRows(conn, ['stg_goals'], `
    select g.goal_id, g.title, g.status, g.progress::double as progress, g.due_on, g.target_role_id, g.skill_id,
           ${linked ? 'l.is_path_linked' : 'null::boolean'} as is_linked,
           coalesce(g.due_on < $as_of::date and g.status not in ('done', 'dropped'), false) as is_overdue
    from stg_goals g ${linked ? 'left join int_goals_linked l using (goal_id)' : ''}
    where g.employee_id = $id and g.created_on <= $as_of::date and g.status <> 'dropped'
      and not (g.status = 'done' and (g.completed_on is null or g.completed_on < $as_of::date - 365))
    order by g.due_on nulls last, g.created_on desc, g.goal_id`, asOf);

  const review = (await optionalRows(conn, ['stg_reviews'], `
    select cycle, performance::int as performance, potential::int as potential, reviewed_on
    from stg_reviews where employee_id = $id and reviewed_on <= $as_of::date
    order by reviewed_on desc, cycle desc limit 1`, asOf))[0] ?? null;

  const checkIns = await readCheckIns(conn, asOf);
  const nominations = await optionalRows(conn, ['stg_successor_nominations'], `
    select n.role_id, r.title, n.readiness as nominated_readiness, n.nominated_on,
           ${(await missingTables(conn, ['succession_candidates'])).length ? 'null::varchar'
             : '(select c.readiness from succession_candidates c where c.role_id = n.role_id and c.employee_id = n.nominee_id)'} as readiness
    from stg_successor_nominations n left join stg_roles r using (role_id)
    where n.nominee_id = $id and (n.nominated_on is null or n.nominated_on <= $as_of::date)
    order by n.role_id`, asOf);

  const flags = (await optionalRows(conn, ['retention_risk'],
    `select ${RISK_FACTORS.join(', ')} from retention_risk where employee_id = $id`, p))[0] ?? {};
  const facts: BriefFacts = {
    pathState: base.path_state as string | null,
    flags: flags as BriefFacts['flags'],
    monthsSincePromotion: (role?.months_since_promotion as number | null | undefined) ?? null,
    latestPerformance: (review?.performance as number | null | undefined) ?? null,
    roleTitle: (role?.title as string | null | undefined) ?? null,
    targets: targets.filter((t) => t.target_kind === 'path').map((t) => String(t.title ?? t.role_id)),
    firstSuggestion: suggestions[0] ? { title: String(suggestions[0].title ?? suggestions[0].role_id), skillsToClose: suggestions[0].skills_to_close as string | null } : null,
    nominations: nominations.map((n) => ({ title: String(n.title ?? n.role_id), readiness: n.nominated_readiness as string | null })),
    overdueGoals: goals.filter((g) => g.is_overdue).map((g) => String(g.title ?? g.goal_id)),
    lastCheckIn: checkIns.last_check_in,
    lastCareerTalk: checkIns.career_discussions[0] ?? null,
    pulseRecent: checkIns.pulse_recent,
    pulsePrior: checkIns.pulse_prior,
  };

  return {
    employee,
    role: role ?? null,
    manager: base.manager_id ? { employee_id: base.manager_id, full_name: base.manager_name } : null,
    path: { path_state: base.path_state, meaning: PATH_STATE_MEANING[base.path_state as string] ?? null, targets },
    suggestions, goals, review, checkIns,
    succession: { nominations, plans: await savedSuccessionPlans(conn, id) },
    talkingPoints: talkingPoints(facts),
    ...version,
  };
}

/** Check-ins up to as_of: the last one, the last career discussions, and the pulse means of metrics.md's windows. */
async function readCheckIns(conn: DuckDBConnection, params: { id: string; as_of: string }) {
  const none = { last_check_in: null, career_discussions: [] as string[], pulse_recent: null, pulse_prior: null, trend: null, pulses: [] as R[] };
  if ((await missingTables(conn, ['stg_check_ins'])).length) return none;
  const rows = await readRows(conn, `
    select week_of, pulse::int as pulse, coalesce(career_discussed, false) as career_discussed,
           week_of > $as_of::date - 56 as recent, week_of > $as_of::date - 112 and week_of <= $as_of::date - 56 as prior
    from stg_check_ins where employee_id = $id and week_of <= $as_of::date order by week_of desc`, params);
  const mean = (which: 'recent' | 'prior') => {
    const xs = rows.filter((r) => r[which] && r.pulse != null).map((r) => r.pulse as number);
    return xs.length >= 2 ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  };
  const recent = mean('recent');
  const prior = mean('prior');
  return {
    last_check_in: (rows[0]?.week_of as string | undefined) ?? null,
    career_discussions: rows.filter((r) => r.career_discussed).slice(0, 3).map((r) => r.week_of as string),
    pulse_recent: recent,
    pulse_prior: prior,
    trend: recent == null || prior == null ? null : recent - prior >= 0.75 ? 'up' : prior - recent >= 0.75 ? 'down' : 'steady',
    pulses: rows.filter((r) => r.pulse != null).slice(0, 8).reverse().map((r) => ({ week_of: r.week_of, pulse: r.pulse })),
  };
}

export function briefRoute(app: FastifyInstance) {
  app.get('/:id/brief', {
    schema: {
      summary: 'Career-conversation brief of one employee: role, path, targets and gaps, suggested moves, goals, check-ins, nominations, talking points (no risk score)',
      tags: ['employees'],
      params: Type.Object({ id: IdParam }),
      response: { 200: Brief, ...errors },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const brief = await app.reads.use((conn) => readBrief(conn, request, id));
    if (!brief) throw new NotFoundError(`No active employee with id "${id}" (or not in your part of the org)`);
    await audit(request, 'view_employee', id, { page: 'brief' });
    return brief;
  });
}
