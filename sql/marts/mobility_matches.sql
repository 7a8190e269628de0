-- Suggested moves (docs/marts.md "mobility_matches"): for each active employee, up to 5 roles they could
-- move to next, ranked open need first, then coverage (null last), then kind (progression, two_step,
-- lateral), then role_id. One row per employee per suggested role.
with

options as (select * from int_mobility_options_collected),

employees as (select * from int_employees_active),

roles as (select * from stg_roles),

targets as (select * from int_path_targets),

needs as (select * from talent_needs),

succession as (select * from succession_roles),

role_flags as (
    select
        needs.role_id,
        needs.shortfall > 0 as has_open_need,
        -- succession_roles holds the critical roles only
        coalesce(succession.n_ready_now = 0, false) as is_critical_without_ready_now
    from needs
    left join succession using (role_id)
),

ranked as (
    select
        options.*,
        role_flags.has_open_need,
        role_flags.is_critical_without_ready_now,
        row_number() over (
            partition by options.employee_id
            -- equal fractions divide to the same double, so coverage ties are exact
            order by role_flags.has_open_need desc, options.coverage desc nulls last, options.kind_order, options.role_id
        )::integer as rank
    from options
    join role_flags using (role_id)
),

matches as (
    select
        ranked.employee_id,
        ranked.rank,
        ranked.role_id,
        roles.title,
        roles.level - employees.role_level as level_change,                -- at most +2
        ranked.kind,
        ranked.coverage,
        ranked.n_skills_to_close,
        ranked.skills_to_close,                                         -- null when nothing is short
        employees.months_in_role,
        ranked.has_open_need,
        ranked.is_critical_without_ready_now,
        targets.target_role_id is not null as is_path_target
    from ranked
    join employees on employees.employee_id = ranked.employee_id
    join roles on roles.role_id = ranked.role_id
    left join targets
        on targets.employee_id = ranked.employee_id
       and targets.target_role_id = ranked.role_id
    where ranked.rank <= 5                                              -- the five best
)

-- stored in employee order: the employee page reads one person's rows, and DuckDB's zone maps then skip the
-- other row groups (bench/README.md, "The employee page under 50 ms")
select * from matches
order by employee_id
