-- int_employees_active at every history date at once: the employees active at T (hire_date <= T and not
-- terminated by T) with their role, manager and department at T (the latest job_history row on or before
-- T: the row whose span holds T, else the snapshot's current values), the last promotion and the months since
-- it at T. Narrower than int_employees_active: the role's level, the months in role and the hire and role start
-- dates are read by no history model and no manager's history (each would be 2M more values to write at 100k).
-- One row per date per active employee.
with

dates as (select * from history_dates),

employees as (select * from stg_employees),

roles as (select * from stg_roles),

jobs as (select * from int_job_history_ordered),

spans as (
    -- [span_from, span_until): the days one set of values holds, within the employment [hire_date,
    -- termination_date): before the employee's first job row (or always, without any) the snapshot's values,
    -- then each job row until their next one. The dates then take one range join to ~3 spans per employee,
    -- not an as-of join of every employee-date (~20 per employee) to the job rows
    select
        employees.employee_id,
        employees.hire_date as span_from,
        least(coalesce(first_jobs.effective_date, date '9999-12-31'), coalesce(employees.termination_date, date '9999-12-31'))
            as span_until,
        employees.department,
        employees.role_id,
        employees.manager_id,
        null::date as promoted_on,
        false as has_job_row,
        employees.hire_date,
        employees.last_promotion_date
    from employees
    left join (select employee_id, min(effective_date) as effective_date from jobs group by employee_id) as first_jobs
        using (employee_id)
    union all
    select
        jobs.employee_id,
        greatest(jobs.effective_date, employees.hire_date),
        least(coalesce(lead(jobs.effective_date) over (partition by jobs.employee_id order by jobs.effective_date), date '9999-12-31'),
              coalesce(employees.termination_date, date '9999-12-31')),
        coalesce(jobs.department, employees.department),
        coalesce(jobs.role_id, employees.role_id),
        jobs.manager_id,
        jobs.promoted_on,
        true,
        employees.hire_date,
        employees.last_promotion_date
    from jobs
    join employees using (employee_id)
),

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
join roles using (role_id)                                              -- as int_employees_active: a known role
