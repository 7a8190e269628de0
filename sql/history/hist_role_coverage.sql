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
    select employees.as_of_date, employees.employee_id, progressions.to_role_id as role_id,
           false as is_path_target, false as is_nominated, true as is_feeder
    from employees
    join progressions on progressions.from_role_id = employees.role_id
    join critical on critical.role_id = progressions.to_role_id
    union all
    select targets.as_of_date, targets.employee_id, targets.target_role_id, true, false, false
    from targets
    join critical on critical.role_id = targets.target_role_id
    union all
    select employees.as_of_date, nominations.nominee_id, nominations.role_id, false, true, false
    from employees
    join nominations on nominations.nominee_id = employees.employee_id
    join critical on critical.role_id = nominations.role_id
    where nominations.nominated_on <= employees.as_of_date
       or (nominations.nominated_on is null and employees.as_of_date >= $as_of::date)
),

pairs as (
    select employees.as_of_date, employees.employee_id, employees.role_id, true as is_current,
           false as is_candidate, false as is_path_target, false as is_nominated, false as is_feeder
    from employees
    union all
    select candidate_pairs.as_of_date, candidate_pairs.employee_id, candidate_pairs.role_id, false, true,
           bool_or(candidate_pairs.is_path_target), bool_or(candidate_pairs.is_nominated), bool_or(candidate_pairs.is_feeder)
    from candidate_pairs
    join employees using (as_of_date, employee_id)
    where candidate_pairs.role_id <> employees.role_id                  -- incumbents are never candidates
    group by candidate_pairs.as_of_date, candidate_pairs.employee_id, candidate_pairs.role_id
),

skill_days as (
    -- the level each day's assessments give (the most trusted source of the day), for an as-of join
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
),

pair_skills as (
    -- each distinct (employee, role) pair once, whatever the dates it is needed at
    select pairs.employee_id, pairs.role_id, role_skills.skill_id, role_skills.required_level, role_skills.importance
    from (select distinct employee_id, role_id from pairs) as pairs
    join role_skills on role_skills.role_id = pairs.role_id
),

change_points as (
    -- a pair's coverage changes only on the days its skills were assessed: the days from which it holds
    -- (plus the beginning of time, when nothing was assessed)
    select distinct pair_skills.employee_id, pair_skills.role_id, skill_days.assessed_on as changed_on
    from pair_skills
    join skill_days on skill_days.employee_id = pair_skills.employee_id and skill_days.skill_id = pair_skills.skill_id
    union
    select distinct employee_id, role_id, date '0001-01-01' from pair_skills
),

point_levels as (
    -- each required skill's level on each change day: the latest assessment on or before it
    select
        change_points.employee_id, change_points.role_id, change_points.changed_on,
        pair_skills.required_level, pair_skills.importance, coalesce(skill_days.current_level, 0) as current_level
    from change_points
    join pair_skills on pair_skills.employee_id = change_points.employee_id and pair_skills.role_id = change_points.role_id
    asof left join skill_days
        on skill_days.employee_id = pair_skills.employee_id
       and skill_days.skill_id = pair_skills.skill_id
       and skill_days.assessed_on <= change_points.changed_on
),

point_sums as (
    select
        employee_id,
        role_id,
        changed_on,
        sum(importance * least(current_level, required_level))::bigint as coverage_points,
        sum(importance * required_level)::bigint as required_points
    from point_levels
    group by employee_id, role_id, changed_on
)

-- the coverage at each date: that of the pair's latest change day on or before it (none: requires nothing)
select
    pairs.as_of_date,
    pairs.employee_id,
    pairs.role_id,
    pairs.is_current,
    pairs.is_candidate,
    pairs.is_path_target,
    pairs.is_nominated,
    pairs.is_feeder,
    point_sums.coverage_points,
    point_sums.required_points,
    point_sums.coverage_points::double / point_sums.required_points as coverage
from pairs
asof left join point_sums
    on point_sums.employee_id = pairs.employee_id
   and point_sums.role_id = pairs.role_id
   and point_sums.changed_on <= pairs.as_of_date
