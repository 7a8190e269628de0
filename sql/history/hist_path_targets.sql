-- materialized: temp
-- int_path_targets at every history date at once: target roles of active plans made by T (an undated
-- plan counts from its first load, the run's date) and of goals live at T. One row per date per
-- employee per target role.
with

employees as (select * from hist_employees_active),

plans as (select * from stg_career_plans),

live_goals as (select * from hist_goals_live)

select distinct as_of_date, employee_id, target_role_id
from (
    -- the many employee-dates first (the hash table is built on the joined side, the few plans)
    select employees.as_of_date, plans.employee_id, plans.target_role_id
    from employees
    join plans on plans.employee_id = employees.employee_id
    where plans.status = 'active'
      and (plans.created_on <= employees.as_of_date
           or (plans.created_on is null and employees.as_of_date >= $as_of::date))
    union all
    select as_of_date, employee_id, target_role_id
    from live_goals
    where target_role_id is not null
)
