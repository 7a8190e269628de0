-- materialized: temp
-- succession_summary's rates at every history date at once (int_readiness_rated, succession_roles and
-- succession_summary with T for as_of): readiness of each candidate for a critical role from its coverage
-- and latest review at T, then per critical role the ready-now count and bench strength, incumbents at T.
-- One row per date.
with

dates as (select * from history_dates),

coverage as (select * from hist_role_coverage),

employees as (select * from hist_employees_active),

roles as (select * from stg_roles),

reviews as (select * from stg_reviews),

staff as (select * from stg_employees),

critical as (select role_id from roles where is_critical),

review_days as (
    -- the review of each day (a tie of dates goes to the larger cycle text), held until the employee's next one
    select
        employee_id,
        reviewed_on,
        coalesce(lead(reviewed_on) over (partition by employee_id order by reviewed_on), date '9999-12-31') as reviewed_until,
        review
    from (
        select employee_id, reviewed_on, arg_max({'performance': performance, 'potential': potential}, cycle) as review
        from reviews
        where employee_id in (select employee_id from staff)
        group by employee_id, reviewed_on
    )
),

candidates as (
    -- the latest review on or before T: the one whose span holds T
    select coverage.as_of_date, coverage.employee_id, coverage.role_id, coverage.coverage_points,
           coverage.required_points, review_days.review.performance as performance
    from coverage
    left join review_days
        on review_days.employee_id = coverage.employee_id
       and review_days.reviewed_on <= coverage.as_of_date
       and review_days.reviewed_until > coverage.as_of_date
),

rated as (
    select
        *,
        case
            when performance <= 2 then 'not_ready'
            when required_points is null then 'ready_1_2_years'
            when performance >= 3 and 100 * coverage_points >= 85 * required_points then 'ready_now'
            when 100 * coverage_points >= 60 * required_points then 'ready_1_2_years'
            else 'ready_3_plus_years'
        end as readiness
    from candidates
),

ready_soon as (
    select
        as_of_date,
        role_id,
        case readiness when 'ready_now' then 1.0 else 0.5 end as weight,
        count(*) over (partition by as_of_date, employee_id) as n_roles_ready,
        readiness
    from rated
    where readiness in ('ready_now', 'ready_1_2_years')
),

per_role_ready as (
    select
        as_of_date,
        role_id,
        count(*) filter (where readiness = 'ready_now')::integer as n_ready_now,
        round(sum(weight / n_roles_ready), 12)::double as bench_strength     -- the same last bits on every run
    from ready_soon
    group by as_of_date, role_id
),

incumbents as (
    select as_of_date, role_id, count(*)::integer as n_incumbents
    from employees
    where role_id in (select role_id from critical)
    group by as_of_date, role_id
),

per_role as (
    select
        dates.as_of_date,
        critical.role_id,
        coalesce(per_role_ready.n_ready_now, 0) as n_ready_now,
        coalesce(per_role_ready.bench_strength, 0) as bench_strength,
        coalesce(incumbents.n_incumbents, 0) as n_incumbents
    from dates
    cross join critical
    left join per_role_ready using (as_of_date, role_id)
    left join incumbents using (as_of_date, role_id)
)

select
    dates.as_of_date,
    count(per_role.role_id)::integer as n_critical_roles,
    (count(per_role.role_id) filter (where per_role.n_ready_now > 0))::double
        / nullif(count(per_role.role_id), 0) as succession_readiness_rate,
    -- (least() skips nulls: a date without critical roles must stay null, so the filter)
    -- rounded to 12 places, like history_overview's mean coverage: the same answer on every run
    round(avg(least(1, per_role.bench_strength / greatest(1, per_role.n_incumbents)))
        filter (where per_role.role_id is not null), 12) as bench_strength_index
from dates
left join per_role using (as_of_date)
group by dates.as_of_date
