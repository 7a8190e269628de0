-- retention_risk at every history date at once (spec history.md "Trend tables"; the same rules as
-- sql/marts/retention_risk.sql with T for as_of): the path state at T, check-ins and reviews dated by T,
-- months since the last promotion at T, and each factor off at T when its sources had no rows in effect
-- by T (retention_factors). One row per date per employee active at T.
with

dates as (select * from history_dates),

employees as (select * from hist_employees_active),

paths as (select * from hist_path_state),

progressions as (select * from stg_role_progressions),

staff as (select * from stg_employees),

-- read by first_dates and the check-in windows: not materialized, each reads only its columns
check_ins as not materialized (select * from stg_check_ins),

reviews as not materialized (select * from stg_reviews),

plans as (select * from stg_career_plans),

goals as (select * from stg_goals),

first_dates as (
    -- the first date each source has a row in effect (retention_factors: dangling event rows left out)
    select
        (select min(week_of) from check_ins where employee_id in (select employee_id from staff)) as first_check_in,
        (select min(reviewed_on) from reviews where employee_id in (select employee_id from staff)) as first_review,
        (select min(created_on) from plans) as first_plan,
        (select count(*) > 0 from plans where created_on is null) as has_undated_plan,
        (select min(created_on) from goals) as first_goal
),

switches as (
    select
        dates.as_of_date,
        coalesce(first_dates.first_plan <= dates.as_of_date, false)
            or (first_dates.has_undated_plan and dates.as_of_date >= $as_of::date)
            or coalesce(first_dates.first_goal <= dates.as_of_date, false) as has_plans_or_goals,
        coalesce(first_dates.first_check_in <= dates.as_of_date, false) as has_check_ins,
        coalesce(first_dates.first_review <= dates.as_of_date, false) as has_reviews
    from dates
    cross join first_dates
),

check_in_weeks as (
    -- each week some check-in falls in, with the dates whose 180 days hold it and which pulse windows of
    -- each date it falls in: a short list per week (a hash join of the check-ins to (week, date) pairs, or
    -- a range join to the dates, costs more than unnesting this list; the rows and sums are the same)
    select
        weeks.week_of,
        list({
            'as_of_date': dates.as_of_date,
            'in_42d': weeks.week_of > dates.as_of_date - 42,
            'in_recent': weeks.week_of > dates.as_of_date - 56,
            'in_prior': weeks.week_of <= dates.as_of_date - 56 and weeks.week_of > dates.as_of_date - 112
        }) as windows
    from (select distinct week_of from check_ins) as weeks
    join dates
        on weeks.week_of <= dates.as_of_date
       and weeks.week_of > dates.as_of_date - 180
    group by weeks.week_of
),

check_in_windows as (
    -- one row per check-in per date whose 180 days hold it
    select check_ins.employee_id, check_ins.pulse, check_ins.career_discussed, unnest(check_in_weeks.windows) as w
    from check_ins
    join check_in_weeks using (week_of)
),

check_in_stats as (
    -- one pass over the check-ins of the 180 days before each date; the pulse windows are inside it
    select
        w.as_of_date,
        employee_id,
        count(*) filter (where w.in_42d)::integer as n_check_ins_42d,
        count(*) filter (where career_discussed)::integer as n_career_talks_180d,
        count(pulse) filter (where w.in_recent)::integer as n_pulses_recent,
        sum(pulse) filter (where w.in_recent)::integer as pulse_sum_recent,
        count(pulse) filter (where w.in_prior)::integer as n_pulses_prior,
        sum(pulse) filter (where w.in_prior)::integer as pulse_sum_prior
    from check_in_windows
    group by w.as_of_date, employee_id
),

review_days as (
    -- the review of each day (a tie of dates goes to the larger cycle text), held until the employee's next one
    select
        employee_id,
        reviewed_on,
        coalesce(lead(reviewed_on) over (partition by employee_id order by reviewed_on), date '9999-12-31') as reviewed_until,
        performance
    from (
        select employee_id, reviewed_on, arg_max(performance, cycle) as performance
        from reviews
        where employee_id in (select employee_id from staff)
        group by employee_id, reviewed_on
    )
),

