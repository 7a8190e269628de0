// The risk backtest marts (spec history.md "Backtest of the retention-risk score"; docs/marts.md "Risk
// backtest"), built by TypeScript after the SQL models, on the run's connection inside its transaction:
// the labelled rows (history_retention_risk, history_dates, stg_employees) are counted in SQL, grouped by
// date, score, band, path state and flag pattern, so no row per (date, employee) reaches JavaScript; AUC,
// lift and the logistic fit (stats.ts) work on those counts; SQL also counts the exits at a top decile's cut
// (by employee_id) and the fit's per-employee score sums for the clustered intervals. Three tables: risk_backtest, risk_factor_effects,
// risk_weights_fitted, each checked by its .yml like a SQL mart.
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { all, exec, ident, literal, tableExists } from '../db.ts';
import { modelSettings, RISK_FACTORS, type ModelSettings, type RiskWeights } from '../model-settings.ts';
import { testModels } from '../model-tests.ts';
import { parseSpec, type Model } from '../models.ts';
import { aucOfCounts, clustered, decileCut, fittedProbability, liftOf, logisticFit, type Group, type LogisticFit } from './stats.ts';

export const BACKTEST_MARTS = ['risk_backtest', 'risk_factor_effects', 'risk_weights_fitted'] as const;
/** The models the backtest reads: a run starts it once they are built (run.ts buildResults). */
export const BACKTEST_READS = ['history_dates', 'history_retention_risk', 'stg_employees'];
export const TOO_FEW_EXITS = 'too few exits to judge';
/** Fewer exits than this over all evaluable dates: figures with the warning, no fitted weights. */
export const MIN_EXITS = 30;

export const BANDS = ['high', 'medium', 'low'] as const;
export const STATES = ['no_path', 'plan_only', 'on_path', 'top_of_ladder'] as const;

/** Labelled rows (involuntary and unknown-type exits left out) counted alike: one date, score, band, path state and flag pattern. */
export interface Cell {
  /** Index in `dates`. */
  date: number;
  score: number;
  /** Index in BANDS and STATES; null for another value (counted in no band or state, as before). */
  band: number | null;
  state: number | null;
  /** The eight flags as the bits of one integer (bit k: RISK_FACTORS[k]). */
  bits: number;
  n: number;
  left: number;
}

/** Of the rows with `score` (at date index `date`, or at every date when null), the first `take` by employee_id, then date. */
export interface Cut { date: number | null; score: number; take: number }

/** A fit over the dates before index `before`, with its fitted probability per flag pattern (bits). */
export interface MeatOf { before: number; probability: ReadonlyMap<number, number> }

/**
 * The labelled rows as counts: all the three marts need, without a row per (date, employee) leaving the
 * database. The two things counts cannot answer are asked for: the exits among the rows at a top decile's
 * cut (ordered by employee_id), and the clustered fit's per-employee score sums (Σ over employees of s sᵀ).
 */
export interface LabelledCounts {
  /** The evaluable dates, oldest first. */
  dates: string[];
  cells: Cell[];
  /** Involuntary and unknown-type exits in the window, per date index. */
  excluded: number[];
  /** The flag patterns in the order the rows first show them (by date, then employee_id): the order the fit sums its groups in. */
  patterns: number[];
  /** For each cut, how many of its rows left. */
  leftAtCut(cuts: readonly Cut[]): Promise<number[]>;
  /**
   * For each fit: Σ over employees of s sᵀ (9 × 9: the intercept, then the eight flags), s = the sum over the
   * employee's rows before the fit's date index of [1, flags…] × (left − p), p the probability of the row's pattern.
   */
  clusterMeat(fits: readonly MeatOf[]): Promise<number[][][]>;
}

/** SQL giving a value's index in a fixed list of codes (this module's constants, written in as literals). */
const indexOf = (column: string, codes: readonly string[]) =>
  `case ${column}::varchar ${codes.map((code, i) => `when ${literal(code)} then ${i}`).join(' ')} end`;

const FEATURES = RISK_FACTORS.length;
const flagsOf = (bits: number) => RISK_FACTORS.map((_, k) => (bits >> k) & 1);
/** The meat's 45 entries (i ≤ j) of the intercept and the eight flags. */
const PAIRS = Array.from({ length: FEATURES + 1 }, (_, i) => i).flatMap((i) => Array.from({ length: FEATURES + 1 - i }, (_, d) => [i, i + d]));

let scratchSeq = 0;

