-- Coverage of each paired role by each employee: sum(imp * min(cur, req)) / sum(imp * req), null when the
-- role requires nothing. The integer numerator and denominator are kept so thresholds compare exactly.
-- One row per employee per role (the pairs of int_role_pairs_collected).
with

pairs as (select * from int_role_pairs_collected),

gaps as (select * from int_skill_gaps_computed),

sums as (
    select
        employee_id,
        role_id,
        sum(importance * least(current_level, required_level))::bigint as coverage_points,
        sum(importance * required_level)::bigint as required_points,
        count(*)::integer as n_required_skills,
        count(*) filter (where gap > 0)::integer as n_skills_short
    from gaps
    group by employee_id, role_id
),

coverage as (
    select
        pairs.*,
        sums.coverage_points,
        sums.required_points,
        coalesce(sums.n_required_skills, 0) as n_required_skills,
        coalesce(sums.n_skills_short, 0) as n_skills_short,
        sums.coverage_points::double / sums.required_points as coverage
    from pairs
    left join sums using (employee_id, role_id)
)

select * from coverage
