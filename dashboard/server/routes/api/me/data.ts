// What "My path" reads about one person: their role, path, the skills to close, suggested moves, goals
// and check-ins. Every query is bound to the one employee id the caller's account names (never a
// request parameter), and none reads retention risk, the 9-box, nominations or succession plans.
import type { DuckDBConnection } from '@duckdb/node-api';
import { missingTables } from '../../../list-route.ts';
import { readOne, readRows, type PlainRow } from '../../../rows.ts';

type Params = { id: string; as_of: string };

const has = async (conn: DuckDBConnection, ...tables: string[]) => (await missingTables(conn, tables)).length === 0;

/** The person as of the run: null when they are not an active employee (left, not hired yet, not loaded). */
export async function readPerson(conn: DuckDBConnection, p: Params): Promise<PlainRow | null> {
  if (!(await has(conn, 'int_employees_active'))) return null;
  const row = await readOne(conn, `
    select a.employee_id, a.full_name, a.department, a.role_id, a.role_title, a.role_level::int as role_level,
           a.job_family, m.full_name as manager_name, a.hire_date, a.role_start_date, a.months_in_role::int as months_in_role
    from int_employees_active a left join int_employees_active m on m.employee_id = a.manager_id
    where a.employee_id = $id`, { id: p.id });
  return row ?? null;
}

/**
 * The path: its state, the target roles (from a career plan, a goal, or — without a path — the
 * suggested next step) with coverage, and every skill below the level a target asks for.
 */
export async function readPath(conn: DuckDBConnection, p: Params) {
  const state = (await has(conn, 'career_path_state'))
    // select *: an older career_path_state has no default_next_role_id (then there is no suggested next step)
    ? await readOne(conn, 'select * from career_path_state where employee_id = $id', { id: p.id })
    : undefined;
  const targets = (await has(conn, 'int_path_targets', 'stg_roles'))
    ? await readRows(conn, `
        select t.target_role_id as role_id, r.title, r.level::int as level, t.is_from_plan, t.is_from_goal, 'path' as target_kind
        from int_path_targets t left join stg_roles r on r.role_id = t.target_role_id
        where t.employee_id = $id order by t.target_role_id`, { id: p.id })
    : [];
  if (!targets.length && state?.default_next_role_id && (await has(conn, 'stg_roles'))) {
    const next = await readOne(conn, `select role_id, title, level::int as level, false as is_from_plan, false as is_from_goal,
      'default_next' as target_kind from stg_roles where role_id = $role`, { role: state.default_next_role_id as string });
    if (next) targets.push(next);
  }
  if (await has(conn, 'role_coverage')) {
    const coverage = await readRows(conn, `select role_id, target_kind, coverage::double as coverage, n_skills_short::int as n_skills_short
      from role_coverage where employee_id = $id`, { id: p.id });
    for (const t of targets) {
      const c = coverage.find((x) => x.role_id === t.role_id && x.target_kind === t.target_kind);
      t.coverage = c?.coverage ?? null;
      t.n_skills_to_close = c?.n_skills_short ?? null;
    }
  } else {
    for (const t of targets) { t.coverage = null; t.n_skills_to_close = null; }
  }
  const skills = (await has(conn, 'skill_gaps_employee', 'stg_skills'))
    ? await readRows(conn, `
        select g.target_role_id, g.skill_id, s.name as skill_name, g.current_level::int as current_level,
               g.required_level::int as required_level, g.gap::int as gap, g.importance::int as importance
        from skill_gaps_employee g left join stg_skills s using (skill_id)
        where g.employee_id = $id and g.gap > 0 and g.target_kind in ('path', 'default_next')
        order by g.target_role_id, g.importance desc, g.gap desc, s.name, g.skill_id`, { id: p.id })
    : [];
  return { state: (state?.path_state as string | undefined) ?? null, targets, skills };
}

/**
 * Suggested moves: the mobility_matches mart when it was built (its ranking; the role flags about other
 * people — open need, succession — are left out), else the progressions out of the current role with
 * the employee's coverage of each.
 */
