-- Every role each active employee could move to next (docs/marts.md "mobility_matches"), before the top-5 cut:
-- one or two steps on role_progressions out of their current role, and laterals (a role of another job
-- family at level -1..+1 of theirs) covering >= 0.6 of the role's required skills. Never the current role, a
-- role they have an achieved plan for, or a level more than 2 above theirs. Each with the closest kind, the
-- coverage (null when the role requires nothing) and the skills to close. One row per employee per role.
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

required_by_role as (
    select role_skills.*, roles.job_family, roles.level
    from role_skills
    join roles using (role_id)
),

lateral_points as (
    -- from the skills each person holds, never every role for every person: only a role requiring a skill
    -- they hold can reach coverage 0.6
    select
        levels.employee_id,
        required_by_role.role_id,
        sum(required_by_role.importance * least(levels.current_level, required_by_role.required_level)) as points
    from levels
    join employees using (employee_id)
    join required_by_role
        on required_by_role.skill_id = levels.skill_id
       and required_by_role.job_family <> employees.job_family                  -- another job family
       and required_by_role.level between employees.role_level - 1 and employees.role_level + 1
    where levels.current_level > 0                                               -- level 0 adds nothing
    group by levels.employee_id, required_by_role.role_id
),

required_points as (
    select role_id, sum(importance * required_level) as points
    from role_skills
    group by role_id
),

lateral_options as (
    select lateral_points.employee_id, lateral_points.role_id, 3 as kind_order
    from lateral_points
    join required_points using (role_id)
    -- coverage >= 0.6, on integers; a role requiring nothing has no coverage, so it is never a lateral
    where 10 * lateral_points.points >= 6 * required_points.points
),

options as (
    select * from step_options
    union all
    select * from lateral_options
    -- a role also one or two steps away keeps that kind
    where not exists (
        select 1 from step_options
        where step_options.employee_id = lateral_options.employee_id
          and step_options.role_id = lateral_options.role_id
    )
),

achieved as (
    select distinct employee_id, target_role_id as role_id
    from plans
    where status = 'achieved'
      and (created_on is null or created_on <= $as_of::date)                   -- plans made later do not exist yet
),

not_made as (
    select *
    from options
    where not exists (                                                        -- never a move they already made
        select 1 from achieved
        where achieved.employee_id = options.employee_id and achieved.role_id = options.role_id
    )
),

option_skills as (
    select
        not_made.employee_id,
        not_made.role_id,
        not_made.kind_order,
        skills.name as skill_name,
        role_skills.required_level,
        role_skills.importance,
        coalesce(levels.current_level, 0) as current_level                    -- no assessment = 0
    from not_made
    left join role_skills using (role_id)                                    -- a role requiring nothing keeps its row
    left join skills using (skill_id)
    left join levels
        on levels.employee_id = not_made.employee_id
       and levels.skill_id = role_skills.skill_id
),

described as (
    select
        employee_id,
        role_id,
        case kind_order when 1 then 'progression' when 2 then 'two_step' else 'lateral' end as kind,
        kind_order,
        -- the integers of metrics.md's coverage, null when the role requires nothing
        sum(importance * least(current_level, required_level))::bigint as coverage_points,
        sum(importance * required_level)::bigint as required_points,
        sum(importance * least(current_level, required_level))::double / sum(importance * required_level)
            as coverage,
        count(*) filter (where current_level < required_level)::integer as n_skills_to_close,
        -- the short skills, weightiest first (importance, then gap, then name): an unordered list sorted
        -- after, as an ordered string_agg sorts each group on its own (several times slower)
        list_sort(list({'importance': -importance, 'gap': current_level - required_level, 'skill_name': skill_name,
                        'current_level': current_level, 'required_level': required_level})
                  filter (where current_level < required_level)) as short_skills
    from option_skills
    group by employee_id, role_id, kind_order
),

summarized as (
    select
        * exclude (short_skills),
        -- "Coding 3→4; Architecture 1→3"; null when nothing is short
        nullif(array_to_string(list_transform(short_skills,
            s -> s.skill_name || ' ' || s.current_level || '→' || s.required_level), '; '), '') as skills_to_close
    from described
)

select * from summarized
