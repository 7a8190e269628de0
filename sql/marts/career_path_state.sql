-- Career path state of every active employee (spec: "Career path state").
with

employees as (select * from int_employees_active),

targets as (select * from int_path_targets),

linked_goals as (select * from int_goals_linked),

default_next as (select * from int_default_next_chosen),

progressions as (select * from stg_role_progressions),

roles_with_a_way_out as (
    -- a progression of any kind (promotion or lateral) leads out of these roles
    select distinct from_role_id as role_id from progressions
),

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
            when coalesce(target_lists.n_path_targets, 0) = 0 and roles_with_a_way_out.role_id is null
                then 'top_of_ladder'                                           -- nothing leads out: not a path to fix
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
    left join roles_with_a_way_out on roles_with_a_way_out.role_id = employees.role_id
)

select * from states
