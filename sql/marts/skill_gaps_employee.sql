-- Every required skill of each target role of each active employee, gap 0 included (spec: "Skill gaps").
-- One row per employee per target role per target kind per required skill.
with

targets as (select * from role_coverage),

gaps as (select * from int_skill_gaps_computed),

rows_out as (
    select
        targets.employee_id,
        targets.role_id as target_role_id,
        targets.target_kind,
        gaps.skill_id,
        gaps.required_level,
        gaps.current_level,
        gaps.gap,
        gaps.importance
    -- the big side first: inside the run's transaction DuckDB cannot see table sizes and builds the
    -- hash table on the joined (right) side, so the smaller targets go there (bench/join-sides.ts)
    from gaps
    join targets using (employee_id, role_id)
)

-- stored in employee order: the employee page reads one person's rows, and DuckDB's zone maps then skip the
-- other row groups (bench/README.md, "The employee page under 50 ms")
select * from rows_out
order by employee_id
