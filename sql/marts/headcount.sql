-- headcount: active employees per department as of $as_of (docs: metrics.md "Active employee"), each in
-- their department at that date (history.md "Role and manager at T").
with employees as (
    select * from int_employees_active
),

by_department as (
    select
        department,
        count(*)::int as n_active
    from employees
    group by department
)

select
    $as_of::date as as_of,
    department,
    n_active
from by_department
