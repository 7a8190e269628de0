-- Active employees as of the run date, with their role, manager and department at that date and the role's
-- attributes (spec history.md "Role and manager at T": the latest job_history row on or before as_of, else
-- the employees snapshot's current values). One row per active employee.
with

employees as (select * from stg_employees),

roles as (select * from stg_roles),

jobs as (select * from int_job_history_ordered),

active as (
    select *, $as_of::date as as_of_date
    from employees
    where hire_date <= $as_of::date                                          -- future hires do not exist yet
      and (termination_date is null or termination_date > $as_of::date)     -- leaving on a later day: still here
),

at_date as (
    -- the job row in effect on as_of; without one, the current values
    select
        active.employee_id,
        active.full_name,
        coalesce(jobs.department, active.department) as department,
        coalesce(jobs.role_id, active.role_id) as role_id,
        case when jobs.employee_id is null then active.manager_id else jobs.manager_id end as manager_id,
        active.location,
        active.hire_date,
        coalesce(jobs.role_started_on, active.role_start_date) as role_start_date,
        -- the latest promotion on or before as_of: job_history's, else the snapshot's when not later
        coalesce(jobs.promoted_on,
                 case when active.last_promotion_date <= $as_of::date then active.last_promotion_date end)
            as last_promotion_date
    from active
    asof left join jobs
        on jobs.employee_id = active.employee_id
       and jobs.effective_date <= active.as_of_date
),

with_role as (
    select
        at_date.employee_id,
        at_date.full_name,
        at_date.department,
        at_date.role_id,
        at_date.manager_id,
        at_date.location,
        at_date.hire_date,
        at_date.role_start_date,
        at_date.last_promotion_date,
        roles.title as role_title,
        roles.job_family,
        roles.level as role_level,
        -- complete calendar months, as the spec counts them
        date_sub('month', coalesce(at_date.last_promotion_date, at_date.hire_date), $as_of::date)::integer
            as months_since_promotion,
        -- the same months since the start in the current role (ingest defaults it to hire_date); a role
        -- starting after as_of counts 0
        greatest(0, date_sub('month', at_date.role_start_date, $as_of::date))::integer as months_in_role
    from at_date
    join roles using (role_id)
)

select * from with_role
