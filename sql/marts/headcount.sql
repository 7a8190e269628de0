-- headcount: active employees per department as of $as_of (docs: metrics.md "Active employee").
with employees as (
    select * from stg_employees
),

active as (
    select department
    from employees
    -- active = hired on or before as_of and not terminated by as_of (a termination on as_of counts as gone)
    where hire_date <= $as_of::date
      and (termination_date is null or termination_date > $as_of::date)
),

by_department as (
    select
        department,
        count(*)::int as n_active
    from active
    group by department
)

select
    $as_of::date as as_of,
    department,
    n_active
from by_department
