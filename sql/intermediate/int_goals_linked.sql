-- Live goals with whether each is linked to the employee's path: its target role is a path target, or
-- its skill is required by a path-target role. One row per live goal.
with

live_goals as (select * from int_goals_live),

targets as (select * from int_path_targets),

role_skills as (select * from stg_role_skills),

target_skills as (
    select distinct targets.employee_id, role_skills.skill_id
    from targets
    join role_skills on role_skills.role_id = targets.target_role_id
),

linked as (
    select
        live_goals.*,
        (
            exists (
                select 1 from targets
                where targets.employee_id = live_goals.employee_id
                  and targets.target_role_id = live_goals.target_role_id
            )
            or exists (
                select 1 from target_skills
                where target_skills.employee_id = live_goals.employee_id
                  and target_skills.skill_id = live_goals.skill_id
            )
        ) as is_path_linked
    from live_goals
)

select * from linked
