// Overview trend: run_history rows (one per successful run) → one point per run and measure.
import type { TrendPoint } from './charts/runTrend.ts';

/** run_history columns drawn on the trend, with their legend labels (shares 0–1). */
export const TREND_MEASURES: Record<string, string> = {
  no_path_share: 'No-path share',
  high_risk_share: 'High-risk share',
  succession_readiness_rate: 'Succession readiness rate',
};

export function trendPoints(rows: Record<string, string | number | null>[]): TrendPoint[] {
  return rows.flatMap((r) => Object.entries(TREND_MEASURES)
    .filter(([key]) => typeof r[key] === 'number')
    .map(([key, measure]) => ({ as_of: String(r.as_of), measure, value: r[key] as number })));
}
