// The risk backtest marts (spec history.md "Backtest of the retention-risk score"; docs/marts.md "Risk
// backtest"), built by TypeScript after the SQL models, on the run's connection inside its transaction:
// the labelled rows come from one SQL query over history_retention_risk, history_dates and stg_employees;
// AUC, lift and the logistic fit are stats.ts. Three tables: risk_backtest, risk_factor_effects,
// risk_weights_fitted, each checked by its .yml like a SQL mart.
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { all, exec, ident, literal, tableExists } from '../db.ts';
import { modelSettings, RISK_FACTORS, type ModelSettings, type RiskWeights } from '../model-settings.ts';
import { parseSpec, testModels, type Model } from '../models.ts';
import { auc, logisticFitClustered, topDecileLift, type LogisticFit } from './stats.ts';

export const BACKTEST_MARTS = ['risk_backtest', 'risk_factor_effects', 'risk_weights_fitted'] as const;
export const TOO_FEW_EXITS = 'too few exits to judge';
/** Fewer exits than this over all evaluable dates: figures with the warning, no fitted weights. */
export const MIN_EXITS = 30;

const BANDS = ['high', 'medium', 'low'] as const;
const STATES = ['no_path', 'plan_only', 'on_path', 'top_of_ladder'] as const;

/** One employee at one evaluable date, with the label. */
export interface Labelled {
  asOfDate: string;
  employeeId: string;
  pathState: string;
  score: number;
  band: string;
  /** The eight flags as 0/1 (a factor that is off, null, counts 0 as in the score). */
  flags: number[];
  left: boolean;
}

/** SQL giving a value's index in a fixed list of codes (this module's constants, written in as literals). */
const indexOf = (column: string, codes: readonly string[]) =>
  `case ${column}::varchar ${codes.map((code, i) => `when ${literal(code)} then ${i}`).join(' ')} end`;

/** The evaluable dates (T + h ≤ as_of) and the labelled rows; involuntary and unknown-type exits in the window counted apart. */
export async function labelledRows(conn: DuckDBConnection, asOf: string, horizonMonths: number,
  within?: { sql: string; params: Record<string, string> }):
  Promise<{ dates: string[]; rows: Labelled[]; excluded: Map<string, number> }> {
  // `within`: a query of (as_of_date, employee_id) the rows are limited to (a manager's subtree at each date)
  const params = { as_of: asOf, h: horizonMonths };
  const evaluable = `select as_of_date from history_dates where (as_of_date + to_months($h::integer))::date <= $as_of::date`;
  const dates = (await all<{ d: string }>(conn, `select strftime(as_of_date, '%Y-%m-%d') as d from (${evaluable}) order by 1`, params)).map((r) => r.d);
  // Read as columns of numbers (1.5M rows at 100k × 25 dates: strings and objects per row cost seconds):
  // the date as its index in `dates`, path state and band as their index in STATES and BANDS, the eight
  // flags as the bits of one integer.
  const reader = await conn.runAndReadAll(`
    select (dense_rank() over (order by r.as_of_date) - 1)::integer as date_index, r.employee_id,
        ${indexOf('r.path_state', STATES)} as state_index, ${indexOf('r.band', BANDS)} as band_index, r.score::integer as score,
        (${RISK_FACTORS.map((f, k) => `coalesce(r.${f}, false)::integer * ${2 ** k}`).join(' + ')})::integer as flag_bits,
        e.termination_date is not null and e.termination_date > r.as_of_date
            and e.termination_date <= (r.as_of_date + to_months($h::integer))::date as exits_in_window,
        coalesce(e.termination_type = 'voluntary', false) as is_voluntary
    from history_retention_risk as r
    join (${evaluable}) as d using (as_of_date)
    join stg_employees as e using (employee_id)
    ${within ? `join (${within.sql}) as w using (as_of_date, employee_id)` : ''}
    order by r.as_of_date, r.employee_id`, { ...params, ...within?.params } as never);
  const c = reader.getColumnsObjectJS() as Record<string, unknown[]>;
  const [dateIndex, stateIndex, bandIndex, score, bits] = ['date_index', 'state_index', 'band_index', 'score', 'flag_bits']
    .map((name) => c[name] as number[]);
  const employeeIds = c.employee_id as string[];
  const exits = c.exits_in_window as boolean[];
  const voluntary = c.is_voluntary as boolean[];
  const rows: Labelled[] = [];
  const excluded = new Map<string, number>();
  for (let i = 0; i < employeeIds.length; i++) {
    const date = dates[dateIndex[i]];
    if (exits[i] && !voluntary[i]) {
      excluded.set(date, (excluded.get(date) ?? 0) + 1);
      continue;
    }
    rows.push({
      asOfDate: date, employeeId: employeeIds[i], pathState: STATES[stateIndex[i]], score: score[i], band: BANDS[bandIndex[i]],
      flags: RISK_FACTORS.map((_, k) => (bits[i] >> k) & 1), left: exits[i],
    });
  }
  return { dates, rows, excluded };
}

