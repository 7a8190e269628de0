-- The default next step of each active employee: among promotion progressions out of their current role,
-- the highest coverage (null coverage last, ties by lowest role_id). Employees with no promotion out of
-- their role have no row. One row per employee.
with

coverage as (select * from int_role_coverage_computed),

options as (
    select
        employee_id,
        role_id,
        coverage,
        row_number() over (
            partition by employee_id
            -- equal fractions divide to the same double, so ties are exact
            order by coverage desc nulls last, role_id
        ) as rank_option
    from coverage
    where is_promotion_option
),

chosen as (
    select employee_id, role_id as default_next_role_id, coverage as default_next_coverage
    from options
    where rank_option = 1
)

select * from chosen
