-- Career path state of every active employee (spec: "Career path state").
with

employees as (select * from int_employees_active),

targets as (select * from int_path_targets),

linked_goals as (select * from int_goals_linked),

default_next as (select * from int_default_next_chosen),

target_lists as (
    select
        employee_id,
        list(target_role_id order by target_role_id) as path_targets,
        count(*)::integer as n_path_targets
    from targets
    group by employee_id
),

linked_counts as (
    select employee_id, count(*)::integer as n_linked_goals
    from linked_goals
    where is_path_linked
    group by employee_id
),

states as (
    select
        employees.employee_id,
        employees.full_name,
        employees.department,
        employees.role_id,
        employees.manager_id,
        case
            when coalesce(target_lists.n_path_targets, 0) = 0 then 'no_path'
            when coalesce(linked_counts.n_linked_goals, 0) = 0 then 'plan_only'   -- targets only on paper
            else 'on_path'
        end as path_state,
        coalesce(target_lists.path_targets, []::varchar[]) as path_targets,
        coalesce(target_lists.n_path_targets, 0) as n_path_targets,
        coalesce(linked_counts.n_linked_goals, 0) as n_linked_goals,
        -- the gap view's target for someone with no path
        case when target_lists.n_path_targets is null then default_next.default_next_role_id end
            as default_next_role_id,
        employees.months_since_promotion
    from employees
    left join target_lists using (employee_id)
    left join linked_counts using (employee_id)
    left join default_next using (employee_id)
)

select * from states
