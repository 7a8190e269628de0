-- Every (active employee, role) pair some model needs a coverage for, with why it is needed: the current
-- role, path targets, progressions out of the current role (promotion options and succession feeders),
-- and nominations. One row per employee per role.
with

employees as (select * from int_employees_active),

roles as (select * from stg_roles),

progressions as (select * from stg_role_progressions),

targets as (select * from int_path_targets),

nominations as (select * from stg_successor_nominations),

progressions_typed as (
    select
        progressions.from_role_id,
        progressions.to_role_id,
        -- an explicit move decides; only a blank one falls back to the level rule
        coalesce(progressions.move, case when to_role.level > from_role.level then 'promotion' else 'lateral' end)
            as move
    from progressions
    join roles as from_role on from_role.role_id = progressions.from_role_id
    join roles as to_role on to_role.role_id = progressions.to_role_id
),

current_pairs as (
    select employee_id, role_id, 'current' as reason from employees
),

path_pairs as (
    select employee_id, target_role_id as role_id, 'path' as reason from targets
),

progression_pairs as (
    select employees.employee_id, progressions_typed.to_role_id as role_id, progressions_typed.move as reason
    from employees
    join progressions_typed on progressions_typed.from_role_id = employees.role_id
),

nomination_pairs as (
    select nominations.nominee_id as employee_id, nominations.role_id, 'nominated' as reason
    from nominations
    join employees on employees.employee_id = nominations.nominee_id  -- active nominees only
    where nominations.nominated_on <= $as_of::date                          -- later nominations do not exist yet
       or (nominations.nominated_on is null and $as_of::date >= $run_as_of::date)  -- undated: from its first load
),

all_pairs as (
    select * from current_pairs
    union all select * from path_pairs
    union all select * from progression_pairs
    union all select * from nomination_pairs
),

flagged as (
    select
        employee_id,
        role_id,
        bool_or(reason = 'current') as is_current,
        bool_or(reason = 'path') as is_path_target,
        bool_or(reason = 'promotion') as is_promotion_option,
        bool_or(reason in ('promotion', 'lateral')) as is_feeder,
        bool_or(reason = 'nominated') as is_nominated
    from all_pairs
    group by employee_id, role_id
)

select * from flagged
