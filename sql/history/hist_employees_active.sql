-- int_employees_active at every history date at once: the employees active at T (hire_date <= T and not
-- terminated by T) with their role, manager and department at T (the latest job_history row on or before
-- T, else the snapshot's current values: the values of hist_employment_spans' span holding T, the dates
-- taking one range join to ~3 spans per employee), the last promotion and the months since it at T.
-- Narrower than int_employees_active: the role's level, the months in role and the hire and role start dates
-- are read by no history model and no manager's history (each would be 2M more values to write at 100k).
-- One row per date per active employee.
with

dates as (select * from history_dates),

spans as (select * from hist_employment_spans),

at_date as (
    -- active at T (hire_date <= T, no termination by T) and the span holding T: one inequality each side
    select
        dates.as_of_date,
        spans.employee_id,
        spans.department,
        spans.role_id,
        spans.manager_id,
        spans.hire_date,
        coalesce(spans.promoted_on,
                 case when spans.last_promotion_date <= dates.as_of_date then spans.last_promotion_date end)
            as last_promotion_date,
        spans.has_job_row
    from spans
    join dates
        on dates.as_of_date >= spans.span_from
       and dates.as_of_date < spans.span_until
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
        as months_since_promotion
from at_date
