// History for the dashboard (spec history.md; docs/access.md "History and the backtest"): the trend rows
// (history_overview) and the risk backtest (risk_backtest, risk_factor_effects, risk_weights_fitted).
// Admins and leaders read the tables. A manager's figures are computed on request over their subtree
// **at each date**: the people who reported to them, directly or not, by the reporting lines at T
// (hist_employees_active's manager at T), so people who have since left count where they were.
import type { DuckDBConnection } from '@duckdb/node-api';
import { backtestFigures, withLabelledCounts, type BacktestResult } from '../../pipeline/src/backtest/marts.ts';
import { modelSettings, RISK_FACTORS, type RiskWeights } from '../../pipeline/src/model-settings.ts';
import type { AuthUser } from './auth/user.ts';
import { hasTable } from './context.ts';
import { readRows, type PlainRow } from './rows.ts';
import { isUnscoped } from './scope.ts';

/** The columns of history_overview served (and computed for a manager). */
export const HISTORY_COLUMNS = [
  'as_of_date', 'n_active', 'n_on_path', 'n_plan_only', 'n_no_path', 'n_top_of_ladder', 'no_path_share',
  'n_risk_high', 'n_risk_medium', 'n_risk_low', 'mean_risk_score', 'succession_readiness_rate', 'bench_strength_index',
  'mean_current_role_coverage', 'n_exits', 'n_exits_voluntary', 'n_exits_involuntary', 'n_hires',
] as const;

/**
 * (as_of_date, employee_id) of the manager's subtree at each history date: the root ($scope_root) and
 * everyone below them by the managers at that date. Needs hist_employees_active.
 */
const SUBTREE_AT = `
  with recursive walk(as_of_date, employee_id, depth) as (
    select as_of_date, employee_id, 0 from hist_employees_active where employee_id = $scope_root
    union all
    select h.as_of_date, h.employee_id, walk.depth + 1
    from walk join hist_employees_active h on h.as_of_date = walk.as_of_date and h.manager_id = walk.employee_id
    where walk.depth < 64
  )
  select distinct as_of_date, employee_id from walk`;

/** A manager can be scoped only with an employee id and the history building blocks. */
async function managerRoot(conn: DuckDBConnection, user: AuthUser | null): Promise<string | null> {
  if (user?.role !== 'manager' || !user.employeeId) return null;
  return (await hasTable(conn, 'hist_employees_active')) ? user.employeeId : null;
}

/** history_overview rows (oldest first), or the manager's subtree's figures; [] when there is no history. */
export async function historyRows(conn: DuckDBConnection, user: AuthUser | null): Promise<PlainRow[]> {
  if (!(await hasTable(conn, 'history_overview'))) return [];
  const dateCol = `strftime(as_of_date, '%Y-%m-%d') as as_of_date`;
  if (isUnscoped(user)) {
    return readRows(conn, `select ${dateCol}, ${HISTORY_COLUMNS.slice(1).join(', ')} from history_overview order by history_overview.as_of_date`);
  }
  const root = await managerRoot(conn, user);
  if (!root || !(await hasTable(conn, 'history_retention_risk'))) return [];
  // Exits of the month ending at T: people in the subtree at the history date before T who left in
  // (month_start_exclusive, T] (the first date has no date before it: null). Hires: in the subtree at T,
  // hired in that month.
  return readRows(conn, `
    with sub as (${SUBTREE_AT}),
    dates as (select *, lag(as_of_date) over (order by as_of_date) as previous_date from history_dates),
    risk as (
      select r.as_of_date, count(*)::integer as n_active,
             count(*) filter (where path_state = 'on_path')::integer as n_on_path,
             count(*) filter (where path_state = 'plan_only')::integer as n_plan_only,
             count(*) filter (where path_state = 'no_path')::integer as n_no_path,
             count(*) filter (where path_state = 'top_of_ladder')::integer as n_top_of_ladder,
             count(*) filter (where band = 'high')::integer as n_risk_high,
             count(*) filter (where band = 'medium')::integer as n_risk_medium,
             count(*) filter (where band = 'low')::integer as n_risk_low,
             avg(score)::double as mean_risk_score
      from history_retention_risk r join sub using (as_of_date, employee_id) group by r.as_of_date),
    exits as (
      select d.as_of_date,
             count(e.employee_id)::integer as n_exits,
             count(e.employee_id) filter (where e.termination_type = 'voluntary')::integer as n_exits_voluntary,
             count(e.employee_id) filter (where e.termination_type = 'involuntary')::integer as n_exits_involuntary
      from dates d join sub s on s.as_of_date = d.previous_date
      join stg_employees e on e.employee_id = s.employee_id
       and e.termination_date > d.month_start_exclusive and e.termination_date <= d.as_of_date
      group by d.as_of_date),
    hires as (
      select d.as_of_date, count(*)::integer as n_hires
      from dates d join sub s using (as_of_date) join stg_employees e on e.employee_id = s.employee_id
      where e.hire_date > d.month_start_exclusive and e.hire_date <= d.as_of_date group by d.as_of_date),
    coverage as (
      select h.as_of_date, avg(h.current_role_coverage)::double as mean_current_role_coverage
      from hist_employees_active h join sub using (as_of_date, employee_id) group by h.as_of_date)
    select strftime(d.as_of_date, '%Y-%m-%d') as as_of_date, coalesce(risk.n_active, 0) as n_active,
           coalesce(n_on_path, 0) as n_on_path, coalesce(n_plan_only, 0) as n_plan_only, coalesce(n_no_path, 0) as n_no_path,
           coalesce(n_top_of_ladder, 0) as n_top_of_ladder, n_no_path::double / nullif(risk.n_active, 0) as no_path_share,
           coalesce(n_risk_high, 0) as n_risk_high, coalesce(n_risk_medium, 0) as n_risk_medium, coalesce(n_risk_low, 0) as n_risk_low,
           mean_risk_score, null::double as succession_readiness_rate, null::double as bench_strength_index,
           coverage.mean_current_role_coverage,
           case when d.previous_date is null then null else coalesce(exits.n_exits, 0) end as n_exits,
           case when d.previous_date is null then null else coalesce(exits.n_exits_voluntary, 0) end as n_exits_voluntary,
           case when d.previous_date is null then null else coalesce(exits.n_exits_involuntary, 0) end as n_exits_involuntary,
           coalesce(hires.n_hires, 0) as n_hires
    from dates d left join risk using (as_of_date) left join exits using (as_of_date)
    left join hires using (as_of_date) left join coverage using (as_of_date)
    order by d.as_of_date`, { scope_root: root });
}

