// The backtest marts on hand-made inputs with answers worked by hand: a small history_retention_risk,
// history_dates and stg_employees in a real DuckDB file, built and .yml-tested by buildBacktest as a run
// does it; and the fit path (≥ 30 exits) on rows whose coefficients are known in closed form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, exec, openDb, type Db } from '../db.ts';
import { DEFAULT_RISK_WEIGHTS, RISK_FACTORS } from '../model-settings.ts';
import { discoverModels, tableRefs } from '../models.ts';
import { BACKTEST_DIR, BACKTEST_READS, BANDS, backtestFigures, buildBacktest, pointsOf, STATES, withLabelledCounts, TOO_FEW_EXITS, type BacktestResult, type Cell, type LabelledCounts } from './marts.ts';

const AS_OF = '2026-06-30';

/** One employee at one evaluable date, with the label (rows held in memory, for countRows). */
interface Labelled {
  asOfDate: string;
  employeeId: string;
  pathState: string;
  score: number;
  band: string;
  /** The eight flags as 0/1 (a factor that is off, null, counts 0 as in the score). */
  flags: number[];
  left: boolean;
}


/** The same counts from rows held in memory (tests: hand-made rows), patterns in the rows' order. */
function countRows(dates: string[], rows: readonly Labelled[], excluded: ReadonlyMap<string, number> = new Map()): LabelledCounts {
  const index = new Map(dates.map((d, i) => [d, i]));
  const bitsOf = (r: Labelled) => r.flags.reduce((s, f, k) => s + f * 2 ** k, 0);
  const cells = new Map<string, Cell>();
  const patterns: number[] = [];
  for (const r of rows) {
    const date = index.get(r.asOfDate);
    if (date === undefined) continue;
    const bits = bitsOf(r);
    const band = BANDS.indexOf(r.band as never);
    const state = STATES.indexOf(r.pathState as never);
    const key = `${date},${r.score},${band},${state},${bits}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { date, score: r.score, band: band < 0 ? null : band, state: state < 0 ? null : state, bits, n: 0, left: 0 }));
    c.n++;
    if (r.left) c.left++;
    if (!patterns.includes(bits)) patterns.push(bits);
  }
  return {
    dates, cells: [...cells.values()], excluded: dates.map((d) => excluded.get(d) ?? 0), patterns,
    async leftAtCut(cuts) {
      return cuts.map((c) => rows.filter((r) => r.score === c.score && index.has(r.asOfDate) && (c.date === null || index.get(r.asOfDate) === c.date))
        .sort((a, b) => (a.employeeId < b.employeeId ? -1 : a.employeeId > b.employeeId ? 1 : a.asOfDate < b.asOfDate ? -1 : a.asOfDate > b.asOfDate ? 1 : 0))
        .slice(0, c.take).filter((r) => r.left).length);
    },
    async clusterMeat(fits) {
      return fits.map((f) => {
        const sums = new Map<string, number[]>();
        for (const r of rows) {
          const date = index.get(r.asOfDate);
          if (date === undefined || date >= f.before) continue;
          const res = (r.left ? 1 : 0) - f.probability.get(bitsOf(r))!;
          let s = sums.get(r.employeeId);
          if (!s) sums.set(r.employeeId, (s = new Array<number>(RISK_FACTORS.length + 1).fill(0)));
          s[0] += res;
          for (let k = 0; k < RISK_FACTORS.length; k++) s[k + 1] += r.flags[k] * res;
        }
        const m = Array.from({ length: RISK_FACTORS.length + 1 }, () => new Array<number>(RISK_FACTORS.length + 1).fill(0));
        for (const s of sums.values()) for (let i = 0; i <= RISK_FACTORS.length; i++) for (let j = 0; j <= RISK_FACTORS.length; j++) m[i][j] += s[i] * s[j];
        return m;
      });
    },
  };
}

/** The minimal inputs: the columns the backtest reads, as the history models and staging name them. */
async function smallHistory(conn: DuckDBConnection): Promise<void> {
  await exec(conn, `create table history_dates as select * from (values (date '2025-11-30'), (date '2025-12-31'), (date '2026-06-30')) t(as_of_date)`);
  await exec(conn, `create table stg_employees as select * from (values
      ('E1', date '2026-03-01', 'voluntary'),
      ('E2', null, null),
      ('E3', null, null),
      ('E4', date '2026-02-01', 'involuntary'),
      ('E5', date '2026-06-15', 'voluntary')
    ) t(employee_id, termination_date, termination_type)`);
  await exec(conn, `create table int_risk_weights as select 25 as no_path_points, 10 as plan_only_points, 20 as stalled_points,
    15 as low_pulse_points, 15 as pulse_drop_points, 10 as checkins_lapsed_points, 10 as no_career_talk_points, 10 as high_performer_off_path_points`);
  const row = (d: string, e: string, state: string, score: number, band: string, on: string[]) =>
    `(date '${d}', '${e}', '${state}', ${score}, '${band}', ${RISK_FACTORS.map((f) => (on.includes(f) ? 'true' : 'false')).join(', ')})`;
  const people = (d: string) => [
    row(d, 'E1', 'no_path', 45, 'medium', ['no_path', 'stalled']),
    row(d, 'E2', 'plan_only', 10, 'low', ['plan_only']),
    row(d, 'E3', 'on_path', 0, 'low', []),
    row(d, 'E4', 'no_path', 25, 'medium', ['no_path']),
    row(d, 'E5', 'on_path', 10, 'low', ['checkins_lapsed']),
  ];
  // at 2026-06-30 E1 and E4 have left: not active, no row
  const rows = [...people('2025-11-30'), ...people('2025-12-31'),
    row('2026-06-30', 'E2', 'plan_only', 10, 'low', ['plan_only']), row('2026-06-30', 'E3', 'on_path', 0, 'low', []),
    row('2026-06-30', 'E5', 'on_path', 10, 'low', ['checkins_lapsed'])];
  await exec(conn, `create table history_retention_risk as select * from (values ${rows.join(', ')})
    t(as_of_date, employee_id, path_state, score, band, ${RISK_FACTORS.join(', ')})`);
}

describe('BACKTEST_READS', () => {
  it('names every model the backtest\'s SQL reads (a run starts it once they are built)', () => {
    const models = new Set(discoverModels().map((m) => m.name));
    const read = tableRefs(fs.readFileSync(path.join(BACKTEST_DIR, 'marts.ts'), 'utf8')).filter((t) => models.has(t));
    expect(read).toEqual([...BACKTEST_READS].sort());
  });
});

describe('buildBacktest on a hand-made history', () => {
  let db: Db;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    db = await openDb(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-backtest-')), 'trellis.duckdb'));
    conn = await db.connect();
    await smallHistory(conn);
    await buildBacktest(conn, { asOf: AS_OF });
  });
  afterAll(() => { conn.closeSync(); db.close(); });

  it('labels, counts and ranks each evaluable date and the pool (worked by hand)', async () => {
    // Evaluable: T + 6 months <= 2026-06-30: 2025-11-30 (to 2026-05-30) and 2025-12-31 (to 2026-06-30); not 2026-06-30.
    // E4's involuntary exit is left out of both classes. E5 leaves 2026-06-15: after the first window, in the second.
    // 2025-11-30: E1 45 left; E2 10, E3 0, E5 10 stayed: AUC 1; top decile 1 row (E1): 1 / (1/4) = 4
    // 2025-12-31: E1 45 and E5 10 left; E2 10, E3 0 stayed: AUC (2 + ½ + 1) / 4 = 0.875; top E1: 1 / (2/4) = 2
    // pooled: exits 45, 45, 10 against stays 10, 0, 10, 10, 0: (5 + 5 + 3 × ½ + 2) / 15 = 0.9; top decile 1 row of the
    //   two 45s, ties by employee_id then date: E1 at 2025-11-30, left: 1 / (3/8) = 8/3
    const rows = await all(conn, `select scope, strftime(as_of_date, '%Y-%m-%d') as as_of_date, n_scored, n_left, n_excluded, auc,
      top_decile_n, top_decile_lift, exit_rate_medium, exit_rate_low, exit_rate_on_path, n_no_path, warning
      from risk_backtest order by scope, as_of_date`);
    expect(rows).toEqual([
      { scope: 'date', as_of_date: '2025-11-30', n_scored: 4, n_left: 1, n_excluded: 1, auc: 1, top_decile_n: 1, top_decile_lift: 4,
        exit_rate_medium: 1, exit_rate_low: 0, exit_rate_on_path: 0, n_no_path: 1, warning: TOO_FEW_EXITS },
      { scope: 'date', as_of_date: '2025-12-31', n_scored: 4, n_left: 2, n_excluded: 1, auc: 0.875, top_decile_n: 1, top_decile_lift: 2,
        exit_rate_medium: 1, exit_rate_low: 1 / 3, exit_rate_on_path: 0.5, n_no_path: 1, warning: TOO_FEW_EXITS },
      { scope: 'pooled', as_of_date: null, n_scored: 8, n_left: 3, n_excluded: 2, auc: 0.9, top_decile_n: 1, top_decile_lift: 8 / 3,
        exit_rate_medium: 1, exit_rate_low: 1 / 6, exit_rate_on_path: 0.25, n_no_path: 2, warning: TOO_FEW_EXITS },
    ]);
  });

  it('gives each flag its exit rate with and without it; no fit with fewer than 30 exits', async () => {
    // pooled no_path: E1 twice, both left (1); without: 6 rows, E5 at 2025-12-31 left (1/6): ratio 6
    const rows = await all(conn, `select factor, n_with, exit_rate_with, exit_rate_without, rate_ratio, coefficient from risk_factor_effects
      where scope = 'pooled' and factor in ('no_path', 'checkins_lapsed', 'low_pulse') order by factor_order`);
    expect(rows).toEqual([
      { factor: 'no_path', n_with: 2, exit_rate_with: 1, exit_rate_without: 1 / 6, rate_ratio: 6, coefficient: null },
      { factor: 'low_pulse', n_with: 0, exit_rate_with: null, exit_rate_without: 3 / 8, rate_ratio: null, coefficient: null },
      // E5 twice, left once: 1/2; without 6 rows, E1 twice: 2/6
      { factor: 'checkins_lapsed', n_with: 2, exit_rate_with: 0.5, exit_rate_without: 1 / 3, rate_ratio: 1.5, coefficient: null },
    ]);
    const fitted = await all(conn, `select factor, configured_points, fitted_points, strftime(fit_to, '%Y-%m-%d') as fit_to,
      strftime(score_from, '%Y-%m-%d') as score_from, auc_configured, auc_fitted, warning from risk_weights_fitted where factor = 'no_path'`);
    // older half = 2025-11-30, newer = 2025-12-31, whose AUC with the configured points is that date's 0.875
    expect(fitted).toEqual([{ factor: 'no_path', configured_points: 25, fitted_points: null, fit_to: '2025-11-30', score_from: '2025-12-31',
      auc_configured: 0.875, auc_fitted: null, warning: TOO_FEW_EXITS }]);
  });
});

describe('backtestFigures with enough exits', () => {
  // Each date: no_path on 50 rows of which 15 leave, off on 100 of which 10 leave (nothing else set). The
  // fit is the 2×2 table's: coefficient log((15/35) / (10/90)), SE sqrt(1/15 + 1/35 + 1/10 + 1/90).
  const dates = ['2025-01-31', '2025-02-28'];
  const rows: Labelled[] = dates.flatMap((d) => Array.from({ length: 150 }, (_, i) => {
    const onPath = i >= 50;
    return {
      asOfDate: d, employeeId: `E${String(i).padStart(3, '0')}`, pathState: onPath ? 'on_path' : 'no_path', score: onPath ? 0 : 25,
      band: onPath ? 'low' : 'medium', flags: RISK_FACTORS.map((f) => (f === 'no_path' && !onPath ? 1 : 0)),
      left: onPath ? i < 60 : i < 15,
    };
  }));
  let figures: BacktestResult;
  let fromSql: BacktestResult;
  let db: Db;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    figures = await backtestFigures(countRows(dates, rows), DEFAULT_RISK_WEIGHTS);
    // the same rows as tables, counted by SQL (withLabelledCounts): a voluntary exit between the two dates' windows' ends
    db = await openDb(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-backtest-')), 'trellis.duckdb'));
    conn = await db.connect();
    await exec(conn, `create table history_dates as select * from (values ${dates.map((d) => `(date '${d}')`).join(', ')}) t(as_of_date)`);
    const people = rows.filter((r) => r.asOfDate === dates[0]);
    await exec(conn, `create table stg_employees as select * from (values ${people.map((r) =>
      (r.left ? `('${r.employeeId}', date '2025-03-15', 'voluntary')` : `('${r.employeeId}', null::date, null::varchar)`)).join(', ')})
      t(employee_id, termination_date, termination_type)`);
    await exec(conn, `create table history_retention_risk as select * from (values ${rows.map((r) => `(date '${r.asOfDate}', '${r.employeeId}',
      '${r.pathState}', ${r.score}, '${r.band}', ${r.flags.map((f) => (f ? 'true' : 'false')).join(', ')})`).join(', ')})
      t(as_of_date, employee_id, path_state, score, band, ${RISK_FACTORS.join(', ')})`);
    fromSql = await withLabelledCounts(conn, AS_OF, 6, undefined, (counts) => backtestFigures(counts, DEFAULT_RISK_WEIGHTS));
  });
  afterAll(() => { conn.closeSync(); db.close(); });

  it('fits the pooled coefficient with its interval, and the older half for the weights', () => {
    const b = Math.log((15 / 35) / (10 / 90));
    const se1 = Math.sqrt(1 / 15 + 1 / 35 + 1 / 10 + 1 / 90);
    const pooled = figures.risk_factor_effects.find((r) => r.scope === 'pooled' && r.factor === 'no_path')!;
    expect(pooled.coefficient).toBeCloseTo(b, 8);
    // each person is a row at both dates with the same flags and outcome: clustered by employee, the
    // interval is that of one date (model-based errors would shrink it by √2 as if the rows were new people)
    expect(pooled.ci_upper as number - (pooled.coefficient as number)).toBeCloseTo(1.959963984540054 * se1, 8);
    expect(pooled.warning).toBeNull();
    // a flag that never fires is left out of the fit
    expect(figures.risk_factor_effects.find((r) => r.scope === 'pooled' && r.factor === 'stalled')!.coefficient).toBeNull();
    const w = figures.risk_weights_fitted.find((r) => r.factor === 'no_path')!;
    expect(w.fitted_coefficient).toBeCloseTo(b, 8);
    expect(w.ci_upper as number - b).toBeCloseTo(1.959963984540054 * se1, 8);
    // the only positive coefficient takes all the configured points (115), at most 100
    expect(w.fitted_points).toBe(100);
    expect(figures.risk_weights_fitted.find((r) => r.factor === 'stalled')!.fitted_points).toBe(0);
    // on the newer date both weightings rank alike: (15 × 90 + ½ × 0) / (25 × 125)... by hand: exits 15 at 25 and 10 at 0;
    // stays 35 at 25 and 90 at 0: (15 × 90 + ½ × 15 × 35 + ½ × 10 × 90) / (25 × 125)
    const expected = (15 * 90 + 0.5 * 15 * 35 + 0.5 * 10 * 90) / (25 * 125);
    expect(w.auc_configured).toBeCloseTo(expected, 12);
    expect(w.auc_fitted).toBeCloseTo(expected, 12);
    expect(w.auc_fitted_points).toBeCloseTo(expected, 12);
  });

  it('gives the same figures from counts taken in SQL as from the rows in memory', () => {
    // the top decile (15 of 150 rows per date, 30 of 300 pooled) cuts inside the 25s (50 per date): by employee_id, then
    // date (pooled: E000–E014 at both dates, all left; by date first it would be E000–E029 at the first, 15 left)
    expect(fromSql.risk_backtest.map((r) => r.top_decile_left)).toEqual([15, 15, 30]);
    for (const name of ['risk_backtest', 'risk_factor_effects', 'risk_weights_fitted'] as const) {
      expect(fromSql[name].length).toBe(figures[name].length);
      fromSql[name].forEach((row, i) => {
        const want = figures[name][i];
        expect(Object.keys(row)).toEqual(Object.keys(want));
        // the clustered sums are Kahan sums in SQL: equal up to the last bits
        for (const [k, v] of Object.entries(row)) {
          if (typeof v === 'number' && !Number.isInteger(v)) expect(v).toBeCloseTo(want[k] as number, 12);
          else expect(v).toEqual(want[k]);
        }
      });
    }
  });

  it('turns coefficients into points on the configured total', () => {
    expect(pointsOf([0, 1, -1, 1, 2, null, 0, 0, 0], 100)).toEqual([25, 0, 25, 50, 0, 0, 0, 0]);
  });
});
