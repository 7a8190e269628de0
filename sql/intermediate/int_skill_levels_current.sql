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

ranked as (
    select
        employee_id,
        skill_id,
        level,
        assessed_on,
        source,
        row_number() over (
            partition by employee_id, skill_id
            order by
                assessed_on desc,
                -- same day: certification > manager > peer > self
                case source when 'certification' then 1 when 'manager' then 2 when 'peer' then 3 else 4 end
        ) as rank_latest
    from known
),

latest as (
    select employee_id, skill_id, level as current_level, assessed_on, source
    from ranked
    where rank_latest = 1
)

select * from latest
