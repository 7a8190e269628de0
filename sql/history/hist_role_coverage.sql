-- materialized: temp
-- Coverage at every history date of each candidate pair for a critical role at T (int_role_pairs_collected
-- restricted to critical roles: a path target at T, a nomination made by T, or a progression out of the role
-- held at T; never the role held at T): the points of the pair's timeline span holding T (hist_role_timelines;
-- no span: 0 points). hist_employees_active carries the coverage of the role held. One row per date per
-- employee per candidate role.
with

employees as not materialized (select * from hist_employees_active),

timelines as (select * from hist_role_timelines),

roles as (select * from stg_roles),

progressions as (select * from stg_role_progressions),

targets as (select * from hist_path_targets),

nominations as (select * from stg_successor_nominations),

role_skills as (select * from stg_role_skills),

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

candidates as (
    -- a pair once, whatever makes it a candidate (nothing downstream asks which)
    select distinct candidate_pairs.as_of_date, candidate_pairs.employee_id, candidate_pairs.role_id
    from candidate_pairs
    join employees using (as_of_date, employee_id)
    where candidate_pairs.role_id <> employees.role_id                  -- incumbents are never candidates
),

role_points as (
    -- what full coverage of each role takes (roles requiring nothing have no row)
    select role_id, sum(importance * required_level)::bigint as required_points
    from role_skills
    group by role_id
)

-- the points of the timeline span holding T (none: 0; a role requiring nothing has no coverage)
select
    candidates.as_of_date,
    candidates.employee_id,
    candidates.role_id,
    case when role_points.role_id is not null then coalesce(timelines.coverage_points, 0) end as coverage_points,
    role_points.required_points,
    case when role_points.role_id is not null then coalesce(timelines.coverage_points, 0) end::double
        / role_points.required_points as coverage
from candidates
left join role_points on role_points.role_id = candidates.role_id
left join timelines
    on timelines.employee_id = candidates.employee_id
   and timelines.role_id = candidates.role_id
   and timelines.changed_on <= candidates.as_of_date
   and timelines.changed_until > candidates.as_of_date
