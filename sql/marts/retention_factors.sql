-- The retention-risk factors and whether each is scored (spec: "Retention risk", missing sources are not
-- evidence): a factor is on only when every dataset it reads has rows in effect as of the run.
-- One row per factor, in the spec table's order.
with

employees as (select * from stg_employees),

check_ins as (select * from stg_check_ins),

reviews as (select * from stg_reviews),

plans as (select * from stg_career_plans),

goals as (select * from stg_goals),

factors as (
    select * from (values
        (1, 'no_path',                 true,  false, false),
        (2, 'plan_only',               true,  false, false),
        (3, 'stalled',                 false, false, false),
        (4, 'low_pulse',               false, true,  false),
        (5, 'pulse_drop',              false, true,  false),
        (6, 'checkins_lapsed',         false, true,  false),
        (7, 'no_career_talk',          false, true,  false),
        (8, 'high_performer_off_path', true,  false, true)
    ) as t(factor_order, factor, needs_plans_or_goals, needs_check_ins, needs_reviews)
),

sources as (
    select
        -- event rows are in effect when dated on or before as_of and owned by an employee of the snapshot
        -- (later rows do not exist yet; dangling rows are left out, as the models leave them out)
        exists (select 1 from check_ins
                where week_of <= $as_of::date and employee_id in (select employee_id from employees)) as has_check_ins,
        exists (select 1 from reviews
                where reviewed_on <= $as_of::date and employee_id in (select employee_id from employees)) as has_reviews,
        -- snapshot rows are in effect when made on or before as_of (an undated plan counts as made)
        -- (an undated plan counts from its first load, history.md "Known at T")
        exists (select 1 from plans where created_on <= $as_of::date or (created_on is null and $as_of::date >= $run_as_of::date))
            or exists (select 1 from goals where created_on <= $as_of::date) as has_plans_or_goals
),

checked as (
    select
        factors.factor_order,
        factors.factor,
        -- the first source missing, in the order the factor reads them
        case
            when factors.needs_plans_or_goals and not sources.has_plans_or_goals then 'no career plans or goals loaded'
            when factors.needs_check_ins and not sources.has_check_ins then 'no check-ins loaded'
            when factors.needs_reviews and not sources.has_reviews then 'no reviews loaded'
        end as off_reason
    from factors
    cross join sources
),

switched as (
    select factor_order, factor, off_reason is null as is_on, off_reason
    from checked
)

select * from switched order by factor_order
