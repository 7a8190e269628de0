-- materialized: temp
-- What career_path_state needs at every history date beyond the role (int_goals_linked with T for as_of),
-- for the employee-dates with a path target at T: whether a live goal at T is linked to the path (its target
-- role is a path target at T, or its skill is required by one; each live goal against each path target of
-- its employee at T: few rows). history_retention_risk applies the state rule: no row is no path target at
-- T (no_path, or top_of_ladder in a role with no way out). One row per date per employee with a path target.
with

live_goals as (select * from hist_goals_live),

targets as (select * from hist_path_targets),

role_skills as (select * from stg_role_skills)

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
