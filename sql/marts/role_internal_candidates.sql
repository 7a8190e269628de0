-- The hidden bench (docs/marts.md "role_internal_candidates"): for each role with a talent shortfall or
-- critical without a ready-now successor, the best 10 people whose suggested moves (mobility_matches) include
-- it and whom nobody nominated for it. One row per role per candidate.
with

-- read twice (rank, then the ten best's columns): not materialized, so the first read scans only the keys
matches as not materialized (select * from mobility_matches),

employees as (select * from int_employees_active),

reviews as not materialized (select * from int_reviews_latest),

nominations as (select * from stg_successor_nominations),

nominated as (
    select role_id, nominee_id as employee_id
    from nominations
    where nominated_on <= $as_of::date                                       -- later nominations do not exist yet
       or (nominated_on is null and $as_of::date >= $run_as_of::date)        -- undated: from its first load
),

unseen as (
    -- keys and ranking only; the ten best get their columns below
    select matches.role_id, matches.employee_id, matches.coverage, reviews.performance, reviews.potential
    from matches
    left join reviews using (employee_id)
    anti join nominated                                                        -- beyond the nominations
        on nominated.role_id = matches.role_id
       and nominated.employee_id = matches.employee_id
    where (matches.has_open_need or matches.is_critical_without_ready_now)     -- the roles in need
      and (reviews.performance is null or reviews.performance > 2)             -- performance <= 2 is not ready
),

best as (
    -- the ten best of each role: coverage (null last), then performance, then potential (none last), then
    -- employee_id; a top-10 aggregate, as a window would sort every candidate of the role
    select
        role_id,
        min_by(employee_id, {
            'coverage': coalesce(-coverage, 1),                                -- coverage is at most 1
            'performance': coalesce(-performance, 0),
            'potential': coalesce(-potential, 0),
            'employee_id': employee_id
        }, 10) as employee_ids
    from unseen
    group by role_id
),

ranked as (
    select role_id, unnest(employee_ids) as employee_id, generate_subscripts(employee_ids, 1)::integer as rank
    from best
),

candidates as (
    select
        ranked.role_id,
        ranked.rank,
        ranked.employee_id,
        employees.full_name,
        employees.department,
        employees.role_id as current_role_id,
        matches.kind,
        matches.coverage,
        matches.n_skills_to_close,
        matches.skills_to_close,
        reviews.performance,
        reviews.potential,
        matches.months_in_role,
        matches.is_path_target,
        matches.has_open_need,
        matches.is_critical_without_ready_now,
        matches.rank as rank_in_suggestions
    from ranked
    join matches
        on matches.employee_id = ranked.employee_id
       and matches.role_id = ranked.role_id
    join employees on employees.employee_id = ranked.employee_id
    left join reviews on reviews.employee_id = ranked.employee_id
)

select * from candidates
