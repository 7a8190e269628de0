-- Gap of each employee against every required skill of each role paired with them.
-- One row per employee per role per required skill (roles requiring nothing have no rows).
-- A view: int_role_coverage_computed, its one reader, sums the rows as they are computed (as a table,
-- 1.76 M rows at 100k employees, they were written and read back for nothing). skill_gaps_employee and
-- skill_gaps_org need a few of the pairs only and join role_skills and the levels themselves, with the
-- same gap rule.
-- materialized: view
with

pairs as (select * from int_role_pairs_collected),

role_skills as (select * from stg_role_skills),

levels as (select * from int_skill_levels_current),

gaps as (
    select
        pairs.employee_id,
        pairs.role_id,
        role_skills.skill_id,
        role_skills.required_level,
        role_skills.importance,
        coalesce(levels.current_level, 0) as current_level,           -- no assessment = 0
        greatest(0, role_skills.required_level - coalesce(levels.current_level, 0)) as gap
    from pairs
    join role_skills on role_skills.role_id = pairs.role_id
    left join levels
        on levels.employee_id = pairs.employee_id
       and levels.skill_id = role_skills.skill_id
)

select * from gaps
