-- Every required skill of each target role of each active employee, gap 0 included (spec: "Skill gaps").
-- One row per employee per target role per target kind per required skill.
-- The gaps of the target pairs only, computed here by int_skill_gaps_computed's rule (reading that view
-- would compute the gaps of every pair first, most of them not targets).
with

targets as (select * from role_coverage),

role_skills as (select * from stg_role_skills),

levels as (select * from int_skill_levels_current),

target_skills as (
    select
        targets.employee_id,
        targets.role_id as target_role_id,
        targets.target_kind,
        role_skills.skill_id,
        role_skills.required_level,
        role_skills.importance
    -- the big side first: inside the run's transaction DuckDB cannot see table sizes and builds the
    -- hash table on the joined (right) side (bench/join-sides.ts)
    from targets
    join role_skills on role_skills.role_id = targets.role_id
),

rows_out as (
    select
        target_skills.employee_id,
        target_skills.target_role_id,
        target_skills.target_kind,
        target_skills.skill_id,
        target_skills.required_level,
        coalesce(levels.current_level, 0) as current_level,           -- no assessment = 0
        greatest(0, target_skills.required_level - coalesce(levels.current_level, 0)) as gap,
        target_skills.importance
    from target_skills
    left join levels
        on levels.employee_id = target_skills.employee_id
       and levels.skill_id = target_skills.skill_id
)

-- stored in employee order: the employee page reads one person's rows, and DuckDB's zone maps then skip the
-- other row groups (bench/README.md, "The employee page under 50 ms")
select * from rows_out
order by employee_id
