-- materialized: temp
-- career_path_state at every history date at once (int_goals_linked and the state rule with T for
-- as_of): path targets and live goals at T, the role at T. One row per date per active employee.
with

employees as (select * from hist_employees_active),

live_goals as (select * from hist_goals_live),

targets as (select * from hist_path_targets),

role_skills as (select * from stg_role_skills),

progressions as (select * from stg_role_progressions),

roles_with_a_way_out as (
    select distinct from_role_id as role_id from progressions
),

with_targets as (
    -- employee-dates with a path target, and whether a live goal is linked to the path: its target role is a
    -- path target at T, or its skill is required by one (each live goal against each path target of its
    -- employee at T: few rows); one row per employee-date, so the many employee-dates take one join
    select
        targets.as_of_date,
        targets.employee_id,
        bool_or(coalesce(live_goals.target_role_id = targets.target_role_id, false) or role_skills.role_id is not null)
            as has_linked_goal
    from targets
    left join live_goals
        on live_goals.as_of_date = targets.as_of_date
       and live_goals.employee_id = targets.employee_id
    left join role_skills
        on role_skills.role_id = targets.target_role_id
       and role_skills.skill_id = live_goals.skill_id
    group by targets.as_of_date, targets.employee_id
)

select
    employees.as_of_date,
    employees.employee_id,
    case
        when with_targets.employee_id is null and roles_with_a_way_out.role_id is null then 'top_of_ladder'
        when with_targets.employee_id is null then 'no_path'
        when not with_targets.has_linked_goal then 'plan_only'
        else 'on_path'
    end as path_state
from employees
left join with_targets using (as_of_date, employee_id)
left join roles_with_a_way_out on roles_with_a_way_out.role_id = employees.role_id
