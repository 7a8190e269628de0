-- materialized: temp
-- The coverage of each (employee, role) pair the trend may need, over all time: the roles held over
-- employment spans that can hold a history date (hist_employment_spans), and every pair that can be a
-- candidate for a critical role at some date (a progression out of a role held, a plan's or a goal's target
-- role, a nomination; hist_role_coverage keeps those that are at T). Skill levels are the latest assessment on
-- or before the day, a tie of dates going to the most trusted source (int_skill_levels_current), unassessed
-- being level 0; a pair's coverage points change only on the days its required skills were assessed, so it is
-- kept as spans [changed_on, changed_until), from the start of time (0 points) to 9999-12-31. A pair whose
-- skills were never assessed, or whose role requires nothing, has no row (0 points throughout).
with

dates as (select * from history_dates),

employments as (select * from hist_employment_spans),

roles as (select * from stg_roles),

progressions as (select * from stg_role_progressions),

plans as (select * from stg_career_plans),

goals as (select * from stg_goals),

nominations as (select * from stg_successor_nominations),

role_skills as (select * from stg_role_skills),

assessments as (select * from stg_employee_skills),

staff as (select * from stg_employees),

skills as (select * from stg_skills),

critical as (select role_id from roles where is_critical),

held as (
    -- the roles held over the employment spans that can hold a history date
    select employee_id, role_id
    from employments
    where span_from < span_until
      and span_until > (select min(as_of_date) from dates)
      and span_from <= (select max(as_of_date) from dates)
),

pairs as (
    select employee_id, role_id from held
    union
    select held.employee_id, progressions.to_role_id
    from held
    join progressions on progressions.from_role_id = held.role_id
    where progressions.to_role_id in (select role_id from critical)
    union
    select employee_id, target_role_id from plans where target_role_id in (select role_id from critical)
    union
    select employee_id, target_role_id from goals where target_role_id in (select role_id from critical)
    union
    select nominee_id, role_id from nominations where role_id in (select role_id from critical)
),

skill_days as (
    -- the level each day's assessments give (the most trusted source of the day), and the level it replaces
    -- (the employee's previous assessment day of the skill, else 0)
    select
        employee_id,
        skill_id,
        assessed_on,
        coalesce(current_level, 0) as current_level,
        coalesce(lag(current_level) over (partition by employee_id, skill_id order by assessed_on), 0) as previous_level
    from (
        select
            employee_id,
            skill_id,
            assessed_on,
            arg_max(level, case source when 'certification' then 4 when 'manager' then 3 when 'peer' then 2 else 1 end)
                as current_level
        from assessments
        where employee_id in (select employee_id from staff)
          and skill_id in (select skill_id from skills)
        group by employee_id, skill_id, assessed_on
    )
),

point_changes as (
    -- by how much each assessment day changes a pair's coverage points
    select
        pairs.employee_id,
        pairs.role_id,
        skill_days.assessed_on as changed_on,
        sum(role_skills.importance * (least(skill_days.current_level, role_skills.required_level)
                                      - least(skill_days.previous_level, role_skills.required_level))) as change
    from pairs
    join role_skills on role_skills.role_id = pairs.role_id
    join skill_days on skill_days.employee_id = pairs.employee_id and skill_days.skill_id = role_skills.skill_id
    group by pairs.employee_id, pairs.role_id, skill_days.assessed_on
),

point_spans as (
    select
        employee_id,
        role_id,
        changed_on,
        coalesce(lead(changed_on) over w, date '9999-12-31') as changed_until,
        sum(change) over (w rows unbounded preceding)::bigint as coverage_points,
        row_number() over w = 1 as is_first
    from point_changes
    window w as (partition by employee_id, role_id order by changed_on)
)

select employee_id, role_id, changed_on, changed_until, coverage_points from point_spans
union all
-- before the first change day: 0 points
select employee_id, role_id, date '0001-01-01', changed_on, 0 from point_spans where is_first