roles_with_a_way_out as (
    select distinct from_role_id as role_id from progressions
),

facts as (
    -- the path state at T (career_path_state's rule) and the latest review on or before T: the one whose
    -- span holds T
    select
        employees.as_of_date,
        employees.employee_id,
        case
            when paths.employee_id is null and roles_with_a_way_out.role_id is null then 'top_of_ladder'
            when paths.employee_id is null then 'no_path'
            when not paths.has_linked_goal then 'plan_only'
            else 'on_path'
        end as path_state,
        employees.months_since_promotion,
        review_days.performance
    from employees
    left join paths using (as_of_date, employee_id)
    left join roles_with_a_way_out on roles_with_a_way_out.role_id = employees.role_id
    left join review_days
        on review_days.employee_id = employees.employee_id
       and review_days.reviewed_on <= employees.as_of_date
       and review_days.reviewed_until > employees.as_of_date
),

flags as (
    select
        facts.as_of_date,
        facts.employee_id,
        facts.path_state,
        case when switches.has_plans_or_goals then facts.path_state = 'no_path' end as no_path,
        case when switches.has_plans_or_goals then facts.path_state = 'plan_only' end as plan_only,
        facts.months_since_promotion >= 36 as stalled,
        case when switches.has_check_ins then coalesce(stats.n_pulses_recent, 0) >= 2
            and 2 * stats.pulse_sum_recent <= 5 * stats.n_pulses_recent end as low_pulse,
        case when switches.has_check_ins then coalesce(stats.n_pulses_recent, 0) >= 2
            and coalesce(stats.n_pulses_prior, 0) >= 2
            and 4 * stats.pulse_sum_recent * stats.n_pulses_prior
                <= 4 * stats.pulse_sum_prior * stats.n_pulses_recent - 3 * stats.n_pulses_recent * stats.n_pulses_prior
        end as pulse_drop,
        case when switches.has_check_ins then coalesce(stats.n_check_ins_42d, 0) = 0 end as checkins_lapsed,
        case when switches.has_check_ins then coalesce(stats.n_career_talks_180d, 0) = 0 end as no_career_talk,
        case when switches.has_plans_or_goals and switches.has_reviews
            then coalesce(facts.performance >= 4, false) and facts.path_state in ('no_path', 'plan_only')
        end as high_performer_off_path
    from facts
    join switches using (as_of_date)
    left join check_in_stats as stats using (as_of_date, employee_id)
),

scored as (
    select
        *,
        -- the configured points (int_risk_weights; the spec's by default), as retention_risk
        least(100,
            no_path_points * coalesce(no_path, false)::integer + plan_only_points * coalesce(plan_only, false)::integer
            + stalled_points * coalesce(stalled, false)::integer + low_pulse_points * coalesce(low_pulse, false)::integer
            + pulse_drop_points * coalesce(pulse_drop, false)::integer + checkins_lapsed_points * coalesce(checkins_lapsed, false)::integer
            + no_career_talk_points * coalesce(no_career_talk, false)::integer
            + high_performer_off_path_points * coalesce(high_performer_off_path, false)::integer
        ) as score
    from flags
    cross join int_risk_weights
)

-- path_state and band as ENUMs of their values in text order (the dashboard and the backtest read them often)
select
    as_of_date,
    employee_id,
    path_state::enum('no_path', 'on_path', 'plan_only', 'top_of_ladder') as path_state,
    score,
    (case when score >= 50 then 'high' when score >= 25 then 'medium' else 'low' end)::enum('high', 'low', 'medium') as band,
    no_path,
    plan_only,
    stalled,
    low_pulse,
    pulse_drop,
    checkins_lapsed,
    no_career_talk,
    high_performer_off_path
from scored
