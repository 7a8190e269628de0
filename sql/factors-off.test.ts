// Missing sources are not evidence (spec: "Retention risk"): the `paths` org loaded without some of its
// datasets. A factor whose source has no row in effect is off: its flag is null, it scores 0 points,
// `factors_off` names it (the spec table's order) and the run's notes say which and why. The org with
// nothing left out scores as before (sql/orgs.test.ts); fixtures/orgs/sparse is the hand-worked org
// with check-ins, plans and goals all missing.
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { all } from '../pipeline/src/db.ts';
import { ORGS_DIR, buildOrg, type Built } from './tests/harness.ts';

const PATHS = path.join(ORGS_DIR, 'paths');
const AS_OF = '2026-06-30';
const FACTORS = ['no_path', 'plan_only', 'stalled', 'low_pulse', 'pulse_drop', 'checkins_lapsed', 'no_career_talk',
  'high_performer_off_path'];

// A04 Dev: plan without a goal (plan_only 10), 64 months since hire (stalled 20), no career talk in 180
// days (10), performance 5 (high performer off path 10): 50 with everything loaded.
const CASES = [
  {
    leaveOut: ['reviews.csv'],
    factorsOff: 'high_performer_off_path',
    note: 'retention scores leave out 1 factor: no reviews loaded (high_performer_off_path)',
    a04: { path_state: 'plan_only', plan_only: true, high_performer_off_path: null, score: 40, band: 'medium' },
  },
  {
    // plans alone are enough for the path factors (they need career_plans or goals)
    leaveOut: ['goals.csv'],
    factorsOff: null,
    note: null,
    a04: { path_state: 'plan_only', plan_only: true, high_performer_off_path: true, score: 50, band: 'high' },
  },
  {
    // with neither, A04 has no target (ENG2 has promotions out): no_path, but the factor is off
    leaveOut: ['career_plans.csv', 'goals.csv'],
    factorsOff: 'no_path, plan_only, high_performer_off_path',
    note: 'retention scores leave out 3 factors: no career plans or goals loaded (no_path, plan_only, high_performer_off_path)',
    a04: { path_state: 'no_path', plan_only: null, high_performer_off_path: null, score: 30, band: 'medium' },
  },
  {
    leaveOut: ['check_ins.csv', 'reviews.csv'],
    factorsOff: 'low_pulse, pulse_drop, checkins_lapsed, no_career_talk, high_performer_off_path',
    note: 'retention scores leave out 5 factors: no check-ins loaded (low_pulse, pulse_drop, checkins_lapsed, no_career_talk); '
      + 'no reviews loaded (high_performer_off_path)',
    a04: { path_state: 'plan_only', plan_only: true, high_performer_off_path: null, score: 30, band: 'medium' },
  },
];

describe.each(CASES)('paths org without $leaveOut', ({ leaveOut, factorsOff, note, a04 }) => {
  let built: Built | undefined;
  const ready = async () => (built ??= await buildOrg(PATHS, AS_OF, { leaveOut }));
  afterAll(() => built?.db.close());

  it('lists the off factors on every row of retention_risk and retention_list, and nulls their flags', async () => {
    const { conn } = await ready();
    for (const mart of ['retention_risk', 'retention_list']) {
      expect(await all(conn, `select distinct factors_off::varchar as factors_off from ${mart}`)).toEqual([{ factors_off: factorsOff }]);
    }
    const off = (factorsOff ?? '').split(', ').filter(Boolean);
    const [counts] = await all<Record<string, number>>(conn, `select count(*)::int as n,
      ${FACTORS.map((f) => `count(*) filter (where ${f} is null)::int as ${f}`).join(', ')} from retention_risk`);
    expect(counts).toEqual({ n: counts.n, ...Object.fromEntries(FACTORS.map((f) => [f, off.includes(f) ? counts.n : 0])) });
  });

  it('scores the hand-worked employee without the off factors', async () => {
    const { conn } = await ready();
    const [row] = await all(conn, `select path_state, plan_only, high_performer_off_path, score::int as score, band
      from retention_risk where employee_id = 'A04'`);
    expect(row).toEqual(a04);
  });

  it('says in the run notes which factors were off and why', async () => {
    const { notes } = await ready();
    expect(notes.filter((x) => x.startsWith('retention scores'))).toEqual(note ? [note] : []);
  });
});
