-- Readiness of each active employee for each role they could move into (a path target, a nomination, or a
-- progression out of their current role), computed from evidence; never for the role they hold.
-- One row per employee per role.
with

coverage as (select * from int_role_coverage_computed),

reviews as (select * from int_reviews_latest),

nominations as (select * from stg_successor_nominations),

candidates as (
    select *
    from coverage
    where (is_path_target or is_nominated or is_feeder)
      and not is_current                                               -- incumbents are never candidates
),

nominations_known as (
    select role_id, nominee_id as employee_id, readiness as nominated_readiness
    from nominations
    where nominated_on <= $as_of::date                                       -- later nominations do not exist yet
       or (nominated_on is null and $as_of::date >= $run_as_of::date)        -- undated: from its first load
),

rated as (
    select
        candidates.employee_id,
        candidates.role_id,
        candidates.coverage,
        candidates.coverage_points,
        candidates.required_points,
        reviews.performance,
        reviews.potential,
        case
            when reviews.performance <= 2 then 'not_ready'
            -- a role requiring nothing: every candidate not not_ready is 1-2 years
            when candidates.required_points is null then 'ready_1_2_years'
            -- thresholds compared on integers: cov >= 0.85  <=>  100 * points >= 85 * required
            when reviews.performance >= 3
             and 100 * candidates.coverage_points >= 85 * candidates.required_points then 'ready_now'
            -- no review yet: 1-2 years is the best reachable
            when 100 * candidates.coverage_points >= 60 * candidates.required_points then 'ready_1_2_years'
            else 'ready_3_plus_years'
        end as readiness,
        -- exact value = (240*cov_points + 25*(perf-1)*req + 30*(pot-1)*req) / (4*req); missing terms are 0
        (240 * coalesce(candidates.coverage_points, 0)
            + 25 * coalesce(reviews.performance - 1, 0) * coalesce(candidates.required_points, 1)
            + 30 * coalesce(reviews.potential - 1, 0) * coalesce(candidates.required_points, 1))::bigint
            as score_numerator,
        (4 * coalesce(candidates.required_points, 1))::bigint as score_denominator,
        candidates.is_path_target,
        candidates.is_nominated,
        candidates.is_feeder,
        nominations_known.nominated_readiness
    from candidates
    left join reviews using (employee_id)
    left join nominations_known using (employee_id, role_id)
),

scored as (
    select
        employee_id,
        role_id,
        coverage,
        performance,
        potential,
        readiness,
        -- round half away from zero on the exact (non-negative) value, in integers
        ((2 * score_numerator + score_denominator) // (2 * score_denominator))::integer as readiness_score,
        nominated_readiness,
        case
            when nominated_readiness is null then null
            when (case nominated_readiness when 'ready_now' then 0 when '1_2_years' then 1 else 2 end)
               < (case readiness when 'ready_now' then 0 when 'ready_1_2_years' then 1
                                 when 'ready_3_plus_years' then 2 else 3 end) then 'over_rated'
            when (case nominated_readiness when 'ready_now' then 0 when '1_2_years' then 1 else 2 end)
               > (case readiness when 'ready_now' then 0 when 'ready_1_2_years' then 1
                                 when 'ready_3_plus_years' then 2 else 3 end) then 'under_rated'
        end as calibration,
        is_path_target,
        is_nominated,
        is_feeder
    from rated
)

select * from scored