const rate = (num: number, den: number) => (den > 0 ? num / den : null);

/** Counts of a set of rows in one pass (1.5M rows pooled at 100k): all, per band, per path state, per flag. */
function tally(rows: readonly Labelled[]) {
  const zero = () => ({ n: 0, left: 0 });
  const all = zero();
  const bands = new Map<string, { n: number; left: number }>(BANDS.map((b) => [b, zero()]));
  const states = new Map<string, { n: number; left: number }>(STATES.map((st) => [st, zero()]));
  const flags = RISK_FACTORS.map(zero);
  for (const r of rows) {
    const l = r.left ? 1 : 0;
    all.n++; all.left += l;
    const b = bands.get(r.band);
    if (b) { b.n++; b.left += l; }
    const st = states.get(r.pathState);
    if (st) { st.n++; st.left += l; }
    for (let k = 0; k < flags.length; k++) if (r.flags[k] === 1) { flags[k].n++; flags[k].left += l; }
  }
  return { all, bands, states, flags };
}

/** One risk_backtest row: the figures of a set of rows (one date, or all pooled). */
function backtestRow(asOfDate: string | null, rows: Labelled[], counts: ReturnType<typeof tally>, excluded: number, warning: string | null): Record<string, unknown> {
  const { n, left } = counts.all;
  const lift = topDecileLift(rows, (r) => `${r.employeeId}\u0000${r.asOfDate}`);
  const out: Record<string, unknown> = {
    scope: asOfDate === null ? 'pooled' : 'date',
    as_of_date: asOfDate,
    n_scored: n,
    n_left: left,
    n_excluded: excluded,
    exit_rate: rate(left, n),
    auc: auc(rows.map((r) => r.score), rows.map((r) => r.left)),
    top_decile_n: lift.topN,
    top_decile_left: lift.topLeft,
    top_decile_lift: lift.lift,
  };
  for (const b of BANDS) {
    const of = counts.bands.get(b)!;
    out[`n_${b}`] = of.n;
    out[`exit_rate_${b}`] = rate(of.left, of.n);
  }
  for (const st of STATES) {
    const of = counts.states.get(st)!;
    out[`n_${st}`] = of.n;
    out[`exit_rate_${st}`] = rate(of.left, of.n);
  }
  out.warning = warning;
  return out;
}

/**
 * Fit left ~ the eight flags, intervals clustered by employee (one person is a row at many dates, so the
 * rows are not independent); null when the rows hold no exit or no stay.
 */
function fit(rows: Labelled[]): LogisticFit | null {
  const left = rows.filter((r) => r.left).length;
  if (left === 0 || left === rows.length) return null;
  return logisticFitClustered(rows.map((r) => ({ x: r.flags, event: r.left, cluster: r.employeeId })), RISK_FACTORS.length);
}

/** Fitted coefficients as points: negatives 0, the positive ones scaled to the configured points' total, at most 100 each. */
export function pointsOf(coef: (number | null)[], total: number): number[] {
  const pos = RISK_FACTORS.map((_, k) => Math.max(0, coef[k + 1] ?? 0));
  const sum = pos.reduce((s, v) => s + v, 0);
  return pos.map((v) => (sum > 0 ? Math.min(100, Math.round((v * total) / sum)) : 0));
}

const scoreWith = (flags: number[], points: number[]) => Math.min(100, flags.reduce((s, f, k) => s + f * points[k], 0));

export interface BacktestResult {
  risk_backtest: Record<string, unknown>[];
  risk_factor_effects: Record<string, unknown>[];
  risk_weights_fitted: Record<string, unknown>[];
}

