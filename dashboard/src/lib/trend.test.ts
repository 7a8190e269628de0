// trendPoints: run_history rows of the overview answer → one chart point per run and measure.
import { describe, expect, it } from 'vitest';
import { trendPoints } from './trend.ts';

describe('trendPoints', () => {
  it.each([
    ['every measure of a row', [{ as_of: '2026-03-31', no_path_share: 0.5, high_risk_share: 0.1, succession_readiness_rate: 0.4 }],
      [{ as_of: '2026-03-31', measure: 'No-path share', value: 0.5 }, { as_of: '2026-03-31', measure: 'High-risk share', value: 0.1 },
        { as_of: '2026-03-31', measure: 'Succession readiness rate', value: 0.4 }]],
    ['a null measure is left out (no critical roles)', [{ as_of: '2026-03-31', no_path_share: 0.5, high_risk_share: 0.1, succession_readiness_rate: null }],
      [{ as_of: '2026-03-31', measure: 'No-path share', value: 0.5 }, { as_of: '2026-03-31', measure: 'High-risk share', value: 0.1 }]],
    ['counts are not drawn', [{ as_of: '2026-03-31', headcount: 10, n_no_path: 5 }], []],
    ['no runs, no points', [], []],
  ])('%s', (_name, rows, points) => {
    expect(trendPoints(rows)).toEqual(points);
  });
});
