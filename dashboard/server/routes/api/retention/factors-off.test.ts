// Missing sources are not evidence, through the API: fixtures/orgs/sparse loaded no plans, goals or
// check-ins in effect, so seven of the eight risk factors are off. The list carries `factors_off` and null
// flags, /api/meta says which factors are off and why (what every page showing scores prints), and the
// top_of_ladder path state is a filter value like the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../../../pipeline/src/db.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
beforeAll(async () => ({ app, db } = await orgServer('sparse')));
afterAll(async () => { await app.close(); db.close(); });

const get = (url: string, headers: Record<string, string> = ADMIN) => app.inject({ method: 'GET', url, headers });
const OFF = 'no_path, plan_only, low_pulse, pulse_drop, checkins_lapsed, no_career_talk, high_performer_off_path';

describe('an org that loaded no plans, goals or check-ins', () => {
  it('lists every employee with the off factors named and their flags null', async () => {
    const res = await get('/api/retention?sort=employee_id&order=asc');
    expect(res.statusCode).toBe(200);
    const rows = res.json().rows;
    expect(rows.map((r: { employee_id: string }) => r.employee_id)).toEqual(['D01', 'D02', 'D03', 'D04', 'D05', 'D06', 'D07']);
    for (const r of rows) {
      expect(r).toMatchObject({ factors_off: OFF, no_path: null, plan_only: null, low_pulse: null, pulse_drop: null,
        checkins_lapsed: null, no_career_talk: null, high_performer_off_path: null });
    }
    expect(rows[1]).toMatchObject({ employee_id: 'D02', stalled: true, score: 20, band: 'low' });
    const arrow = tableFromIPC((await get('/api/retention?sort=employee_id&order=asc', { ...ADMIN, accept: 'application/vnd.apache.arrow.stream' })).rawPayload);
    expect(arrow.toArray().map((r) => r.toJSON())).toEqual(rows);
  });

  it('filters by the top_of_ladder path state', async () => {
    const res = await get('/api/retention?path_state=top_of_ladder');
    expect(res.statusCode).toBe(200);
    expect(res.json().rows.map((r: { employee_id: string; path_state: string }) => [r.employee_id, r.path_state])).toEqual([['D01', 'top_of_ladder']]);
  });

  it('says in /api/meta which factors are off and why', async () => {
    const res = await get('/api/meta');
    expect(res.statusCode).toBe(200);
    expect(res.json().factorsOff).toEqual({
      factors: [
        { factor: 'no_path', reason: 'no career plans or goals loaded' },
        { factor: 'plan_only', reason: 'no career plans or goals loaded' },
        ...['low_pulse', 'pulse_drop', 'checkins_lapsed', 'no_career_talk'].map((factor) => ({ factor, reason: 'no check-ins loaded' })),
        { factor: 'high_performer_off_path', reason: 'no career plans or goals loaded' },
      ],
      text: '7 factors: no career plans or goals loaded (no_path, plan_only, high_performer_off_path); '
        + 'no check-ins loaded (low_pulse, pulse_drop, checkins_lapsed, no_career_talk)',
    });
  });
});
