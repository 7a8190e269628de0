// The one number format of the dashboard, kind by kind (table-driven), and the labels of codes.
import { describe, expect, it } from 'vitest';
import { fmtInt, fmtNum, fmtPct, formatNumber, humanize, type NumberKind } from './format.ts';

describe('formatNumber', () => {
  it.each<[NumberKind, unknown, string]>([
    ['count', 0, '0'],
    ['count', 1234, '1,234'],
    ['count', 2.6, '3'],
    ['count', -0.2, '0'],
    ['share', 0.29, '29.0%'],
    ['share', 0.5435, '54.4%'],
    ['share', 1, '100.0%'],
    ['share', 0, '0.0%'],
    ['percent', 29, '29.0%'],
    ['percent', 54.35, '54.4%'],
    ['percent', 100, '100.0%'],
    ['decimal', 1.5, '1.50'],
    ['decimal', 2, '2.00'],
    ['decimal', 1 / 3, '0.33'],
    ['decimal', 0.125, '0.13'],
    ['decimal', 0.6, '0.60'],
    ['decimal', 1234.5, '1,234.50'],
    ['score', 41.25, '41.3'],
    ['score', 40, '40.0'],
    ['score', -0.04, '0.0'],
  ])('%s %s → %s', (kind, v, shown) => {
    expect(formatNumber(v, kind)).toBe(shown);
  });

  it.each<[unknown, string]>([[null, '—'], [undefined, '—'], [Number.NaN, '—'], [Number.POSITIVE_INFINITY, '—'], ['n/a', 'n/a']])(
    'non-figures: %s → %s in every kind', (v, shown) => {
      for (const kind of ['count', 'share', 'percent', 'decimal', 'score'] as const) expect(formatNumber(v, kind)).toBe(shown);
    });

  it('the short names are the kinds', () => {
    expect([fmtInt(1234.4), fmtPct(0.125), fmtNum(1.5)]).toEqual(['1,234', '12.5%', '1.50']);
  });
});

describe('humanize', () => {
  it.each([['no_path', 'No path'], ['ready_1_2_years', 'Ready in 1–2 years'], ['default_next', 'Suggested next step'],
    ['some_new_state', 'Some new state']])('%s → %s', (code, label) => {
    expect(humanize(code)).toBe(label);
  });
});
