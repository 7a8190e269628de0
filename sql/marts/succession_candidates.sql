-- Candidates for each critical role with their readiness (spec: "Succession readiness").
-- One row per critical role per candidate.
with

rated as (select * from int_readiness_rated),

roles as (select * from stg_roles),

candidates as (
    select
        rated.role_id,
        rated.employee_id,
        rated.coverage,
        rated.performance,
        rated.potential,
        rated.readiness,
        rated.readiness_score,
        rated.nominated_readiness,
        rated.calibration,
        rated.is_path_target,
        rated.is_nominated,
        rated.is_feeder
    from rated
    join roles using (role_id)
    where roles.is_critical                                            -- succession plans are for critical roles
)

select * from candidates
