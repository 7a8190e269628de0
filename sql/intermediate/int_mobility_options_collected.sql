-- Every role each active employee could move to next (docs/marts.md "mobility_matches"), before the top-5 cut:
-- one or two steps on role_progressions out of their current role, and laterals (a role of another job
-- family at level -1..+1 of theirs) covering >= 0.6 of the role's required skills. Never the current role, a
-- role they have an achieved plan for, or a level more than 2 above theirs. Each with the closest kind, the
-- coverage (null when the role requires nothing) and the skills to close. One row per employee per role.
-- A view: mobility_matches, its one reader, ranks the rows as they are computed (as a table they would be
-- written and read back for nothing).
-- materialized: view
with

employees as (select * from int_employees_active),

roles as (select * from stg_roles),

progressions as (select * from stg_role_progressions),

role_skills as (select * from stg_role_skills),

skills as (select * from stg_skills),

levels as (select * from int_skill_levels_current),

plans as (select * from stg_career_plans),

role_steps as (
    -- per role, not per employee: the roles one step away, and two (a role both ways is one step away)
    select steps.from_role_id, steps.to_role_id, min(steps.n_steps) as n_steps
    from (
        select from_role_id, to_role_id, 1 as n_steps from progressions
        union all
        select first_step.from_role_id, second_step.to_role_id, 2 as n_steps
        from progressions as first_step
        join progressions as second_step on second_step.from_role_id = first_step.to_role_id
    ) as steps
    join roles as from_role on from_role.role_id = steps.from_role_id
    join roles as to_role on to_role.role_id = steps.to_role_id
    where steps.to_role_id <> steps.from_role_id                        -- never back to the role they hold
      and to_role.level <= from_role.level + 2                          -- at most two levels up
    group by steps.from_role_id, steps.to_role_id
),

step_options as (
    select employees.employee_id, role_steps.to_role_id as role_id, role_steps.n_steps as kind_order
    from employees
    join role_steps on role_steps.from_role_id = employees.role_id
),

skill_holders as (
    select skill_id, count(*) as n_holders
    from levels
    where current_level > 0
    group by skill_id
),

required_rarest_first as (
    -- each role's required skills, the fewest holders first, with the points of those before each
    select
        role_skills.role_id,
        role_skills.skill_id,
        role_skills.required_level,
        role_skills.importance,
        sum(role_skills.importance * role_skills.required_level) over (
            partition by role_skills.role_id
            order by coalesce(skill_holders.n_holders, 0), role_skills.skill_id
            rows between unbounded preceding and 1 preceding
        ) as points_before,
        sum(role_skills.importance * role_skills.required_level) over (partition by role_skills.role_id)
            as required_points
    from role_skills
    left join skill_holders using (skill_id)
),

lateral_keys as (
    -- Testing every role of another family for every person is most of the work and nearly all of it fails,
    -- so each role names its key skills: its rarest skills until they weigh more than 40% of its points.
    -- Someone holding none of them reaches less than the other 60%, so only holders are tested (whatever
    -- the order; rarest first keeps them few), and only those whose key-skill points plus every other
    -- point could still reach 60%.
    select
        required_rarest_first.*,
        required_rarest_first.required_points
            - sum(required_rarest_first.importance * required_rarest_first.required_level)
                over (partition by required_rarest_first.role_id) as points_elsewhere
    from required_rarest_first
    where 10 * coalesce(required_rarest_first.points_before, 0) <= 4 * required_rarest_first.required_points
),

lateral_moves as (
    -- per role: the roles of another job family at level -1..+1 that are not one or two steps away
    select from_role.role_id as from_role_id, to_role.role_id as to_role_id
    from roles as from_role
    join roles as to_role
        on to_role.job_family <> from_role.job_family
       and to_role.level between from_role.level - 1 and from_role.level + 1
    anti join role_steps                                                 -- one or two steps away keeps that kind
        on role_steps.from_role_id = from_role.role_id
       and role_steps.to_role_id = to_role.role_id
),

