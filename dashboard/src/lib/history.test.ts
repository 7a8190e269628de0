import { describe, expect, it } from 'vitest';
import { notEstimable, timesInTen, verdictOf } from './history.ts';

describe('notEstimable', () => {
  it('marks a coefficient of 10 or more either way (a separated fit), not an ordinary one or none', () => {
    // the stored backtest of a 400-person org (history.test.ts's): no_path fitted at 24.97 on the older half, where
    // only people with no path left; plan_only at -25.9 pooled, where nobody with a plan only left
    expect(notEstimable(24.97)).toBe(true);
    expect(notEstimable(-25.9)).toBe(true);
    expect(notEstimable(10)).toBe(true);
    expect(notEstimable(9.99)).toBe(false);
    expect(notEstimable(-0.81)).toBe(false);
    expect(notEstimable(null)).toBe(false);
    expect(notEstimable(Number.NaN)).toBe(false);
  });
});

describe('verdictOf and timesInTen', () => {
  it('words the AUC by the documented thresholds', () => {
    expect(verdictOf(0.8)?.word).toBe('works well');
    expect(verdictOf(0.65)?.word).toBe('works');
    expect(verdictOf(0.6)?.word).toBe('works weakly');
    expect(verdictOf(0.5)?.word).toBe('does not work');
    expect(verdictOf(null)).toBeNull();
    expect(timesInTen(0.66)).toBe(7);
  });
});
