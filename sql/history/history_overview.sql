-- The overview's figures at every history date (spec history.md "Trend tables"): each is the figure the
-- current marts give when the models run with as_of = T (headcount and career_path_state counts,
-- retention_risk bands and mean score, succession_summary's readiness rate and bench strength index,
-- role_coverage's mean coverage of the current role), plus the exits and hires of the month ending at T:
-- dated in (month_start_exclusive, as_of_date] (history_dates). One row per history date.
with

dates as (select * from history_dates),

employees as (select * from hist_employees_active),

risk as (select * from history_retention_risk),

succession as (select * from hist_succession),

staff as (select * from stg_employees),

people as (
    select
        as_of_date,
        count(*)::integer as n_active,
        count(*) filter (where not has_job_row)::integer as n_roles_from_snapshot
    from employees
    group by as_of_date
),

risk_figures as (
    select
        as_of_date,
        count(*) filter (where path_state = 'on_path')::integer as n_on_path,
        count(*) filter (where path_state = 'plan_only')::integer as n_plan_only,
        count(*) filter (where path_state = 'no_path')::integer as n_no_path,
        count(*) filter (where path_state = 'top_of_ladder')::integer as n_top_of_ladder,
        count(*) filter (where band = 'high')::integer as n_risk_high,
        count(*) filter (where band = 'medium')::integer as n_risk_medium,
        count(*) filter (where band = 'low')::integer as n_risk_low,
        avg(score)::double as mean_risk_score
    from risk
    group by as_of_date
),

coverage_figures as (
    -- rounded to 12 places: a mean of doubles summed in parallel differs in its last bits from run to run
    select as_of_date, round(avg(current_role_coverage), 12)::double as mean_current_role_coverage
    from employees
    group by as_of_date
),

moves as (
    select
        dates.as_of_date,
        count(*) filter (where staff.termination_date > dates.month_start_exclusive
                           and staff.termination_date <= dates.as_of_date)::integer as n_exits,
        count(*) filter (where staff.termination_date > dates.month_start_exclusive
                           and staff.termination_date <= dates.as_of_date
                           and staff.termination_type = 'voluntary')::integer as n_exits_voluntary,
        count(*) filter (where staff.termination_date > dates.month_start_exclusive
                           and staff.termination_date <= dates.as_of_date
                           and staff.termination_type = 'involuntary')::integer as n_exits_involuntary,
        count(*) filter (where staff.hire_date > dates.month_start_exclusive
                           and staff.hire_date <= dates.as_of_date)::integer as n_hires
    from dates
    cross join staff
    group by dates.as_of_date
)

select
    dates.as_of_date,
    coalesce(people.n_active, 0) as n_active,
    coalesce(risk_figures.n_on_path, 0) as n_on_path,
    coalesce(risk_figures.n_plan_only, 0) as n_plan_only,
    coalesce(risk_figures.n_no_path, 0) as n_no_path,
    coalesce(risk_figures.n_top_of_ladder, 0) as n_top_of_ladder,
    risk_figures.n_no_path::double / nullif(people.n_active, 0) as no_path_share,
    coalesce(risk_figures.n_risk_high, 0) as n_risk_high,
    coalesce(risk_figures.n_risk_medium, 0) as n_risk_medium,
    coalesce(risk_figures.n_risk_low, 0) as n_risk_low,
    risk_figures.mean_risk_score,
    succession.succession_readiness_rate,
    succession.bench_strength_index,
    coverage_figures.mean_current_role_coverage,
    coalesce(moves.n_exits, 0) as n_exits,
    coalesce(moves.n_exits_voluntary, 0) as n_exits_voluntary,
    coalesce(moves.n_exits_involuntary, 0) as n_exits_involuntary,
    coalesce(moves.n_hires, 0) as n_hires,
    coalesce(people.n_roles_from_snapshot, 0) as n_roles_from_snapshot
from dates
left join people using (as_of_date)
left join risk_figures using (as_of_date)
left join succession using (as_of_date)
left join coverage_figures using (as_of_date)
left join moves using (as_of_date)
order by dates.as_of_date
