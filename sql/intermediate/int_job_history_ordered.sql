-- Each employee's job rows in date order (spec history.md "Role and manager at T"), with what an as-of join
-- on effective_date <= T needs: the day the row's role began (the first row of an unbroken run of the
-- same role_id) and the latest promotion on or before the row. Rows of employees no longer in the
-- snapshot are left out. A blank manager or department is the employee's current one (a file without
-- those columns then changes only roles).
-- One row per employee per effective_date.
with

jobs as (select * from stg_job_history),

employees as (select * from stg_employees),

known as (
    select
        jobs.employee_id,
        jobs.effective_date,
        jobs.role_id,
        coalesce(jobs.manager_id, employees.manager_id) as manager_id,
        coalesce(jobs.department, employees.department) as department,
        jobs.reason
    from jobs
    join employees using (employee_id)
),

marked as (
    select
        *,
        role_id is distinct from lag(role_id) over (partition by employee_id order by effective_date) as starts_role
    from known
),

ordered as (
    select
        employee_id,
        effective_date,
        role_id,
        manager_id,
        department,
        reason,
        max(case when starts_role then effective_date end)
            over (partition by employee_id order by effective_date rows unbounded preceding) as role_started_on,
        max(case when reason = 'promotion' then effective_date end)
            over (partition by employee_id order by effective_date rows unbounded preceding) as promoted_on
    from marked
)

select * from ordered
