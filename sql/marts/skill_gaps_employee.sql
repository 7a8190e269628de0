-- Every required skill of each target role of each active employee, gap 0 included (spec: "Skill gaps").
-- One row per employee per target role per target kind per required skill.
with

targets as (select * from role_coverage),

gaps as (
    -- the gap columns travel as one struct: inside the run's transaction DuckDB sees no table sizes, and
    -- with five loose payload columns here it built its hash table on these 1.7M rows (0.7 s at 100k)
    -- instead of the 190k targets (0.1 s); written order alone does not hold (bench/README.md)
    select
        employee_id,
        role_id,
        {'skill_id': skill_id, 'required_level': required_level, 'current_level': current_level,
         'gap': gap, 'importance': importance} as g
    from int_skill_gaps_computed
),

rows_out as (
    select
        targets.employee_id,
        targets.role_id as target_role_id,
        targets.target_kind,
        gaps.g.skill_id as skill_id,
        gaps.g.required_level as required_level,
        gaps.g.current_level as current_level,
        gaps.g.gap as gap,
        gaps.g.importance as importance
    from gaps
    join targets using (employee_id, role_id)
)

select * from rows_out
