-- Active employees as of the run date, with their current role's attributes.
-- One row per active employee.
with

employees as (select * from stg_employees),

roles as (select * from stg_roles),

active as (
    select *
    from employees
    where hire_date <= $as_of::date                                          -- future hires do not exist yet
      and (termination_date is null or termination_date > $as_of::date)     -- leaving on a later day: still here
),

with_role as (
    select
        active.employee_id,
        active.full_name,
        active.department,
        active.role_id,
        active.manager_id,
        active.location,
        active.hire_date,
        active.role_start_date,
        active.last_promotion_date,
        roles.title as role_title,
        roles.job_family,
        roles.level as role_level,
        -- complete calendar months, as the spec counts them
        date_sub('month', coalesce(active.last_promotion_date, active.hire_date), $as_of::date)::integer
            as months_since_promotion,
        -- the same months since the start in the current role (ingest defaults it to hire_date); a role
        -- starting after as_of counts 0
        greatest(0, date_sub('month', active.role_start_date, $as_of::date))::integer as months_in_role
    from active
    join roles using (role_id)
)

select * from with_role