lateral_key_skills as (
    -- per role: the key skills of each lateral move out of it
    select lateral_moves.from_role_id, lateral_keys.*
    from lateral_moves
    join lateral_keys on lateral_keys.role_id = lateral_moves.to_role_id
),

held_skills as materialized (
    -- the skills people hold, with their current role; apart, so that the join below is one join with the
    -- role-level table (inside the run's transaction DuckDB cannot see sizes: it could multiply people by roles)
    select levels.employee_id, employees.role_id as from_role_id, levels.skill_id, levels.current_level
    from levels
    join employees using (employee_id)
    where levels.current_level > 0                                           -- level 0 holds nothing
),

lateral_candidates as (
    select held_skills.employee_id, lateral_key_skills.role_id, 3 as kind_order
    from held_skills
    join lateral_key_skills
        on lateral_key_skills.from_role_id = held_skills.from_role_id
       and lateral_key_skills.skill_id = held_skills.skill_id
    group by held_skills.employee_id, lateral_key_skills.role_id
    having 10 * (sum(lateral_key_skills.importance * least(held_skills.current_level, lateral_key_skills.required_level))
                 + any_value(lateral_key_skills.points_elsewhere)) >= 6 * any_value(lateral_key_skills.required_points)
),

options as (
    select * from step_options
    union all
    select * from lateral_candidates
),

achieved as (
    select employee_id, target_role_id as role_id
    from plans
    where status = 'achieved'
      and (created_on <= $as_of::date                                       -- plans made later do not exist yet
           or (created_on is null and $as_of::date >= $run_as_of::date))   -- undated: from its first load
),

not_made as (
    select options.*
    from options
    anti join achieved                                                   -- never a move they already made
        on achieved.employee_id = options.employee_id
       and achieved.role_id = options.role_id
),

requirements as (
    -- each role's required skills, most important first (then by name): the order skills_to_close lists them,
    -- with the text around each one's current level ("Python " and "→3") made once per role
    select
        role_skills.role_id,
        list({'skill_id': role_skills.skill_id, 'required_level': role_skills.required_level,
              'importance': role_skills.importance, 'label': skills.name || ' ', 'target': '→' || role_skills.required_level}
             order by role_skills.importance desc, skills.name, role_skills.skill_id) as required,
        sum(role_skills.importance * role_skills.required_level)::bigint as required_points
    from role_skills
    join skills using (skill_id)
    group by role_skills.role_id
),

level_maps as (
    -- each person's current levels by skill (one lookup per required skill instead of a join and a regroup)
    select employee_id, map_from_entries(list({'key': skill_id, 'value': current_level})) as level_of
    from levels
    group by employee_id
),

needs as (
    -- a role requiring nothing has no list (coverage null, nothing to close)
    select
        not_made.*,
        requirements.required_points,
        list_transform(requirements.required, r -> {
            'importance': r.importance, 'required_level': r.required_level, 'label': r.label, 'target': r.target,
            'current_level': coalesce(level_maps.level_of[r.skill_id], 0)                -- no assessment = 0
        }) as required_skills
    from not_made
    left join requirements using (role_id)
    left join level_maps using (employee_id)
),

scored as (
    select
        *,
        list_sum(list_transform(required_skills, s -> s.importance * least(s.current_level, s.required_level)))::bigint
            as coverage_points
    from needs
),

kept as (
    select *
    from scored
    where kind_order < 3 or 10 * coverage_points >= 6 * required_points  -- a lateral needs coverage >= 0.6
),

short as (
    select *, list_filter(required_skills, s -> s.current_level < s.required_level) as short_skills
    from kept
),

described as (
    select
        employee_id,
        role_id,
        case kind_order when 1 then 'progression' when 2 then 'two_step' else 'lateral' end as kind,
        kind_order,
        coverage_points::double / required_points as coverage,                          -- metrics.md's coverage
        coalesce(len(short_skills), 0)::integer as n_skills_to_close,
        -- "Python 2→3; SQL 1→2"; null when nothing is short
        nullif(array_to_string(list_transform(short_skills,
            s -> s.label || s.current_level || s.target), '; '), '') as skills_to_close
    from short
)

select * from described
