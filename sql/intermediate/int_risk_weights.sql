-- The points of each retention-risk factor (spec: "Retention risk"), one row: the spec's by default,
-- or the run's `riskWeights` setting (docs/marts.md "Risk weights"). Every score reads them from here.
select
    $risk_w_no_path::integer as no_path_points,
    $risk_w_plan_only::integer as plan_only_points,
    $risk_w_stalled::integer as stalled_points,
    $risk_w_low_pulse::integer as low_pulse_points,
    $risk_w_pulse_drop::integer as pulse_drop_points,
    $risk_w_checkins_lapsed::integer as checkins_lapsed_points,
    $risk_w_no_career_talk::integer as no_career_talk_points,
    $risk_w_high_performer_off_path::integer as high_performer_off_path_points
