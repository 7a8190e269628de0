-- What a manager's history reads of each person at each date (dashboard/server/history.ts; docs/access.md
-- "History and the backtest"): the manager at T (hist_employees_active), by which their subtree at T is
-- walked, and the coverage of the role held at T (hist_role_coverage's current-role row; null when the role
-- requires nothing). The two building blocks it comes from are temporary tables of the run; this narrow
-- table is what the file keeps of them. One row per date per active employee.
with

employees as (select * from hist_employees_active),

current_roles as (select * from hist_role_coverage where is_current)

select
    employees.as_of_date,
    employees.employee_id,
    employees.manager_id,
    current_roles.coverage as current_role_coverage
from employees
left join current_roles
    on current_roles.as_of_date = employees.as_of_date
   and current_roles.employee_id = employees.employee_id
