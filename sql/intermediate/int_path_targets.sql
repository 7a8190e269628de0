-- Path targets of active employees: the target roles of their active career plans plus those of their
-- live goals. One row per employee per target role.
with

plans as (select * from stg_career_plans),

live_goals as (select * from int_goals_live),

employees as (select * from int_employees_active),

plan_targets as (
    select plans.employee_id, plans.target_role_id
    from plans
    join employees using (employee_id)                                 -- active employees only
    where plans.status = 'active'
      and (plans.created_on <= $as_of::date                                  -- plans made later do not exist yet
           or (plans.created_on is null and $as_of::date >= $run_as_of::date))  -- undated: from its first load
),

goal_targets as (
    select employee_id, target_role_id
    from live_goals
    where target_role_id is not null
),

combined as (
    select
        employee_id,
        target_role_id,
        bool_or(source = 'plan') as is_from_plan,
        bool_or(source = 'goal') as is_from_goal
    from (
        select *, 'plan' as source from plan_targets
        union all
        select *, 'goal' as source from goal_targets
    )
    group by employee_id, target_role_id
)

select * from combined
