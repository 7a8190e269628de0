-- Alignment of live goals per department and for the company (spec: "Goal alignment").
-- One row per department with live goals, plus one company row (always present).
with

goals as (select * from int_goals_linked),

employees as (select * from int_employees_active),

classified as (
    select
        employees.department,
        goals.is_aligned,
        goals.is_path_linked,
        not goals.is_aligned and not goals.is_path_linked as is_orphan
    from goals
    join employees using (employee_id)                                 -- the employee's current department
),

scoped as (
    select 'department' as scope, department as scope_value, * exclude (department) from classified
    union all
    select 'company' as scope, null as scope_value, * exclude (department) from classified
),

counted as (
    select
        scope,
        scope_value,
        count(*)::integer as n_live_goals,
        count(*) filter (where is_aligned)::integer as n_aligned,
        count(*) filter (where is_path_linked)::integer as n_path_linked,
        count(*) filter (where is_orphan)::integer as n_orphan
    from scoped
    group by scope, scope_value
),

company_always as (
    -- the company row exists even without any live goal
    select * from counted
    union all
    select 'company', null, 0, 0, 0, 0
    where not exists (select 1 from counted where scope = 'company')
),

rates as (
    select
        *,
        n_aligned::double / nullif(n_live_goals, 0) as aligned_rate,
        n_path_linked::double / nullif(n_live_goals, 0) as path_linked_rate,
        n_orphan::double / nullif(n_live_goals, 0) as orphan_rate
    from company_always
)

select * from rates