/**
 * The labelled rows of the evaluable dates (T + h ≤ as_of), counted in SQL, handed to `use`; involuntary and
 * unknown-type exits in the window counted apart. `within`: a query of (as_of_date, employee_id) the rows
 * are limited to (a manager's subtree at each date). The rows are read once into a temporary table of
 * numbers (dropped after `use`), which the counts, the cuts and the clustered sums then read. Only this
 * module's constants and numbers it computed enter the SQL.
 */
export async function withLabelledCounts<T>(conn: DuckDBConnection, asOf: string, horizonMonths: number,
  within: { sql: string; params: Record<string, string> } | undefined, use: (counts: LabelledCounts) => Promise<T>): Promise<T> {
  const base = { as_of: asOf, h: horizonMonths };
  const evaluable = `select as_of_date, (row_number() over (order by as_of_date) - 1)::integer as date_index,
        (as_of_date + to_months($h::integer))::date as window_end
    from history_dates where (as_of_date + to_months($h::integer))::date <= $as_of::date`;
  const dates = (await all<{ d: string }>(conn, `select strftime(as_of_date, '%Y-%m-%d') as d from (${evaluable}) order by as_of_date`, base))
    .map((r) => r.d);
  // one row per (date, employee): the date as its index in `dates`, the employee as their rank by employee_id
  // (k: ordering by k is ordering by employee_id), path state and band as stored, the eight flags as the
  // bits of one integer (a null flag, factor off, counts 0 as in the score); `lft` left (a voluntary exit in
  // the window), `excluded` another exit in it
  const table = ident(`_backtest_labelled_${process.pid}_${++scratchSeq}`);
  await exec(conn, `create temp table ${table} as
    select d, k, path_state, band, score, bits, exits and not voluntary as excluded, exits and voluntary as lft from (
      select d.date_index as d, e.k, r.path_state, r.band, r.score::integer as score,
          (${RISK_FACTORS.map((f, k) => `case when r.${f} then ${2 ** k} else 0 end`).join(' + ')})::integer as bits,
          coalesce(e.termination_date > r.as_of_date and e.termination_date <= d.window_end, false) as exits,
          coalesce(e.termination_type = 'voluntary', false) as voluntary
      from history_retention_risk as r
      join (${evaluable}) as d using (as_of_date)
      join (select employee_id, termination_date, termination_type, (row_number() over (order by employee_id))::integer as k
          from stg_employees) as e using (employee_id)
      ${within ? `join (${within.sql}) as w using (as_of_date, employee_id)` : ''})`, { ...base, ...within?.params } as never);
  let result: T;
  try {
    const grouped = await all<{ d: number; score: number; s: number | null; b: number | null; bits: number; n: number; l: number; x: number; pattern_order: number | null }>(conn, `
      with cells as (
        select d, score, ${indexOf('path_state', STATES)} as s, ${indexOf('band', BANDS)} as b, bits,
            (count(*) filter (where not excluded))::integer as n, (count(*) filter (where lft))::integer as l,
            (count(*) filter (where excluded))::integer as x, min(k) filter (where not excluded) as first_k
        from ${table} group by d, score, path_state, band, bits),
      patterns as (
        -- the first row (by date, then employee_id) showing each pattern
        select bits, (row_number() over (order by min({'d': d, 'k': first_k})))::integer as pattern_order
        from cells where first_k is not null group by bits)
      select d, score, s, b, bits, sum(n)::integer as n, sum(l)::integer as l, sum(x)::integer as x, any_value(pattern_order) as pattern_order
      from cells left join patterns using (bits) group by d, score, s, b, bits`);
    const cells: Cell[] = [];
    const excluded = dates.map(() => 0);
    const order = new Map<number, number>();
    for (const g of grouped) {
      excluded[g.d] += g.x;
      if (g.n > 0) cells.push({ date: g.d, score: g.score, band: g.b, state: g.s, bits: g.bits, n: g.n, left: g.l });
      if (g.pattern_order !== null) order.set(g.bits, g.pattern_order);
    }
    const patterns = [...order.keys()].sort((a, b) => order.get(a)! - order.get(b)!);
    result = await use({
      dates, cells, excluded, patterns,
      async leftAtCut(cuts) {
        if (!cuts.length) return [];
        const values: Record<string, number> = {};
        const tuples = cuts.map((c, i) => {
          Object.assign(values, { [`c${i}_d`]: c.date ?? -1, [`c${i}_s`]: c.score, [`c${i}_t`]: c.take });
          return `(${i}, $c${i}_d::integer, $c${i}_s::integer, $c${i}_t::integer)`;
        });
        const rows = await all<{ i: number; n: number }>(conn, `
          with cuts(i, d, score, take) as (values ${tuples.join(', ')}),
          ranked as (
            select c.i, c.take, l.lft, row_number() over (partition by c.i order by l.k, l.d) as rn
            from ${table} as l join cuts as c on l.score = c.score
            where not l.excluded and (c.d = -1 or c.d = l.d))
          select i, (count(*) filter (where lft))::integer as n from ranked where rn <= take group by i`, values);
        const out = cuts.map(() => 0);
        for (const r of rows) out[r.i] = r.n;
        return out;
      },
      async clusterMeat(fits) {
        if (!fits.length) return [];
        const values: Record<string, number> = {};
        fits.forEach((f, i) => { values[`b${i}`] = f.before; });
        const tuples = fits.flatMap((f, i) => [...f.probability].map(([bits, p], j) => {
          Object.assign(values, { [`f${i}_${j}_bits`]: bits, [`f${i}_${j}_p`]: p });
          return `(${i}, $f${i}_${j}_bits::integer, $f${i}_${j}_p::double)`;
        }));
        // the rows counted per (employee, flags, label, which fits they are in); then s per (fit, employee) and
        // the 45 sums of products. Kahan sums (fsum): the order SQL adds in does not matter (to the last bits)
        const col = (k: number) => (k === 0 ? 'fsum(r)' : `fsum(((bits >> ${k - 1}) & 1) * r)`);
        const rows = await all<Record<string, number>>(conn, `
          with per as (
            select k, bits, lft, ${fits.map((_, i) => `d < $b${i} as in${i}`).join(', ')}, count(*) as n
            from ${table} where not excluded group by all),
          probs(i, bits, p) as (values ${tuples.join(', ')}),
          res as (
            select q.i, per.k, per.bits, per.n * (per.lft::integer - q.p) as r
            from per join probs as q using (bits)
            where ${fits.map((_, i) => `(q.i = ${i} and in${i})`).join(' or ')}),
          sums as (select i, ${Array.from({ length: FEATURES + 1 }, (_, k) => `${col(k)} as s${k}`).join(', ')} from res group by i, k)
          select i, ${PAIRS.map(([a, b]) => `fsum(s${a} * s${b}) as m${a}_${b}`).join(', ')} from sums group by i`, values);
        return fits.map((_, i) => {
          const r = rows.find((row) => row.i === i);
          const m = Array.from({ length: FEATURES + 1 }, () => new Array<number>(FEATURES + 1).fill(0));
          for (const [a, b] of PAIRS) m[a][b] = m[b][a] = r?.[`m${a}_${b}`] ?? 0;
          return m;
        });
      },
    });
  } catch (err) {
    // an aborted transaction refuses the drop too: report the first error (the table goes with the connection)
    await exec(conn, `drop table if exists ${table}`).catch(() => undefined);
    throw err;
  }
  await exec(conn, `drop table if exists ${table}`);
  return result;
}

