-- Bench of each critical role (spec: "Succession readiness", per critical role).
-- One row per critical role, vacant ones included.
with

roles as (select * from stg_roles),

employees as (select * from int_employees_active),

candidates as (select * from succession_candidates),

risk as (select * from retention_risk),

critical_roles as (
    select role_id, title from roles where is_critical
),

ready_soon as (
    select
        role_id,
        employee_id,
        -- w: a ready-now successor counts whole, one ready in 1-2 years half
        case readiness when 'ready_now' then 1.0 else 0.5 end as weight,
        -- k: how many critical roles this candidate is ready within 2 years for
        count(*) over (partition by employee_id) as n_roles_ready
    from candidates
    where readiness in ('ready_now', 'ready_1_2_years')
),

bench as (
    select role_id, sum(weight / n_roles_ready)::double as bench_strength
    from ready_soon
    group by role_id
),

counts as (
    select
        role_id,
        count(*)::integer as n_candidates,
        count(*) filter (where readiness = 'ready_now')::integer as n_ready_now,
        count(*) filter (where readiness = 'ready_1_2_years')::integer as n_ready_1_2_years,
        count(*) filter (where readiness = 'ready_3_plus_years')::integer as n_ready_3_plus_years,
        count(*) filter (where readiness = 'not_ready')::integer as n_not_ready
    from candidates
    group by role_id
),

incumbents as (
    select
        employees.role_id,
        count(*)::integer as n_incumbents,
        -- the highest band among incumbents
        case max(case risk.band when 'high' then 3 when 'medium' then 2 else 1 end)
            when 3 then 'high' when 2 then 'medium' when 1 then 'low' end as incumbent_risk_band
    from employees
    join risk using (employee_id)
    group by employees.role_id
),

per_role as (
    select
        critical_roles.role_id,
        critical_roles.title,
        coalesce(incumbents.n_incumbents, 0) as n_incumbents,
        coalesce(counts.n_candidates, 0) as n_candidates,
        coalesce(counts.n_ready_now, 0) as n_ready_now,
        coalesce(counts.n_ready_1_2_years, 0) as n_ready_1_2_years,
        coalesce(counts.n_ready_3_plus_years, 0) as n_ready_3_plus_years,
        coalesce(counts.n_not_ready, 0) as n_not_ready,
        coalesce(counts.n_ready_now, 0) + coalesce(counts.n_ready_1_2_years, 0) > 0 as has_bench,
        incumbents.incumbent_risk_band,                                -- null when the role is vacant
        coalesce(bench.bench_strength, 0) as bench_strength
    from critical_roles
    left join incumbents using (role_id)
    left join counts using (role_id)
    left join bench using (role_id)
)

select * from per_role
