-- Org skill views (spec: "Org skill views"): per skill for each department, each job family (of the
-- current role) and the company, over active employees. A row exists where some active employee's
-- current role requires the skill, some active employee has it at level >= 3, or (job family and
-- company rows) some role of the scope requires it at >= 3.
with

employees as (select * from int_employees_active),

levels as (select * from int_skill_levels_current),

roles as (select * from stg_roles),

role_skills as (select * from stg_role_skills),

current_role_gaps as (
    -- the org view is about own roles: each active employee's gaps in their current role's skills
    -- (int_skill_gaps_computed's rule, for those pairs only)
    select
        employees.employee_id,
        role_skills.skill_id,
        greatest(0, role_skills.required_level - coalesce(levels.current_level, 0)) as gap,   -- no assessment = 0
        role_skills.importance
    from employees
    join role_skills on role_skills.role_id = employees.role_id
    left join levels
        on levels.employee_id = employees.employee_id
       and levels.skill_id = role_skills.skill_id
),

supplied as (
    select levels.employee_id, levels.skill_id
    from levels
    join employees using (employee_id)                                 -- active employees only
    where levels.current_level >= 3
),

employee_skill as (
    select
        coalesce(current_role_gaps.employee_id, supplied.employee_id) as employee_id,
        coalesce(current_role_gaps.skill_id, supplied.skill_id) as skill_id,
        current_role_gaps.employee_id is not null as is_requiring,
        current_role_gaps.gap,
        current_role_gaps.importance,
        supplied.employee_id is not null as is_supply
    from current_role_gaps
    full join supplied using (employee_id, skill_id)
),

scoped as (
    select 'department' as scope, employees.department as scope_value, employee_skill.*
    from employee_skill join employees using (employee_id)
    union all
    select 'job_family' as scope, employees.job_family as scope_value, employee_skill.*
    from employee_skill join employees using (employee_id)
    union all
    select 'company' as scope, null as scope_value, employee_skill.*
    from employee_skill
),

people as (
    select
        scope,
        scope_value,
        skill_id,
        count(*) filter (where is_requiring)::integer as employees_requiring,
        count(*) filter (where is_requiring and gap > 0)::integer as employees_short,
        avg(gap) filter (where is_requiring) as mean_gap,
        coalesce(sum(importance * gap) filter (where is_requiring), 0)::integer as gap_points,
        count(*) filter (where is_supply)::integer as supply
    from scoped
    group by scope, scope_value, skill_id
),

headcount as (
    select role_id, count(*)::integer as n_active
    from employees
    group by role_id
),

role_demand as (
    select
        roles.job_family,
        role_skills.skill_id,
        -- the larger of active and planned headcount; a missing plan counts 0
        greatest(coalesce(headcount.n_active, 0), coalesce(roles.planned_headcount, 0)) as n_needed
    from role_skills
    join roles using (role_id)
    left join headcount using (role_id)
    where role_skills.required_level >= 3                              -- demand counts skilled requirements
),

demand as (
    select 'job_family' as scope, job_family as scope_value, skill_id, sum(n_needed)::integer as demand
    from role_demand
    group by job_family, skill_id
    union all
    select 'company' as scope, null as scope_value, skill_id, sum(n_needed)::integer as demand
    from role_demand
    group by skill_id
),

combined as (
    select
        coalesce(people.scope, demand.scope) as scope,
        coalesce(people.scope_value, demand.scope_value) as scope_value,
        coalesce(people.skill_id, demand.skill_id) as skill_id,
        coalesce(people.employees_requiring, 0) as employees_requiring,
        coalesce(people.employees_short, 0) as employees_short,
        people.mean_gap,
        coalesce(people.gap_points, 0) as gap_points,
        coalesce(people.supply, 0) as supply,
        -- demand is not defined for departments; 0 on other rows where no role of the scope needs it
        case when coalesce(people.scope, demand.scope) = 'department' then null
             else coalesce(demand.demand, 0) end as demand
    from people
    full join demand
        on demand.scope = people.scope
       and demand.scope_value is not distinct from people.scope_value   -- the company row's value is null
       and demand.skill_id = people.skill_id
)

select * from combined