const rate = (num: number, den: number) => (den > 0 ? num / den : null);

interface Tally {
  all: { n: number; left: number };
  bands: { n: number; left: number }[];
  states: { n: number; left: number }[];
  flags: { n: number; left: number }[];
  byScore: Map<number, { n: number; left: number }>;
}
const zero = () => ({ n: 0, left: 0 });
const newTally = (): Tally => ({ all: zero(), bands: BANDS.map(zero), states: STATES.map(zero), flags: RISK_FACTORS.map(zero), byScore: new Map() });
function add(t: Tally, c: Cell) {
  const plus = (to: { n: number; left: number }) => { to.n += c.n; to.left += c.left; };
  plus(t.all);
  if (c.band !== null) plus(t.bands[c.band]);
  if (c.state !== null) plus(t.states[c.state]);
  for (let k = 0; k < FEATURES; k++) if ((c.bits >> k) & 1) plus(t.flags[k]);
  let s = t.byScore.get(c.score);
  if (!s) t.byScore.set(c.score, (s = zero()));
  plus(s);
}

/** AUC from exits and stays per score. */
const aucOf = (byScore: ReadonlyMap<number, { n: number; left: number }>) =>
  aucOfCounts(new Map([...byScore].map(([score, c]) => [score, { pos: c.left, neg: c.n - c.left }])));

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