export interface Backtest extends BacktestResult {
  /** 'org': the stored marts; 'subtree': computed over the manager's subtree at each date. */
  scope: 'org' | 'subtree';
  horizonMonths: number | null;
}

/** The configured points the run used (risk_weights_fitted.configured_points), else the config's. */
async function runWeights(conn: DuckDBConnection, fallback: Partial<RiskWeights> | undefined): Promise<RiskWeights> {
  const weights = modelSettings({ riskWeights: fallback as RiskWeights | undefined }).riskWeights;
  if (!(await hasTable(conn, 'risk_weights_fitted'))) return weights;
  for (const r of await readRows(conn, 'select factor, configured_points from risk_weights_fitted')) {
    if ((RISK_FACTORS as readonly string[]).includes(String(r.factor)) && typeof r.configured_points === 'number') {
      weights[r.factor as keyof RiskWeights] = r.configured_points;
    }
  }
  return weights;
}

/**
 * The backtest for the caller: the marts for admins and leaders; for a manager the same figures
 * (pipeline/src/backtest/marts.ts backtestFigures, the code that built the marts) over the labelled rows of
 * their subtree at each date, the too-few-exits rule applying to their count. null: no backtest built.
 */
export async function backtestFor(conn: DuckDBConnection, user: AuthUser | null,
  opts: { asOf: string | null; horizonMonths?: number; riskWeights?: Partial<RiskWeights> }): Promise<Backtest | null> {
  if (!(await hasTable(conn, 'risk_backtest'))) return null;
  const horizonMonths = opts.horizonMonths ?? modelSettings().backtestHorizonMonths;
  if (isUnscoped(user)) {
    const dated = `* replace (strftime(as_of_date, '%Y-%m-%d') as as_of_date)`;
    return {
      scope: 'org', horizonMonths,
      risk_backtest: await readRows(conn, `select ${dated} from risk_backtest order by scope = 'pooled', as_of_date`),
      risk_factor_effects: await readRows(conn, `select ${dated} from risk_factor_effects order by scope = 'pooled', as_of_date, factor_order`),
      risk_weights_fitted: await readRows(conn, `select * replace (strftime(fit_from, '%Y-%m-%d') as fit_from, strftime(fit_to, '%Y-%m-%d') as fit_to,
        strftime(score_from, '%Y-%m-%d') as score_from, strftime(score_to, '%Y-%m-%d') as score_to) from risk_weights_fitted order by factor_order`),
    };
  }
  const root = await managerRoot(conn, user);
  if (!root || !opts.asOf || !(await hasTable(conn, 'history_retention_risk'))) {
    return { scope: 'subtree', horizonMonths, risk_backtest: [], risk_factor_effects: [], risk_weights_fitted: [] };
  }
  const weights = await runWeights(conn, opts.riskWeights);
  const figures = await withLabelledCounts(conn, opts.asOf, horizonMonths, { sql: SUBTREE_AT, params: { scope_root: root } },
    (counts) => backtestFigures(counts, weights));
  return { scope: 'subtree', horizonMonths, ...figures };
}
