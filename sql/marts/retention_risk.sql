-- Retention risk of every active employee, explainable by its flags (spec: "Retention risk").
-- A factor whose source was never loaded is off (retention_factors): its flag is null and scores nothing.
-- One row per active employee.
with

states as (select * from career_path_state),

employees as (select * from int_employees_active),

check_ins as (select * from stg_check_ins),

reviews as (select * from int_reviews_latest),

factors as (select * from retention_factors),

weights as (select * from int_risk_weights),

switches as (
    -- one row: whether each factor is scored, and the names of those that are not
    select
        bool_and(is_on) filter (where factor = 'no_path') as is_no_path_on,
        bool_and(is_on) filter (where factor = 'plan_only') as is_plan_only_on,
        bool_and(is_on) filter (where factor = 'stalled') as is_stalled_on,
        bool_and(is_on) filter (where factor = 'low_pulse') as is_low_pulse_on,
        bool_and(is_on) filter (where factor = 'pulse_drop') as is_pulse_drop_on,
        bool_and(is_on) filter (where factor = 'checkins_lapsed') as is_checkins_lapsed_on,
        bool_and(is_on) filter (where factor = 'no_career_talk') as is_no_career_talk_on,
        bool_and(is_on) filter (where factor = 'high_performer_off_path') as is_high_performer_off_path_on,
        string_agg(factor, ', ' order by factor_order) filter (where not is_on) as factors_off
    from factors
),

recent_check_ins as (
    select *
    from check_ins
    where week_of <= $as_of::date                                            -- later check-ins do not exist yet
      and week_of > $as_of::date - 180                                       -- nothing older matters
),

check_in_stats as (
    select
        employee_id,
        -- windows are (as_of - N days, as_of]
        count(*) filter (where week_of > $as_of::date - 42)::integer as n_check_ins_42d,
        count(*) filter (where career_discussed)::integer as n_career_talks_180d,
        count(pulse) filter (where week_of > $as_of::date - 56)::integer as n_pulses_recent,
        sum(pulse) filter (where week_of > $as_of::date - 56)::integer as pulse_sum_recent,
        max(week_of) as last_check_in_on
    from recent_check_ins
    group by employee_id
),

prior_pulses as (
    select
        employee_id,
        count(pulse)::integer as n_pulses_prior,
        sum(pulse)::integer as pulse_sum_prior
    from check_ins
    where week_of <= $as_of::date - 56 and week_of > $as_of::date - 112           -- the 56 days before the recent window
    group by employee_id
),

facts as (
    select
        states.employee_id,
        states.path_state,
        employees.months_since_promotion,
        employees.last_promotion_date is not null as has_promotion_date,
        reviews.performance,
        coalesce(check_in_stats.n_check_ins_42d, 0) as n_check_ins_42d,
        coalesce(check_in_stats.n_career_talks_180d, 0) as n_career_talks_180d,
        coalesce(check_in_stats.n_pulses_recent, 0) as n_pulses_recent,
        check_in_stats.pulse_sum_recent,
        coalesce(prior_pulses.n_pulses_prior, 0) as n_pulses_prior,
        prior_pulses.pulse_sum_prior,
        switches.*
    from states
    cross join switches
    join employees using (employee_id)
    left join reviews using (employee_id)
    left join check_in_stats using (employee_id)
    left join prior_pulses using (employee_id)
),

flags as (
    select
        *,
        pulse_sum_recent::double / nullif(n_pulses_recent, 0) as pulse_mean_recent,
        pulse_sum_prior::double / nullif(n_pulses_prior, 0) as pulse_mean_prior,
        -- a factor that is off is null (never true), whatever its data would say
        case when is_no_path_on then path_state = 'no_path' end as no_path,
        case when is_plan_only_on then path_state = 'plan_only' end as plan_only,
        case when is_stalled_on then months_since_promotion >= 36 end as stalled,
        -- mean <= 2.5, compared on integers: 2 * sum <= 5 * n
        case when is_low_pulse_on then n_pulses_recent >= 2 and 2 * pulse_sum_recent <= 5 * n_pulses_recent end
            as low_pulse,
        -- recent mean <= prior mean - 0.75  <=>  4 * sum_r * n_p <= 4 * sum_p * n_r - 3 * n_r * n_p
        case when is_pulse_drop_on then n_pulses_recent >= 2 and n_pulses_prior >= 2
            and 4 * pulse_sum_recent * n_pulses_prior
                <= 4 * pulse_sum_prior * n_pulses_recent - 3 * n_pulses_recent * n_pulses_prior end as pulse_drop,
        case when is_checkins_lapsed_on then n_check_ins_42d = 0 end as checkins_lapsed,
        case when is_no_career_talk_on then n_career_talks_180d = 0 end as no_career_talk,
        -- top_of_ladder is not off a path: nothing leads out of the role
        case when is_high_performer_off_path_on
            then coalesce(performance >= 4, false) and path_state in ('no_path', 'plan_only') end as high_performer_off_path
    from facts
),

scored as (
    select
        *,
        -- the points are the configured ones (int_risk_weights; the spec's by default)
        least(100,
            no_path_points * coalesce(no_path, false)::integer + plan_only_points * coalesce(plan_only, false)::integer
            + stalled_points * coalesce(stalled, false)::integer + low_pulse_points * coalesce(low_pulse, false)::integer
            + pulse_drop_points * coalesce(pulse_drop, false)::integer + checkins_lapsed_points * coalesce(checkins_lapsed, false)::integer
            + no_career_talk_points * coalesce(no_career_talk, false)::integer
            + high_performer_off_path_points * coalesce(high_performer_off_path, false)::integer
        ) as score
    from flags
    cross join weights
),

explained as (
    select
        employee_id,
        path_state,
        no_path,
        plan_only,
        stalled,
        low_pulse,
        pulse_drop,
        checkins_lapsed,
        no_career_talk,
        high_performer_off_path,
        score,
        case when score >= 50 then 'high' when score >= 25 then 'medium' else 'low' end as band,
        nullif(concat_ws('; ',
            case when no_path then 'No career path' end,
            case when plan_only then 'Career plan with no linked goal' end,
            case when stalled then months_since_promotion
                || case when has_promotion_date then ' months since last promotion' else ' months since hire' end end,
            case when low_pulse then 'Low pulse (' || printf('%.2f', pulse_mean_recent) || ' over 56 days)' end,
            case when pulse_drop then 'Pulse dropped from ' || printf('%.2f', pulse_mean_prior)
                || ' to ' || printf('%.2f', pulse_mean_recent) end,
            case when checkins_lapsed then 'No check-in in 42 days' end,
            case when no_career_talk then 'No career conversation in 180 days' end,
            case when high_performer_off_path then 'High performer (' || performance || '/5) not on a path' end
        ), '') as reasons,
        months_since_promotion,
        pulse_mean_recent,
        pulse_mean_prior,
        n_check_ins_42d,
        performance,
        factors_off
    from scored
)

select * from explained