/** The three marts' rows from the counted labelled rows (marts.test.ts checks it on hand-worked rows). */
export async function backtestFigures(counts: LabelledCounts, weights: RiskWeights): Promise<BacktestResult> {
  const { dates, cells } = counts;
  // one tally per date, then the pooled one (when there is a date)
  const tallies = dates.map(newTally);
  if (dates.length) tallies.push(newTally());
  for (const c of cells) {
    add(tallies[c.date], c);
    add(tallies[dates.length], c);
  }
  const totalLeft = dates.length ? tallies[dates.length].all.left : 0;
  const warning = totalLeft < MIN_EXITS ? TOO_FEW_EXITS : null;
  const scopeDate = (i: number) => (i < dates.length ? dates[i] : null);

  // top decile: counted by score; the rows at a cut that falls inside one score's rows are counted by key
  const decile = tallies.map((t) => decileCut(t.byScore));
  const atCut = decile.flatMap((cut, i) => (cut.atCut ? [{ scope: i, date: i < dates.length ? i : null, ...cut.atCut }] : []));
  const leftAtCut = await counts.leftAtCut(atCut.map(({ date, score, take }) => ({ date, score, take })));
  const lifts = decile.map((cut, i) => {
    const k = atCut.findIndex((c) => c.scope === i);
    return liftOf(cut, cut.topLeft + (k >= 0 ? leftAtCut[k] : 0));
  });

  const backtest = tallies.map((t, i) => {
    const { n, left } = t.all;
    const out: Record<string, unknown> = {
      scope: i < dates.length ? 'date' : 'pooled',
      as_of_date: scopeDate(i),
      n_scored: n,
      n_left: left,
      n_excluded: i < dates.length ? counts.excluded[i] : counts.excluded.reduce((s, v) => s + v, 0),
      exit_rate: rate(left, n),
      auc: aucOf(t.byScore),
      top_decile_n: lifts[i].topN,
      top_decile_left: lifts[i].topLeft,
      top_decile_lift: lifts[i].lift,
    };
    BANDS.forEach((b, k) => {
      out[`n_${b}`] = t.bands[k].n;
      out[`exit_rate_${b}`] = rate(t.bands[k].left, t.bands[k].n);
    });
    STATES.forEach((st, k) => {
      out[`n_${st}`] = t.states[k].n;
      out[`exit_rate_${st}`] = rate(t.states[k].left, t.states[k].n);
    });
    out.warning = warning;
    return out;
  });

  // the fits: left ~ the eight flags on the rows grouped by flag pattern (summed in the order the rows
  // first show each pattern), null when the rows hold no exit or no stay; then intervals clustered by
  // employee (one person is a row at many dates, so the rows are not independent)
  const groupsBefore = (before: number): Group[] => {
    const byBits = new Map<number, Group & { n: number; events: number }>(counts.patterns.map((bits) => [bits, { x: flagsOf(bits), n: 0, events: 0 }]));
    for (const c of cells) {
      if (c.date >= before) continue;
      const g = byBits.get(c.bits)!;
      g.n += c.n;
      g.events += c.left;
    }
    return [...byBits.values()].filter((g) => g.n > 0);
  };
  const fitBefore = (before: number): LogisticFit | null => {
    const groups = groupsBefore(before);
    const n = groups.reduce((s, g) => s + g.n, 0);
    const left = groups.reduce((s, g) => s + g.events, 0);
    return left === 0 || left === n ? null : logisticFit(groups, FEATURES);
  };
  const older = dates.slice(0, Math.floor(dates.length / 2));
  const newer = dates.slice(Math.floor(dates.length / 2));
  const modelFits = [
    { before: dates.length, fit: warning ? null : fitBefore(dates.length) },
    { before: older.length, fit: warning || older.length === 0 ? null : fitBefore(older.length) },
  ];
  const toCluster = modelFits.filter((f) => f.fit?.cov);
  const meats = await counts.clusterMeat(toCluster.map((f) => ({
    before: f.before, probability: new Map(counts.patterns.map((bits) => [bits, fittedProbability(f.fit!, flagsOf(bits))])),
  })));
  const [pooledFit, trainFit] = modelFits.map((f) => {
    const k = toCluster.indexOf(f);
    if (!f.fit || k < 0) return f.fit;
    const idx = [0, ...f.fit.cols.map((c) => c + 1)];
    return clustered(f.fit, idx.map((a) => idx.map((b) => meats[k][a][b])), FEATURES);
  });

  const effects: Record<string, unknown>[] = [];
  tallies.forEach((t, i) => RISK_FACTORS.forEach((factor, k) => {
    const f = i < dates.length ? null : pooledFit;
    const withIt = t.flags[k];
    const without = { n: t.all.n - withIt.n, left: t.all.left - withIt.left };
    const rWith = rate(withIt.left, withIt.n);
    const rWithout = rate(without.left, without.n);
    effects.push({
      scope: i < dates.length ? 'date' : 'pooled', as_of_date: scopeDate(i), factor, factor_order: k + 1,
      n_with: withIt.n, n_left_with: withIt.left, exit_rate_with: rWith,
      n_without: without.n, n_left_without: without.left, exit_rate_without: rWithout,
      rate_ratio: rWith !== null && rWithout ? rWith / rWithout : null,
      coefficient: f?.coef[k + 1] ?? null, ci_lower: f?.lower[k + 1] ?? null, ci_upper: f?.upper[k + 1] ?? null,
      odds_ratio: f?.coef[k + 1] != null ? Math.exp(f.coef[k + 1]!) : null, warning,
    });
  }));

  // older half of the evaluable dates to fit, newer half to score; no date in both
  const train = { n: 0, left: 0 };
  const test = { n: 0, left: 0 };
  const testByPattern = new Map<number, { n: number; left: number }>();
  for (const c of cells) {
    const set = c.date < older.length ? train : test;
    set.n += c.n;
    set.left += c.left;
    if (set === test) {
      let p = testByPattern.get(c.bits);
      if (!p) testByPattern.set(c.bits, (p = zero()));
      p.n += c.n;
      p.left += c.left;
    }
  }
  /** The newer half's AUC of a score computed from the flags. */
  const testAuc = (scoreOf: (flags: number[]) => number) => {
    const byScore = new Map<number, { n: number; left: number }>();
    for (const [bits, c] of testByPattern) {
      const score = scoreOf(flagsOf(bits));
      let s = byScore.get(score);
      if (!s) byScore.set(score, (s = zero()));
      s.n += c.n;
      s.left += c.left;
    }
    return aucOf(byScore);
  };
  const configured = RISK_FACTORS.map((f) => weights[f]);
  const total = configured.reduce((s, v) => s + v, 0);
  const fittedPoints = trainFit ? pointsOf(trainFit.coef, total) : null;
  const aucConfigured = test.n ? testAuc((flags) => scoreWith(flags, configured)) : null;
  const aucFitted = trainFit ? testAuc((flags) => flags.reduce((s, x, k) => s + x * (trainFit.coef[k + 1] ?? 0), 0)) : null;
  const aucFittedPoints = fittedPoints ? testAuc((flags) => scoreWith(flags, fittedPoints)) : null;
  const weightsFitted = RISK_FACTORS.map((factor, k) => ({
    factor, factor_order: k + 1, configured_points: configured[k],
    fitted_coefficient: trainFit?.coef[k + 1] ?? null, ci_lower: trainFit?.lower[k + 1] ?? null, ci_upper: trainFit?.upper[k + 1] ?? null,
    fitted_points: fittedPoints?.[k] ?? null,
    fit_from: older[0] ?? null, fit_to: older.at(-1) ?? null, n_fit: train.n, n_left_fit: train.left,
    score_from: newer[0] ?? null, score_to: newer.at(-1) ?? null, n_scored: test.n, n_left_scored: test.left,
    auc_configured: aucConfigured, auc_fitted: aucFitted, auc_fitted_points: aucFittedPoints,
    warning: warning ?? (older.length === 0 ? 'no older half to fit on' : trainFit ? null : 'no exit (or no stay) in the older half'),
  }));
  return { risk_backtest: finite(backtest), risk_factor_effects: finite(effects), risk_weights_fitted: finite(weightsFitted) };
}

/** Rows with every number that is not finite (an odds ratio past the largest double, say) as null: what the marts store and the dashboard serves. */
const finite = (rows: Record<string, unknown>[]) => rows.map((r) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? null : v])));

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
    params[`p${i}_${j}`] = v === undefined ? null : v as string | number | boolean | null;
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
  const { figures, dates, exits } = await withLabelledCounts(conn, opts.asOf, settings.backtestHorizonMonths, undefined, async (counts) => ({
    figures: await backtestFigures(counts, settings.riskWeights), dates: counts.dates, exits: counts.cells.reduce((s, c) => s + c.left, 0),
  }));
  for (const name of BACKTEST_MARTS) await writeTable(conn, name, COLUMNS[name], figures[name]);
  const tests = await testModels(conn, martModels());
  return { tests, evaluableDates: dates.length, exits };
}
