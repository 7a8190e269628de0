-- Current level of each employee in each assessed skill: the latest assessment on or before the run date,
-- a tie of dates going to the most trusted source. Unassessed skills have no row (level 0 downstream).
-- One row per employee per skill.
with

assessments as (select * from stg_employee_skills),

employees as (select * from stg_employees),

skills as (select * from stg_skills),

known as (
    select *
    from assessments
    where assessed_on <= $as_of::date                                        -- later assessments do not exist yet
      -- assessments are event rows kept across loads; a later snapshot may have dropped their employee or
      -- skill. References hold against the rows in effect, so those are dangling (the run counts them)
      and employee_id in (select employee_id from employees)
      and skill_id in (select skill_id from skills)
),

latest as (
    -- the latest assessment per employee and skill; the same day goes to the most trusted source:
    -- certification > manager > peer > self (one hash aggregate instead of a sorting window)
    select
        employee_id,
        skill_id,
        arg_max(
            {'current_level': level, 'assessed_on': assessed_on, 'source': source},
            {'assessed_on': assessed_on,
             'trust': case source when 'certification' then 4 when 'manager' then 3 when 'peer' then 2 else 1 end}
        ) as latest
    from known
    group by employee_id, skill_id
)

-- stored in employee order: the employee page reads one person's rows, and DuckDB's zone maps then skip the
-- other row groups (bench/README.md, "The employee page under 50 ms")
select
    employee_id,
    skill_id,
    latest.current_level as current_level,
    latest.assessed_on as assessed_on,
    latest.source as source
from latest
order by employee_id
