// `riskWeights` changes the points of the retention-risk factors everywhere the score is read (the marts
// retention_risk and retention_list, and through them the API). The `paths` org (its default scores are in
// fixtures/orgs/paths/expected/retention_risk.csv, checked by sql/orgs.test.ts) scored with other points;
// expected values worked by hand from that file's flags.
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { all } from '../pipeline/src/db.ts';
import { discoverModels, modelsFingerprint } from '../pipeline/src/models.ts';
import { DEFAULT_RISK_WEIGHTS } from '../pipeline/src/model-settings.ts';
import { ORGS_DIR, buildOrg, type Built } from './tests/harness.ts';

const PATHS = path.join(ORGS_DIR, 'paths');
const AS_OF = '2026-06-30';

describe('paths org with riskWeights {no_path: 40, stalled: 0, low_pulse: 30}', () => {
  let built: Built | undefined;
  const ready = async () => (built ??= await buildOrg(PATHS, AS_OF, { settings: { riskWeights: { ...DEFAULT_RISK_WEIGHTS, no_path: 40, stalled: 0, low_pulse: 30 } } }));
  afterAll(() => built?.db.close());

  it('scores with the configured points, bands by the new score, and passes the mart tests', async () => {
    const { conn } = await ready();
    const rows = await all(conn, `select employee_id, score, band from retention_risk
      where employee_id in ('A02', 'A03', 'A04', 'A05', 'A06', 'A09', 'A11') order by employee_id`);
    expect(rows).toEqual([
      { employee_id: 'A02', score: 0, band: 'low' }, //          stalled 0 (was 20)
      { employee_id: 'A03', score: 50, band: 'high' }, //        no_path 40 + checkins_lapsed 10 (was 35)
      { employee_id: 'A04', score: 30, band: 'medium' }, //      plan_only 10 + stalled 0 + no_career_talk 10 + high performer 10 (was 50)
      { employee_id: 'A05', score: 40, band: 'medium' }, //      no_path 40
      { employee_id: 'A06', score: 85, band: 'high' }, //        no_path 40 + low_pulse 30 + pulse_drop 15
      { employee_id: 'A09', score: 0, band: 'low' }, //          stalled 0
      { employee_id: 'A11', score: 60, band: 'high' }, //        no_path 40 + stalled 0 + lapsed 10 + no career talk 10
    ]);
    // the list the dashboard pages read carries the same scores
    const list = await all(conn, `select employee_id, score from retention_list where employee_id in ('A03', 'A06') order by employee_id`);
    expect(list).toEqual([{ employee_id: 'A03', score: 50 }, { employee_id: 'A06', score: 85 }]);
    // the flags and reasons do not change: only points do
    const [a02] = await all(conn, "select stalled, reasons from retention_risk where employee_id = 'A02'");
    expect(a02).toEqual({ stalled: true, reasons: '36 months since last promotion' });
  });

  it('keeps the points in int_risk_weights', async () => {
    const { conn } = await ready();
    expect(await all(conn, 'select no_path_points, stalled_points, low_pulse_points, plan_only_points from int_risk_weights'))
      .toEqual([{ no_path_points: 40, stalled_points: 0, low_pulse_points: 30, plan_only_points: 10 }]);
  });
});

describe('the models fingerprint', () => {
  it('is unchanged by the default weights and changes with other ones (so a run rebuilds)', () => {
    const models = discoverModels();
    const plain = modelsFingerprint(models);
    expect(modelsFingerprint(models, { riskWeights: { ...DEFAULT_RISK_WEIGHTS } })).toBe(plain);
    expect(modelsFingerprint(models, { riskWeights: { ...DEFAULT_RISK_WEIGHTS, stalled: 21 } })).not.toBe(plain);
    expect(modelsFingerprint(models, { backtestHorizonMonths: 12 })).not.toBe(plain);
  });
});
