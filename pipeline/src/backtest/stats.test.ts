import { describe, expect, it } from 'vitest';
import { Rng } from '../../../fixtures/generator/prng.ts';
import { auc, clustered, groupRows, logisticFit, logisticFitClustered, topDecileLift } from './stats.ts';

describe('auc', () => {
  it('counts a tie between an exit and a stay as one half (worked by hand)', () => {
    // exits score 20 and 30; stays 10, 20, 0. Pairs: 20>10, 20=20 (½), 20>0, 30>10, 30>20, 30>0 = 5.5 of 6
    expect(auc([10, 20, 20, 30, 0], [false, true, false, true, false])).toBeCloseTo(5.5 / 6, 12);
  });
  it('is 1 for a perfect ranking, 0 for a reversed one, ½ when every score ties, null without both classes', () => {
    expect(auc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
    expect(auc([4, 3, 2, 1], [false, false, true, true])).toBe(0);
    expect(auc([7, 7, 7], [true, false, false])).toBe(0.5);
    expect(auc([1, 2], [false, false])).toBeNull();
  });
});

describe('topDecileLift', () => {
  it('takes ceil(10 %) rows, breaking ties at the cut by key (worked by hand)', () => {
    // 20 rows, 4 exits overall (rate 0.2); top decile = 2 rows: score 90 (E05, left) then the 80s tie:
    // E02 (stayed) ranks before E09 (left), so the top decile holds 1 exit: (1/2) / 0.2 = 2.5
    const rows = Array.from({ length: 20 }, (_, i) => ({ score: 10, left: false, key: `E${String(i + 1).padStart(2, '0')}` }));
    rows[4] = { score: 90, left: true, key: 'E05' };
    rows[1] = { score: 80, left: false, key: 'E02' };
    rows[8] = { score: 80, left: true, key: 'E09' };
    rows[12].left = true;
    rows[15].left = true;
    const r = topDecileLift(rows);
    expect(r).toEqual({ lift: 2.5, topN: 2, topLeft: 1 });
    // the other tie-break would have given 2 exits: the order of the key matters
    rows[8].key = 'E01';
    expect(topDecileLift(rows).lift).toBe(5);
  });
  it('is null without exits', () => {
    expect(topDecileLift([{ score: 1, left: false, key: 'a' }]).lift).toBeNull();
  });
});

describe('logisticFit', () => {
  it('one binary feature gives the log odds ratio and its textbook standard error (worked by hand)', () => {
    // x=0: 10 of 100 leave; x=1: 15 of 50. β0 = log(10/90), β1 = log((15/35)/(10/90)),
    // SE(β1) = sqrt(1/15 + 1/35 + 1/10 + 1/90)
    const fit = logisticFit([{ x: [0], n: 100, events: 10 }, { x: [1], n: 50, events: 15 }], 1);
    expect(fit.converged).toBe(true);
    expect(fit.coef[0]).toBeCloseTo(Math.log(10 / 90), 8);
    expect(fit.coef[1]).toBeCloseTo(Math.log((15 / 35) / (10 / 90)), 8);
    const se = Math.sqrt(1 / 15 + 1 / 35 + 1 / 10 + 1 / 90);
    expect(fit.se[1]).toBeCloseTo(se, 8);
    expect(fit.lower[1]).toBeCloseTo(Math.log((15 / 35) / (10 / 90)) - 1.959963984540054 * se, 8);
    expect(fit.upper[1]).toBeCloseTo(Math.log((15 / 35) / (10 / 90)) + 1.959963984540054 * se, 8);
  });

  it('leaves out a feature that never varies', () => {
    const fit = logisticFit([{ x: [0, 1], n: 100, events: 10 }, { x: [1, 1], n: 50, events: 15 }], 2);
    expect(fit.coef[2]).toBeNull();
    expect(fit.se[2]).toBeNull();
    expect(fit.coef[1]).toBeCloseTo(Math.log((15 / 35) / (10 / 90)), 8);
  });

  it('gives the same fit from grouped and ungrouped rows', () => {
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => ({ x: [0, i % 2], event: i % 5 === 0 })),
      ...Array.from({ length: 20 }, (_, i) => ({ x: [1, i % 3 === 0 ? 1 : 0], event: i % 3 === 0 })),
    ];
    const grouped = logisticFit(groupRows(rows), 2);
    const single = logisticFit(rows.map((r) => ({ x: r.x, n: 1, events: r.event ? 1 : 0 })), 2);
    for (let k = 0; k < 3; k++) expect(grouped.coef[k]).toBeCloseTo(single.coef[k]!, 8);
  });

  // Data drawn from a known model: the fit recovers the coefficients, and its 95 % intervals cover them
  // about 95 % of the time over many samples (so the standard errors are neither too small nor too large).
  it('recovers a known generating model and its intervals cover the truth about 95 % of the time', () => {
    const truth = [-2, 0.7, 0.4, -0.3, 0];
    const prevalence = [0.3, 0.5, 0.2, 0.4];
    const draw = (seed: number, n: number) => {
      const rng = new Rng(seed);
      const rows: { x: number[]; event: boolean }[] = [];
      for (let i = 0; i < n; i++) {
        const x: number[] = prevalence.map((p) => (rng.chance(p) ? 1 : 0));
        const z = truth[0] + x.reduce((s, v, k) => s + v * truth[k + 1], 0);
        rows.push({ x, event: rng.chance(1 / (1 + Math.exp(-z))) });
      }
      return groupRows(rows);
    };
    const big = logisticFit(draw(7, 50_000), 4);
    for (let k = 0; k < truth.length; k++) {
      expect(Math.abs(big.coef[k]! - truth[k])).toBeLessThan(3 * big.se[k]!);
      expect(big.se[k]!).toBeLessThan(0.06);
    }
    let covered = 0;
    let total = 0;
    for (let s = 1; s <= 200; s++) {
      const fit = logisticFit(draw(1000 + s, 2000), 4);
      for (let k = 1; k < truth.length; k++) {
        total++;
        if (fit.lower[k]! <= truth[k] && truth[k] <= fit.upper[k]!) covered++;
      }
    }
    expect(covered / total).toBeGreaterThan(0.92);
    expect(covered / total).toBeLessThan(0.98);
  });

  it('cluster-robust errors: with one row per cluster they equal the model-based ones of a saturated fit; a row seen twice in its cluster adds nothing', () => {
    const rows = [
      ...Array.from({ length: 100 }, (_, i) => ({ x: [0], event: i < 10, cluster: `a${i}` })),
      ...Array.from({ length: 50 }, (_, i) => ({ x: [1], event: i < 15, cluster: `b${i}` })),
    ];
    const se = Math.sqrt(1 / 15 + 1 / 35 + 1 / 10 + 1 / 90);
    const single = logisticFitClustered(rows, 1);
    expect(single.se[1]).toBeCloseTo(se, 8);
    // every person twice (two dates, same flags, same outcome): model-based SE shrinks by √2, the clustered one does not
    const twice = logisticFitClustered([...rows, ...rows], 1);
    expect(twice.coef[1]).toBeCloseTo(single.coef[1]!, 8);
    expect(twice.se[1]).toBeCloseTo(se, 8);
    expect(logisticFit(groupRows([...rows, ...rows]), 1).se[1]).toBeCloseTo(se / Math.SQRT2, 8);
  });

  it('cluster-robust errors: a variance rounded below zero gives no standard error and no interval, not NaN', () => {
    const fit = logisticFit([{ x: [0], n: 100, events: 10 }, { x: [1], n: 50, events: 15 }], 1);
    // B M B with M = [[2, 0], [0, -1]]: the flag's variance is 2 B01² − B11² < 0 here (B = [[2, −2], [−2, 3.71]] / 18),
    // the intercept's 2 B00² − B01² > 0
    const robust = clustered(fit, [[2, 0], [0, -1]], 1);
    expect(robust.se[1]).toBeNull();
    expect([robust.lower[1], robust.upper[1]]).toEqual([null, null]);
    expect(robust.se[0]).toBeCloseTo(Math.sqrt(2 * fit.cov![0][0] ** 2 - fit.cov![0][1] ** 2), 12);
    expect(robust.coef).toEqual(fit.coef);
  });
});
