-- materialized: temp
-- Each employee's employment cut into spans [span_from, span_until) within [hire_date, termination_date),
-- one set of values holding over each: before their first job_history row (or always, without any) the
-- snapshot's values, then each job row until their next one. Spans of a role the roles file does not know
-- are left out (as int_employees_active). A history date T falls in at most one span of an employee: the
-- employee is active at T with that span's values (hist_employees_active joins the dates to them; the roles
-- held are pairs hist_role_timelines follows). One row per span (some empty, or holding no date).
with

employees as (select * from stg_employees),

roles as (select * from stg_roles),

jobs as (select * from int_job_history_ordered),

spans as (
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
)

select spans.*
from spans
join roles using (role_id)                                              -- as int_employees_active: a known role
