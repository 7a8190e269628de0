import { describe, expect, it } from 'vitest';
import { phaseRecorder, summarize, type ProgressLike } from './phases.ts';

/** Drive a recorder with events at given (wall, cpu) clock readings. */
function record(events: [number, number, ProgressLike][], end: [number, number]) {
  let wall = 0;
  let cpu = 0;
  const rec = phaseRecorder(() => wall, () => cpu);
  for (const [w, c, e] of events) { wall = w; cpu = c; rec.onProgress(e); }
  [wall, cpu] = end;
  return rec.finish();
}

describe('phaseRecorder + summarize', () => {
  const segments = record([
    [0, 0, { phase: 'read', message: 'hashing a.csv' }],
    [5, 4, { phase: 'read', dataset: 'roles', message: 'reading roles.csv' }],
    [15, 12, { phase: 'validate', dataset: 'roles', message: 'checking' }],
    [35, 30, { phase: 'read', dataset: 'employees', message: 'reading employees.csv' }],
    [45, 31, { phase: 'validate', dataset: 'employees', message: 'checking' }],
    [50, 36, { phase: 'models', model: 'stg_roles', message: 'building stg_roles' }],
    [60, 40, { phase: 'models', model: 'headcount', message: 'building headcount' }],
    [90, 70, { phase: 'models', message: 'built 2 models' }],
    [95, 70, { phase: 'tests', model: 'headcount', message: 'testing' }],
    [99, 73, { phase: 'commit', message: 'committing' }],
    [110, 80, { phase: 'commit', message: 'committed' }],
  ], [200, 150]);

  it.each([
    ['readMs', 10 + 10],
    ['validateMs', 20 + 5],
    ['modelsMs', 10 + 30],
    ['testsMs', 4],
    ['commitMs', 11],
  ] as const)('%s adds up the segments of the phase', (key, ms) => {
    expect(summarize(segments)[key]).toBe(ms);
  });

  it('keeps hashing, the gap after "built" and after "committed" out of the phases', () => {
    expect(segments.find((s) => s.phase === 'hash')?.ms).toBe(5);
    expect(segments.filter((s) => s.phase === 'models').map((s) => s.key)).toEqual(['stg_roles', 'headcount']);
    expect(segments.some((s) => s.ms === 90)).toBe(false); // 110 → 200 after "committed" is not commit time
  });

  it('splits read and validate per dataset and ranks the slowest models by their own build time', () => {
    // two models built at the same time: the segments cut at each event, the run's timings do not
    const s = summarize(segments, [{ model: 'stg_roles', ms: 35 }, { model: 'headcount', ms: 30 }], 1);
    expect(s.datasets).toEqual([
      { dataset: 'roles', readMs: 10, validateMs: 20 },
      { dataset: 'employees', readMs: 10, validateMs: 5 },
    ]);
    expect(s.slowestModels).toEqual([{ model: 'stg_roles', ms: 35 }]);
  });

  it('measures CPU time per phase with the CPU clock', () => {
    expect(summarize(segments).cpuMs).toEqual({ read: 8 + 1, validate: 18 + 5, models: 4 + 30, tests: 3, commit: 7 });
  });
});
