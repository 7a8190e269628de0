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
        options.*,
        reviews.performance,
        reviews.potential,
        roles_in_need.has_open_need,
        roles_in_need.is_critical_without_ready_now
    from options
    join roles_in_need using (role_id)
    left join reviews using (employee_id)
    where not exists (                                                         -- beyond the nominations
        select 1 from nominated
        where nominated.role_id = options.role_id and nominated.employee_id = options.employee_id
    )
      and (reviews.performance is null or reviews.performance > 2)             -- performance <= 2 is not ready
),

ranked as (
    select
        *,
        row_number() over (
            partition by role_id
            order by coverage desc nulls last, performance desc nulls last, potential desc nulls last, employee_id
        )::integer as rank
    from unseen
),

candidates as (
    select
        ranked.role_id,
        ranked.rank,
        ranked.employee_id,
        employees.full_name,
        employees.department,
        employees.role_id as current_role_id,
        ranked.kind,
        ranked.coverage,
        ranked.n_skills_to_close,
        ranked.skills_to_close,
        ranked.performance,
        ranked.potential,
        employees.months_in_role,
        targets.target_role_id is not null as is_path_target,
        ranked.has_open_need,
        ranked.is_critical_without_ready_now
    from ranked
    join employees on employees.employee_id = ranked.employee_id
    left join targets
        on targets.employee_id = ranked.employee_id
       and targets.target_role_id = ranked.role_id
    where ranked.rank <= 10                                                    -- the ten best
)

select * from candidates