/** The three marts' rows from labelled rows (pure; marts.test.ts checks it on hand-worked rows). */
export function backtestFigures(dates: string[], rows: Labelled[], excluded: Map<string, number>, weights: RiskWeights): BacktestResult {
  const totalLeft = rows.filter((r) => r.left).length;
  const warning = totalLeft < MIN_EXITS ? TOO_FEW_EXITS : null;
  const byDate = new Map<string, Labelled[]>(dates.map((d) => [d, []]));
  for (const r of rows) byDate.get(r.asOfDate)?.push(r);

  const counts = new Map<string | null, ReturnType<typeof tally>>(dates.map((d) => [d, tally(byDate.get(d)!)]));
  if (dates.length) counts.set(null, tally(rows));
  const backtest = dates.map((d) => backtestRow(d, byDate.get(d)!, counts.get(d)!, excluded.get(d) ?? 0, warning));
  if (dates.length) backtest.push(backtestRow(null, rows, counts.get(null)!, [...excluded.values()].reduce((s, v) => s + v, 0), warning));

  const pooledFit = warning ? null : fit(rows);
  const effects: Record<string, unknown>[] = [];
  const effectRows = (asOfDate: string | null, f: LogisticFit | null) => RISK_FACTORS.forEach((factor, k) => {
    const { all, flags } = counts.get(asOfDate)!;
    const withIt = flags[k];
    const without = { n: all.n - withIt.n, left: all.left - withIt.left };
    const rWith = rate(withIt.left, withIt.n);
    const rWithout = rate(without.left, without.n);
    effects.push({
      scope: asOfDate === null ? 'pooled' : 'date', as_of_date: asOfDate, factor, factor_order: k + 1,
      n_with: withIt.n, n_left_with: withIt.left, exit_rate_with: rWith,
      n_without: without.n, n_left_without: without.left, exit_rate_without: rWithout,
      rate_ratio: rWith !== null && rWithout ? rWith / rWithout : null,
      coefficient: f?.coef[k + 1] ?? null, ci_lower: f?.lower[k + 1] ?? null, ci_upper: f?.upper[k + 1] ?? null,
      odds_ratio: f?.coef[k + 1] != null ? Math.exp(f.coef[k + 1]!) : null, warning,
    });
  });
  for (const d of dates) effectRows(d, null);
  if (dates.length) effectRows(null, pooledFit);

  // older half of the evaluable dates to fit, newer half to score; no date in both
  const older = dates.slice(0, Math.floor(dates.length / 2));
  const newer = dates.slice(Math.floor(dates.length / 2));
  const olderSet = new Set(older);
  const train = rows.filter((r) => olderSet.has(r.asOfDate));
  const test = rows.filter((r) => !olderSet.has(r.asOfDate));
  const trainFit = warning || older.length === 0 ? null : fit(train);
  const configured = RISK_FACTORS.map((f) => weights[f]);
  const total = configured.reduce((s, v) => s + v, 0);
  const fittedPoints = trainFit ? pointsOf(trainFit.coef, total) : null;
  const labels = test.map((r) => r.left);
  const aucConfigured = test.length ? auc(test.map((r) => scoreWith(r.flags, configured)), labels) : null;
  const aucFitted = trainFit ? auc(test.map((r) => r.flags.reduce((s, x, k) => s + x * (trainFit.coef[k + 1] ?? 0), 0)), labels) : null;
  const aucFittedPoints = fittedPoints ? auc(test.map((r) => scoreWith(r.flags, fittedPoints)), labels) : null;
  const weightsFitted = RISK_FACTORS.map((factor, k) => ({
    factor, factor_order: k + 1, configured_points: configured[k],
    fitted_coefficient: trainFit?.coef[k + 1] ?? null, ci_lower: trainFit?.lower[k + 1] ?? null, ci_upper: trainFit?.upper[k + 1] ?? null,
    fitted_points: fittedPoints?.[k] ?? null,
    fit_from: older[0] ?? null, fit_to: older.at(-1) ?? null, n_fit: train.length, n_left_fit: train.filter((r) => r.left).length,
    score_from: newer[0] ?? null, score_to: newer.at(-1) ?? null, n_scored: test.length, n_left_scored: labels.filter(Boolean).length,
    auc_configured: aucConfigured, auc_fitted: aucFitted, auc_fitted_points: aucFittedPoints,
    warning: warning ?? (older.length === 0 ? 'no older half to fit on' : trainFit ? null : 'no exit (or no stay) in the older half'),
  }));
  return { risk_backtest: backtest, risk_factor_effects: effects, risk_weights_fitted: weightsFitted };
}

