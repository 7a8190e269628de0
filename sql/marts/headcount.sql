-- headcount: active employees per department as of $as_of (docs: metrics.md "Active employee"), each in
-- their department at that date: the latest job_history row on or before as_of, else the current one
-- (history.md "Role and manager at T"; int_job_history_ordered's rule, read from staging so this mart
-- needs nothing but staging).
with employees as (
    select * from stg_employees
),

jobs as (
    select * from stg_job_history
),

active as (
    select employee_id, department, $as_of::date as as_of_date
    from employees
    -- active = hired on or before as_of and not terminated by as_of (a termination on as_of counts as gone)
    where hire_date <= $as_of::date
      and (termination_date is null or termination_date > $as_of::date)
),

placed as (
    select coalesce(jobs.department, active.department) as department
    from active
    asof left join jobs
        on jobs.employee_id = active.employee_id
       and jobs.effective_date <= active.as_of_date
),

by_department as (
    select
        department,
        count(*)::int as n_active
    from placed
    group by department
)

select
    $as_of::date as as_of,
    department,
    n_active
from by_department
