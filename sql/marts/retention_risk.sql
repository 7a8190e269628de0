-- Retention risk of every active employee, explainable by its flags (spec: "Retention risk").
-- One row per active employee.
with

states as (select * from career_path_state),

employees as (select * from int_employees_active),

check_ins as (select * from stg_check_ins),

reviews as (select * from int_reviews_latest),

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
        prior_pulses.pulse_sum_prior
    from states
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
        path_state = 'no_path' as no_path,
        path_state = 'plan_only' as plan_only,
        months_since_promotion >= 36 as stalled,
        -- mean <= 2.5, compared on integers: 2 * sum <= 5 * n
        n_pulses_recent >= 2 and 2 * pulse_sum_recent <= 5 * n_pulses_recent as low_pulse,
        -- recent mean <= prior mean - 0.75  <=>  4 * sum_r * n_p <= 4 * sum_p * n_r - 3 * n_r * n_p
        n_pulses_recent >= 2 and n_pulses_prior >= 2
            and 4 * pulse_sum_recent * n_pulses_prior
                <= 4 * pulse_sum_prior * n_pulses_recent - 3 * n_pulses_recent * n_pulses_prior as pulse_drop,
        n_check_ins_42d = 0 as checkins_lapsed,
        n_career_talks_180d = 0 as no_career_talk,
        coalesce(performance >= 4, false) and path_state <> 'on_path' as high_performer_off_path
    from facts
),

scored as (
    select
        *,
        least(100,
            25 * no_path::integer + 10 * plan_only::integer + 20 * stalled::integer
            + 15 * low_pulse::integer + 15 * pulse_drop::integer + 10 * checkins_lapsed::integer
            + 10 * no_career_talk::integer + 10 * high_performer_off_path::integer
        ) as score
    from flags
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
        performance
    from scored
)

select * from explained
