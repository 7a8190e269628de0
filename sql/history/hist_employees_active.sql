-- int_employees_active at every history date at once: the employees active at T (hire_date <= T and not
-- terminated by T) with their role, manager and department at T (the latest job_history row on or before
-- T, else the snapshot's current values: the values of hist_employment_spans' span holding T), the last
-- promotion and the months since it at T, and role_coverage's coverage of the role held at T. Each span is
-- cut where that coverage changes (hist_role_timelines), and the dates take one range join to the pieces,
-- not an as-of join of every employee-date. Narrower than int_employees_active: the
-- role's level, the months in role and the hire and role start dates are read by no history model and no
-- manager's history (each would be 2M more values to write at 100k). One row per date per active employee.
with

dates as (select * from history_dates),

spans as (select * from hist_employment_spans),

timelines as (select * from hist_role_timelines),

role_skills as (select * from stg_role_skills),

role_points as (
    -- what full coverage of each role takes (roles requiring nothing have no row)
    select role_id, sum(importance * required_level)::bigint as required_points
    from role_skills
    group by role_id
),

pieces as (
    -- each span cut where the coverage of its role changes (a pair with no timeline: 0 points, span whole)
    select
        spans.*,
        greatest(spans.span_from, coalesce(timelines.changed_on, spans.span_from)) as piece_from,
        least(spans.span_until, coalesce(timelines.changed_until, spans.span_until)) as piece_until,
        coalesce(timelines.coverage_points, 0) as coverage_points
    from spans
    left join timelines
        on timelines.employee_id = spans.employee_id
       and timelines.role_id = spans.role_id
       and timelines.changed_on < spans.span_until
       and timelines.changed_until > spans.span_from
),

at_date as (
    -- active at T (hire_date <= T, no termination by T) and the piece holding T: one inequality each side
    select
        dates.as_of_date,
        pieces.employee_id,
        pieces.department,
        pieces.role_id,
        pieces.manager_id,
        pieces.hire_date,
        coalesce(pieces.promoted_on,
                 case when pieces.last_promotion_date <= dates.as_of_date then pieces.last_promotion_date end)
            as last_promotion_date,
        pieces.has_job_row,
        pieces.coverage_points
    from pieces
    join dates
        on dates.as_of_date >= pieces.piece_from
       and dates.as_of_date < pieces.piece_until
)

select
    at_date.as_of_date,
    at_date.employee_id,
    at_date.department,
    at_date.role_id,
    at_date.manager_id,
    at_date.last_promotion_date,
    at_date.has_job_row,
    date_sub('month', coalesce(at_date.last_promotion_date, at_date.hire_date), at_date.as_of_date)::integer
        as months_since_promotion,
    at_date.coverage_points::double / role_points.required_points as current_role_coverage  -- null: requires nothing
from at_date
left join role_points using (role_id)
