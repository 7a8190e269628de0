-- Coverage at every history date of the (employee, role) pairs the trend needs: each active employee's
-- role at T, and each candidate pair for a critical role at T (int_role_pairs_collected restricted to
-- critical roles: a path target at T, a nomination made by T, or a progression out of the role at T;
-- never the role held at T). Skill levels are the latest assessment on or before T, a tie of dates going
-- to the most trusted source (int_skill_levels_current); computed once per day a pair's levels change and
-- taken at each date by an as-of join (far fewer rows than every date × required skill). One row per date
-- per employee per role.
with

employees as (select * from hist_employees_active),

roles as (select * from stg_roles),

progressions as (select * from stg_role_progressions),

targets as (select * from hist_path_targets),

nominations as (select * from stg_successor_nominations),

role_skills as (select * from stg_role_skills),

assessments as (select * from stg_employee_skills),

staff as (select * from stg_employees),

skills as (select * from stg_skills),

critical as (select role_id from roles where is_critical),

candidate_pairs as (
    select employees.as_of_date, employees.employee_id, progressions.to_role_id as role_id
    from employees
    join progressions on progressions.from_role_id = employees.role_id
    join critical on critical.role_id = progressions.to_role_id
    union all
    select targets.as_of_date, targets.employee_id, targets.target_role_id
    from targets
    join critical on critical.role_id = targets.target_role_id
    union all
    select employees.as_of_date, nominations.nominee_id, nominations.role_id
    from employees
    join nominations on nominations.nominee_id = employees.employee_id
    join critical on critical.role_id = nominations.role_id
    where nominations.nominated_on <= employees.as_of_date
       or (nominations.nominated_on is null and employees.as_of_date >= $as_of::date)
),

pairs as (
    select employees.as_of_date, employees.employee_id, employees.role_id, true as is_current
    from employees
    union all
    -- a pair once, whatever makes it a candidate (nothing downstream asks which)
    select distinct candidate_pairs.as_of_date, candidate_pairs.employee_id, candidate_pairs.role_id, false
    from candidate_pairs
    join employees using (as_of_date, employee_id)
    where candidate_pairs.role_id <> employees.role_id                  -- incumbents are never candidates
),

skill_days as (
    -- the level each day's assessments give (the most trusted source of the day; unassessed is level 0),
    -- and the level it replaces (the employee's previous assessment day of the skill, else 0)
    select
        employee_id,
        skill_id,
        assessed_on,
        coalesce(current_level, 0) as current_level,
        coalesce(lag(current_level) over (partition by employee_id, skill_id order by assessed_on), 0) as previous_level
    from (
        select
            employee_id,
            skill_id,
            assessed_on,
            arg_max(level, case source when 'certification' then 4 when 'manager' then 3 when 'peer' then 2 else 1 end)
                as current_level
        from assessments
        where employee_id in (select employee_id from staff)
          and skill_id in (select skill_id from skills)
        group by employee_id, skill_id, assessed_on
    )
),

pair_skills as (
    -- each distinct (employee, role) pair once, whatever the dates it is needed at
    select pairs.employee_id, pairs.role_id, role_skills.skill_id, role_skills.required_level, role_skills.importance
    from (select distinct employee_id, role_id from pairs) as pairs
    join role_skills on role_skills.role_id = pairs.role_id
),

role_points as (
    -- what full coverage of each role takes (roles requiring nothing have no row)
    select role_id, sum(importance * required_level)::bigint as required_points
    from role_skills
    group by role_id
),

point_changes as (
    -- a pair's coverage changes only on the days its skills were assessed: by how much on each such day
    select
        pair_skills.employee_id,
        pair_skills.role_id,
        skill_days.assessed_on as changed_on,
        sum(pair_skills.importance * (least(skill_days.current_level, pair_skills.required_level)
                                      - least(skill_days.previous_level, pair_skills.required_level))) as change
    from pair_skills
    join skill_days on skill_days.employee_id = pair_skills.employee_id and skill_days.skill_id = pair_skills.skill_id
    group by pair_skills.employee_id, pair_skills.role_id, skill_days.assessed_on
),

point_spans as (
    -- the coverage points from each change day until the pair's next one (nothing assessed before: 0)
    select
        employee_id,
        role_id,
        changed_on,
        coalesce(lead(changed_on) over w, date '9999-12-31') as changed_until,
        sum(change) over (w rows unbounded preceding)::bigint as coverage_points
    from point_changes
    window w as (partition by employee_id, role_id order by changed_on)
)

-- the coverage at each date: that of the pair's latest change day on or before it (none: requires nothing)
select
    pairs.as_of_date,
    pairs.employee_id,
    pairs.role_id,
    pairs.is_current,                                                   -- else a candidate pair
    case when role_points.role_id is not null then coalesce(point_spans.coverage_points, 0) end as coverage_points,
    role_points.required_points,
    case when role_points.role_id is not null then coalesce(point_spans.coverage_points, 0) end::double
        / role_points.required_points as coverage
from pairs
left join role_points on role_points.role_id = pairs.role_id
left join point_spans
    on point_spans.employee_id = pairs.employee_id
   and point_spans.role_id = pairs.role_id
   and point_spans.changed_on <= pairs.as_of_date
   and point_spans.changed_until > pairs.as_of_date
