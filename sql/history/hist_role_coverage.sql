-- Coverage at every history date of the (employee, role) pairs the trend needs: each active employee's
-- role at T, and each candidate pair for a critical role at T (int_role_pairs_collected restricted to
-- critical roles: a path target at T, a nomination made by T, or a progression out of the role at T;
-- never the role held at T). Skill levels are the latest assessment on or before T, a tie of dates going
-- to the most trusted source (int_skill_levels_current); a pair's coverage is computed once per day its
-- levels change (far fewer rows than every date × required skill). The role held takes it by span: each
-- employment span (hist_employment_spans) is cut where its coverage changes and the dates join the pieces
-- in one range join; a candidate pair takes the change day whose span holds T. One row per date per
-- employee per role.
with

employees as not materialized (select * from hist_employees_active),

dates as (select * from history_dates),

employments as (select * from hist_employment_spans),

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

candidates as (
    -- a pair once, whatever makes it a candidate (nothing downstream asks which)
    select distinct candidate_pairs.as_of_date, candidate_pairs.employee_id, candidate_pairs.role_id
    from candidate_pairs
    join employees using (as_of_date, employee_id)
    where candidate_pairs.role_id <> employees.role_id                  -- incumbents are never candidates
),

held as (
    -- the employment spans that can hold a history date: the role held over each
    select employments.employee_id, employments.role_id, employments.span_from, employments.span_until
    from employments
    where employments.span_from < employments.span_until
      and employments.span_until > (select min(as_of_date) from dates)
      and employments.span_from <= (select max(as_of_date) from dates)
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
    from (
        select employee_id, role_id from held
        union
        select employee_id, role_id from candidates
    ) as pairs
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
    -- the coverage points from each change day until the pair's next one
    select
        employee_id,
        role_id,
        changed_on,
        coalesce(lead(changed_on) over w, date '9999-12-31') as changed_until,
        sum(change) over (w rows unbounded preceding)::bigint as coverage_points,
        row_number() over w = 1 as is_first
    from point_changes
    window w as (partition by employee_id, role_id order by changed_on)
),

timeline as (
    -- a pair's coverage over all days, from its first change day back to the start of time: 0 points there
    -- (a pair never assessed has no row: 0 points throughout)
    select employee_id, role_id, changed_on, changed_until, coverage_points from point_spans
    union all
    select employee_id, role_id, date '0001-01-01', changed_on, 0 from point_spans where is_first
),

held_coverage as (
    -- each span of a role held cut where the coverage of that role changes (the timeline holds every day
    -- of a pair's span; a pair never assessed keeps its span whole)
    select
        held.employee_id,
        held.role_id,
        greatest(held.span_from, coalesce(timeline.changed_on, held.span_from)) as covered_from,
        least(held.span_until, coalesce(timeline.changed_until, held.span_until)) as covered_until,
        coalesce(timeline.coverage_points, 0) as coverage_points
    from held
    left join timeline
        on timeline.employee_id = held.employee_id
       and timeline.role_id = held.role_id
       and timeline.changed_on < held.span_until
       and timeline.changed_until > held.span_from
),

pairs as (
    -- the role held at each date: the date in one piece of the employee's span (as hist_employees_active)
    select dates.as_of_date, held_coverage.employee_id, held_coverage.role_id, true as is_current,
           held_coverage.coverage_points
    from held_coverage
    join dates
        on dates.as_of_date >= held_coverage.covered_from
       and dates.as_of_date < held_coverage.covered_until
    union all
    -- the candidate pairs: the coverage of the pair's latest change day on or before the date (none: 0)
    select candidates.as_of_date, candidates.employee_id, candidates.role_id, false,
           coalesce(point_spans.coverage_points, 0)
    from candidates
    left join point_spans
        on point_spans.employee_id = candidates.employee_id
       and point_spans.role_id = candidates.role_id
       and point_spans.changed_on <= candidates.as_of_date
       and point_spans.changed_until > candidates.as_of_date
)

-- a role requiring nothing has no coverage
select
    pairs.as_of_date,
    pairs.employee_id,
    pairs.role_id,
    pairs.is_current,                                                   -- else a candidate pair
    case when role_points.role_id is not null then pairs.coverage_points end as coverage_points,
    role_points.required_points,
    case when role_points.role_id is not null then pairs.coverage_points end::double
        / role_points.required_points as coverage
from pairs
left join role_points on role_points.role_id = pairs.role_id
