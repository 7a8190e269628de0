import { describe, expect, it } from 'vitest';
import { checks, historyCheck, type SizeResult } from './report.ts';

/** A 100k result with only what the issue-13 checks read filled in meaningfully; `noHistoryMs`: the run with history off. */
function result(o: { processWallMs: number; wallMs: number; floorMs: number; noHistoryMs?: number; employees?: number }): SizeResult {
  return {
    employees: o.employees ?? 100_000, format: 'csv', rows: 1, inputBytes: 1,
    loadAverage: { before: [0, 0, 0], after: [0, 0, 0] },
    full: {
      processWallMs: o.processWallMs, wallMs: o.wallMs, cpuMs: 2 * o.wallMs, timings: {}, maxRssMb: 100, models: 1, tests: 1, rowsPerSecond: 1,
      phases: {
        datasets: [], readMs: 0, validateMs: 0, modelsMs: o.wallMs, testsMs: 0, commitMs: 0, slowestModels: [],
        cpuMs: { read: 0, validate: 0, models: 0, tests: 0, commit: 0 },
      },
    },
    floor: { wallMs: o.floorMs, cpuMs: o.floorMs, maxRssMb: 1, perFile: [] },
    loadVsFloor: 1,
    noChange: { wallMs: 1, status: 'no_change', maxRssMb: 1 },
    noHistory: o.noHistoryMs === undefined ? undefined : { wallMs: o.noHistoryMs, cpuMs: o.noHistoryMs, maxRssMb: 1 },
  };
}

describe('issue 13 checks', () => {
  it('holds the whole run, process start to exit, to 4× the floor', () => {
    const at = (processWallMs: number) => checks(result({ processWallMs, wallMs: 9000, floorMs: 2500 }))
      .find((c) => c.target.startsWith('whole run'))!;
    expect(at(10_000)).toMatchObject({ ok: true, value: '4.0×' });
    expect(at(10_001).ok).toBe(false);
  });

  it('measures what history and the backtest add against the same run with history off', () => {
    // 36 s with history, 24 s without: 12 / 24 = 50 %
    expect(historyCheck(result({ processWallMs: 1, wallMs: 36_000, floorMs: 1, noHistoryMs: 24_000 }), 0.5)).toMatchObject({ ok: true, value: '+50 %' });
    expect(historyCheck(result({ processWallMs: 1, wallMs: 36_000, floorMs: 1, noHistoryMs: 23_900 }), 0.5)?.ok).toBe(false);
    // without the second run there is nothing to check
    expect(historyCheck(result({ processWallMs: 1, wallMs: 36_000, floorMs: 1 }), 0.5)).toBeNull();
  });

  it('allows 100 % at 1M', () => {
    const c = checks(result({ processWallMs: 1, wallMs: 100_000, floorMs: 1, noHistoryMs: 50_000, employees: 1_000_000 }));
    expect(c.find((x) => x.target.startsWith('history'))).toMatchObject({ ok: true, value: '+100 %' });
  });
});
