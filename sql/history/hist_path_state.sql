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

target_skills as (
    select distinct targets.as_of_date, targets.employee_id, role_skills.skill_id
    from targets
    join role_skills on role_skills.role_id = targets.target_role_id
),

linked_goals as (
    select distinct live_goals.as_of_date, live_goals.employee_id, live_goals.goal_id
    from live_goals
    join targets
        on targets.as_of_date = live_goals.as_of_date
       and targets.employee_id = live_goals.employee_id
       and targets.target_role_id = live_goals.target_role_id
    union
    select live_goals.as_of_date, live_goals.employee_id, live_goals.goal_id
    from live_goals
    join target_skills
        on target_skills.as_of_date = live_goals.as_of_date
       and target_skills.employee_id = live_goals.employee_id
       and target_skills.skill_id = live_goals.skill_id
),

target_counts as (
    select as_of_date, employee_id, count(*)::integer as n_path_targets
    from targets
    group by as_of_date, employee_id
),

linked_counts as (
    select as_of_date, employee_id, count(*)::integer as n_linked_goals
    from linked_goals
    group by as_of_date, employee_id
)

select
    employees.as_of_date,
    employees.employee_id,
    case
        when coalesce(target_counts.n_path_targets, 0) = 0 and roles_with_a_way_out.role_id is null
            then 'top_of_ladder'
        when coalesce(target_counts.n_path_targets, 0) = 0 then 'no_path'
        when coalesce(linked_counts.n_linked_goals, 0) = 0 then 'plan_only'
        else 'on_path'
    end as path_state
from employees
left join target_counts using (as_of_date, employee_id)
left join linked_counts using (as_of_date, employee_id)
left join roles_with_a_way_out on roles_with_a_way_out.role_id = employees.role_id
