-- Org succession figures over all critical roles, vacant ones too (spec: "Succession readiness", org).
-- Exactly one row; rates are null when there is no critical role.
with

roles as (select * from succession_roles),

candidates as (select * from succession_candidates),

role_figures as (
    select
        count(*)::integer as n_critical_roles,
        count(*) filter (where n_ready_now > 0)::integer as n_roles_ready_now,
        -- a role with no candidate ready within 2 years (vacant or not) counts 0
        median(n_ready_now + n_ready_1_2_years)::double as successor_coverage_median,
        -- a role with many incumbents needs more than one successor
        avg(least(1, bench_strength / greatest(1, n_incumbents))) as bench_strength_index
    from roles
),

successors as (
    select count(distinct employee_id)::integer as n_successors_2y
    from candidates
    where readiness in ('ready_now', 'ready_1_2_years')
),

summary as (
    select
        role_figures.n_critical_roles,
        role_figures.n_roles_ready_now::double / nullif(role_figures.n_critical_roles, 0)
            as succession_readiness_rate,
        successors.n_successors_2y::double / nullif(role_figures.n_critical_roles, 0) as successor_coverage,
        role_figures.successor_coverage_median,
        role_figures.bench_strength_index,
        role_figures.n_roles_ready_now,
        successors.n_successors_2y
    from role_figures
    cross join successors
)

select * from summary
