-- The hidden bench (docs/marts.md "role_internal_candidates"): for each role with a talent shortfall or
-- critical without a ready-now successor, the best 10 internal candidates nobody nominated for it, among the
-- employees who could move to it by the rules of mobility_matches. One row per role per candidate.
with

options as (select * from int_mobility_options_collected),

employees as (select * from int_employees_active),

reviews as (select * from int_reviews_latest),

targets as (select * from int_path_targets),

nominations as (select * from stg_successor_nominations),

needs as (select * from talent_needs),

succession as (select * from succession_roles),

roles_in_need as (
    select
        needs.role_id,
        needs.shortfall > 0 as has_open_need,
        -- succession_roles holds the critical roles only
        coalesce(succession.n_ready_now = 0, false) as is_critical_without_ready_now
    from needs
    left join succession using (role_id)
    where needs.shortfall > 0 or succession.n_ready_now = 0
),

nominated as (
    select role_id, nominee_id as employee_id
    from nominations
    where nominated_on is null or nominated_on <= $as_of::date               -- later nominations do not exist yet
),

unseen as (
    select
        options.role_id,
        options.employee_id,
        options.kind,
        options.coverage,
        options.n_skills_to_close,
        reviews.performance,
        reviews.potential,
        roles_in_need.has_open_need,
        roles_in_need.is_critical_without_ready_now
    from options
    join roles_in_need using (role_id)
    left join reviews using (employee_id)
    anti join nominated                                                        -- beyond the nominations
        on nominated.role_id = options.role_id
       and nominated.employee_id = options.employee_id
    where reviews.performance is null or reviews.performance > 2               -- performance <= 2 is not ready
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
        unseen.kind,
        unseen.coverage,
        unseen.n_skills_to_close,
        unseen.performance,
        unseen.potential,
        employees.months_in_role,
        targets.target_role_id is not null as is_path_target,
        unseen.has_open_need,
        unseen.is_critical_without_ready_now
    from ranked
    join unseen using (role_id, employee_id)
    join employees on employees.employee_id = ranked.employee_id
    left join targets
        on targets.employee_id = ranked.employee_id
       and targets.target_role_id = ranked.role_id
)

select * from candidates