export async function readMoves(conn: DuckDBConnection, p: Params, roleId: string | null) {
  if (await has(conn, 'mobility_matches')) {
    const rows = await readRows(conn, `
      select rank::int as rank, role_id, title, kind, level_change::int as level_change, coverage::double as coverage,
             n_skills_to_close::int as n_skills_to_close, skills_to_close, is_path_target
      from mobility_matches where employee_id = $id order by rank`, { id: p.id });
    return { source: 'mobility_matches' as const, rows };
  }
  if (!roleId || !(await has(conn, 'stg_role_progressions', 'stg_roles'))) return { source: null, rows: [] };
  const coverage = await has(conn, 'int_role_coverage_computed');
  const rows = await readRows(conn, `
    select (row_number() over (order by c.coverage desc nulls last, p.to_role_id))::int as rank, p.to_role_id as role_id, r.title,
           'progression' as kind, (r.level - f.level)::int as level_change, c.coverage, c.n_skills_to_close,
           null::varchar as skills_to_close, false as is_path_target
    from stg_role_progressions p join stg_roles r on r.role_id = p.to_role_id join stg_roles f on f.role_id = p.from_role_id
    left join (${coverage
      ? 'select role_id, coverage::double as coverage, n_skills_short::int as n_skills_to_close from int_role_coverage_computed where employee_id = $id'
      : 'select null::varchar as role_id, null::double as coverage, null::int as n_skills_to_close where false'}) c on c.role_id = p.to_role_id
    where p.from_role_id = $role
    order by rank`, coverage ? { id: p.id, role: roleId } : { role: roleId });
  return { source: 'progressions' as const, rows };
}

/**
 * Their goals created by the run date, newest first, with the objective each supports (and the
 * company objective above it) and whether it counts toward their path (int_goals_linked).
 */
export async function readGoals(conn: DuckDBConnection, p: Params) {
  if (!(await has(conn, 'stg_goals'))) return { loaded: false, rows: [] as PlainRow[] };
  const objectives = await has(conn, 'stg_objectives');
  const linked = await has(conn, 'int_goals_linked');
  const roles = await has(conn, 'stg_roles');
  const skills = await has(conn, 'stg_skills');
  // The company objective a goal serves: the top of its objective's parent chain (when it has a parent).
  const roots = objectives ? `with recursive up(objective_id, ancestor_id, depth) as (
      select objective_id, objective_id, 0 from stg_objectives
      union all
      select up.objective_id, o.parent_objective_id, up.depth + 1
      from up join stg_objectives o on o.objective_id = up.ancestor_id
      where o.parent_objective_id is not null and up.depth < 20
    ), roots as (select objective_id, arg_max(ancestor_id, depth) as root_id from up group by objective_id)` : '';
  const rows = await readRows(conn, `${roots}
    select g.goal_id, g.title, g.status, g.progress::double as progress, g.due_on, g.completed_on,
           g.objective_id,
           ${objectives ? 'o.title' : 'null::varchar'} as objective_title,
           ${objectives ? 'case when top.objective_id <> o.objective_id then top.title end' : 'null::varchar'} as company_objective_title,
           ${objectives ? 'o.objective_id is not null' : 'false'} as is_aligned,
           g.target_role_id, ${roles ? 'r.title' : 'null::varchar'} as target_role_title,
           g.skill_id, ${skills ? 's.name' : 'null::varchar'} as skill_name,
           ${linked ? 'coalesce(l.is_path_linked, false)' : 'false'} as is_path_linked,
           ${linked ? 'l.goal_id is not null' : 'null::boolean'} as is_live
    from stg_goals g
    ${objectives ? 'left join stg_objectives o on o.objective_id = g.objective_id left join roots on roots.objective_id = o.objective_id left join stg_objectives top on top.objective_id = roots.root_id' : ''}
    ${roles ? 'left join stg_roles r on r.role_id = g.target_role_id' : ''}
    ${skills ? 'left join stg_skills s on s.skill_id = g.skill_id' : ''}
    ${linked ? 'left join int_goals_linked l on l.goal_id = g.goal_id' : ''}
    where g.employee_id = $id and g.created_on <= $as_of::date
    order by g.created_on desc, g.goal_id`, p);
  const loaded = (await readOne(conn, 'select 1 as ok from stg_goals limit 1')) !== undefined;
  return { loaded, rows };
}

/** Their check-ins up to the run date, newest first: whether their career came up and whether their manager replied. */
export async function readCheckIns(conn: DuckDBConnection, p: Params) {
  if (!(await has(conn, 'stg_check_ins'))) return { loaded: false, rows: [] as PlainRow[] };
  const rows = await readRows(conn, `
    select week_of, coalesce(career_discussed, false) as career_discussed, manager_replied
    from stg_check_ins where employee_id = $id and week_of <= $as_of::date order by week_of desc`, p);
  const loaded = (await readOne(conn, 'select 1 as ok from stg_check_ins limit 1')) !== undefined;
  return { loaded, rows };
}
