-- materialized: temp
-- int_goals_live at every history date at once: goals of employees active at T, created by T, not
-- dropped, and not done unless completed within [T - 365, T] or after T but by the run's date (then
-- still open at T: history.md "Status at T"). One row per date per live goal.
with

employees as (select * from hist_employees_active),

goals as (select * from stg_goals)

-- the many employee-dates first: inside the run's transaction DuckDB builds its hash table on the joined side
select employees.as_of_date, goals.employee_id, goals.goal_id, goals.target_role_id, goals.skill_id
from employees
join goals on goals.employee_id = employees.employee_id and goals.status <> 'dropped'
where goals.created_on <= employees.as_of_date
  and goals.status <> 'dropped'
  and (
      goals.status <> 'done'
      or goals.completed_on between employees.as_of_date - 365 and employees.as_of_date
      or (goals.completed_on > employees.as_of_date and goals.completed_on <= $as_of::date)
  )
