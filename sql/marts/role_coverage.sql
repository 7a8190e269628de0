-- Coverage of each active employee's target roles (spec: "Skill gaps"): path targets, the default next
-- step for employees with no path, and the current role. One row per employee per target role per kind.
with

coverage as (select * from int_role_coverage_computed),

states as (select * from career_path_state),

targets as (
    select employee_id, role_id, 'path' as target_kind
    from coverage
    where is_path_target
    union all
    select employee_id, default_next_role_id as role_id, 'default_next' as target_kind
    from states
    where default_next_role_id is not null                             -- only set for employees with no path
    union all
    select employee_id, role_id, 'current' as target_kind
    from coverage
    where is_current
),

with_coverage as (
    select
        targets.employee_id,
        targets.role_id,
        targets.target_kind,
        coverage.coverage,
        coverage.n_required_skills,
        coverage.n_skills_short
    -- the bigger side first: inside the run's transaction DuckDB builds the hash table on the joined side
    from coverage
    join targets using (employee_id, role_id)
)

-- stored in employee order: the employee page reads one person's rows, and DuckDB's zone maps then skip the
-- other row groups (bench/README.md, "The employee page under 50 ms")
select * from with_coverage
order by employee_id
