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

job_spans as (
    -- each job row holds from its effective_date until the employee's next one
    select
        employee_id, effective_date, role_id, manager_id, department, promoted_on,
        coalesce(lead(effective_date) over (partition by employee_id order by effective_date), date '9999-12-31')
            as effective_until
    from jobs
),

active as (
    -- only the columns needed (the as-of join below sorts whole rows); one inequality in the join condition
    -- (a range join), the termination test after it
    select
        dates.as_of_date, employees.employee_id, employees.department, employees.role_id, employees.manager_id,
        employees.hire_date, employees.last_promotion_date
    from employees
    join dates on employees.hire_date <= dates.as_of_date
    where employees.termination_date is null or employees.termination_date > dates.as_of_date
),

at_date as (
    select
        active.as_of_date,
        active.employee_id,
        coalesce(jobs.department, active.department) as department,
        coalesce(jobs.role_id, active.role_id) as role_id,
        case when jobs.employee_id is null then active.manager_id else jobs.manager_id end as manager_id,
        active.hire_date,
        coalesce(jobs.promoted_on,
                 case when active.last_promotion_date <= active.as_of_date then active.last_promotion_date end)
            as last_promotion_date,
        jobs.employee_id is not null as has_job_row
    from active
    left join job_spans as jobs
        on jobs.employee_id = active.employee_id
       and jobs.effective_date <= active.as_of_date
       and jobs.effective_until > active.as_of_date
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