/** Column types of the three tables (the order is the tables' column order; the dashboard's response schemas use them). */
export const COLUMNS: Record<(typeof BACKTEST_MARTS)[number], Record<string, string>> = {
  risk_backtest: {
    scope: 'varchar', as_of_date: 'date', n_scored: 'integer', n_left: 'integer', n_excluded: 'integer', exit_rate: 'double', auc: 'double',
    top_decile_n: 'integer', top_decile_left: 'integer', top_decile_lift: 'double',
    ...Object.fromEntries(BANDS.flatMap((b) => [[`n_${b}`, 'integer'], [`exit_rate_${b}`, 'double']])),
    ...Object.fromEntries(STATES.flatMap((s) => [[`n_${s}`, 'integer'], [`exit_rate_${s}`, 'double']])),
    warning: 'varchar',
  },
  risk_factor_effects: {
    scope: 'varchar', as_of_date: 'date', factor: 'varchar', factor_order: 'integer', n_with: 'integer', n_left_with: 'integer',
    exit_rate_with: 'double', n_without: 'integer', n_left_without: 'integer', exit_rate_without: 'double', rate_ratio: 'double',
    coefficient: 'double', ci_lower: 'double', ci_upper: 'double', odds_ratio: 'double', warning: 'varchar',
  },
  risk_weights_fitted: {
    factor: 'varchar', factor_order: 'integer', configured_points: 'integer', fitted_coefficient: 'double', ci_lower: 'double',
    ci_upper: 'double', fitted_points: 'integer', fit_from: 'date', fit_to: 'date', n_fit: 'integer', n_left_fit: 'integer',
    score_from: 'date', score_to: 'date', n_scored: 'integer', n_left_scored: 'integer', auc_configured: 'double', auc_fitted: 'double',
    auc_fitted_points: 'double', warning: 'varchar',
  },
};

async function writeTable(conn: DuckDBConnection, name: string, columns: Record<string, string>, rows: Record<string, unknown>[]): Promise<void> {
  const cols = Object.keys(columns);
  await exec(conn, `create or replace table ${ident(name)} (${cols.map((c) => `${ident(c)} ${columns[c]}`).join(', ')})`);
  if (!rows.length) return;
  // one insert of all rows as a VALUES list of bound parameters
  const params: Record<string, string | number | boolean | null> = {};
  const tuples = rows.map((r, i) => `(${cols.map((c, j) => {
    const v = r[c];
    params[`p${i}_${j}`] = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v as string | number | boolean | null;
    return `$p${i}_${j}::${columns[c]}`;
  }).join(', ')})`);
  await exec(conn, `insert into ${ident(name)} values ${tuples.join(', ')}`, params);
}

/** The .yml tests of the three marts, as models the runner's testModels can check. */
export const BACKTEST_DIR = path.dirname(fileURLToPath(import.meta.url));
function martModels(): Model[] {
  return BACKTEST_MARTS.map((name) => {
    const file = path.join(BACKTEST_DIR, `${name}.yml`);
    return {
      name, file: path.relative(BACKTEST_DIR, file), layer: 'marts', materialized: 'table', enumColumns: [], sql: '', deps: [], sources: [],
      spec: parseSpec(fs.readFileSync(file, 'utf8'), path.basename(file)),
    } satisfies Model;
  });
}

/**
 * Build and test the three backtest marts on `conn` (in the caller's transaction). Without
 * history_retention_risk (a sql/ folder without the history models) nothing is built and null returned.
 */
export async function buildBacktest(conn: DuckDBConnection, opts: { asOf: string; settings?: Partial<ModelSettings> }):
  Promise<{ tests: number; evaluableDates: number; exits: number } | null> {
  if (!(await tableExists(conn, 'history_retention_risk')) || !(await tableExists(conn, 'history_dates'))) return null;
  const settings = modelSettings(opts.settings);
  const { dates, rows, excluded } = await labelledRows(conn, opts.asOf, settings.backtestHorizonMonths);
  const figures = backtestFigures(dates, rows, excluded, settings.riskWeights);
  for (const name of BACKTEST_MARTS) await writeTable(conn, name, COLUMNS[name], figures[name]);
  const tests = await testModels(conn, martModels());
  return { tests, evaluableDates: dates.length, exits: rows.filter((r) => r.left).length };
}
