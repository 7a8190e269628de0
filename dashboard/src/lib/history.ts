// History (GET /api/overview/history) and the risk backtest (GET /api/retention/backtest) on the client:
// the trend's measures, and the backtest's verdict in plain words (thresholds in docs/dashboard.md
// "Does the score work?").
import type { NumberKind } from './format.ts';

export type HistoryRow = Record<string, string | number | null>;
export interface HistoryAnswer { scope: 'org' | 'subtree'; rows: HistoryRow[]; asOf: string | null }

/** A measure of history_overview as drawn: its column (or a function of the row), label and number kind. */
export interface TrendMeasure { key: string; label: string; kind: NumberKind; value?: (r: HistoryRow) => number | null }

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The Overview's trend: headcount, no-path share, high-risk count, readiness rate, exits per month. */
export const OVERVIEW_TREND: TrendMeasure[] = [
  { key: 'n_active', label: 'Active employees', kind: 'count' },
  { key: 'no_path_share', label: 'No-path share', kind: 'share' },
  { key: 'n_risk_high', label: 'High retention risk', kind: 'count' },
  { key: 'succession_readiness_rate', label: 'Succession readiness rate', kind: 'share' },
  { key: 'n_exits', label: 'Exits in the month', kind: 'count' },
];

export interface SparkPoint { as_of: string; value: number }

/** One measure's points, oldest first; dates where it is null are left out. */
export function seriesOf(rows: HistoryRow[], m: TrendMeasure): SparkPoint[] {
  return rows.flatMap((r) => {
    const v = m.value ? m.value(r) : num(r[m.key]);
    return v === null ? [] : [{ as_of: String(r.as_of_date), value: v }];
  });
}

/** AUC bands of the verdict (lower bounds), strongest first. */
export const AUC_VERDICTS = [
  { min: 0.75, word: 'works well', text: 'it ranks people who later left clearly above those who stayed' },
  { min: 0.65, word: 'works', text: 'it ranks people who later left above those who stayed more often than not, by a useful margin' },
  { min: 0.55, word: 'works weakly', text: 'it ranks people who later left only a little better than chance' },
  { min: -Infinity, word: 'does not work', text: 'it ranks people who later left no better than chance' },
] as const;

/** The verdict of a pooled AUC (null: no AUC, e.g. no exit at all). */
export function verdictOf(auc: number | null | undefined) {
  if (auc == null || !Number.isFinite(auc)) return null;
  return AUC_VERDICTS.find((v) => auc >= v.min)!;
}

/** "7 times in 10": the AUC as how often a leaver is ranked above a stayer, to the nearest tenth. */
export function timesInTen(auc: number): number {
  return Math.round(auc * 10);
}

/** A coefficient this large (an odds ratio beyond e¹⁰ ≈ 22,000, or below its inverse) is a fit pushed towards infinity, not an estimate. */
export const NOT_ESTIMABLE_ABOVE = 10;

/**
 * Whether a fitted coefficient is one the data cannot pin down: at least NOT_ESTIMABLE_ABOVE in size, because
 * the people with (or without) the flag in the fitted dates all left or all stayed (separation) and the fit only
 * stopped pushing it further. Its value, its interval and the points made from it say nothing. False without one.
 */
export function notEstimable(coefficient: unknown): boolean {
  const c = num(coefficient);
  return c !== null && Math.abs(c) >= NOT_ESTIMABLE_ABOVE;
}

type Row = Record<string, string | number | null>;
/** GET /api/retention/backtest. */
export interface Backtest {
  built: boolean;
  scope: 'org' | 'subtree';
  horizonMonths: number | null;
  minExits: number;
  tooFewExits: string;
  asOf: string | null;
  risk_backtest: Row[];
  risk_factor_effects: Row[];
  risk_weights_fitted: Row[];
}

/** Sparklines on the Succession page. */
export const SUCCESSION_TREND: TrendMeasure[] = [
  { key: 'succession_readiness_rate', label: 'Succession readiness rate', kind: 'share' },
  { key: 'bench_strength_index', label: 'Bench strength index', kind: 'decimal' },
];
/** Sparklines on the Skill gaps page. */
export const SKILL_GAP_TREND: TrendMeasure[] = [
  { key: 'mean_current_role_coverage', label: 'Mean coverage of current role', kind: 'share' },
];
