// The overview's trend reads run_history, which each successful run appends to: two runs with different
// as-of dates give two points, each matching what the marts said as of that date.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { all, type Db } from '../../../../../pipeline/src/db.ts';
import { runPipeline } from '../../../../../pipeline/src/run.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
let inbox: string;
let asOf: string;
beforeAll(async () => ({ app, db, inbox, asOf } = await orgServer('paths')));
afterAll(async () => { await app.close(); db.close(); });

const figures = async () => {
  const conn = await db.connect();
  const [row] = await all<Record<string, number>>(conn, `select
    (select count(*) from career_path_state)::int as headcount,
    (select count(*) from career_path_state where path_state = 'no_path')::int as n_no_path,
    (select count(*) from retention_risk where band = 'high')::int as n_high_risk`);
  conn.closeSync();
  return row;
};

describe('GET /api/overview history', () => {
  it('has the history_overview rows of the latest run, oldest first, the last at as_of with the marts\' figures', async () => {
    const first = await figures();
    const res = await app.inject({ url: '/api/overview', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    const { history } = res.json();
    expect(history.length).toBeGreaterThan(1);
    expect(history.map((h: { as_of: string }) => h.as_of)).toEqual([...history.map((h: { as_of: string }) => h.as_of)].sort());
    expect(history.at(-1)).toMatchObject({ as_of: asOf, n_active: first.headcount, n_risk_high: first.n_high_risk,
      no_path_share: first.n_no_path / first.headcount });
  });
});

describe('GET /api/overview trend', () => {
  it('has one point per as-of date of successful runs, oldest first, with the figures of that date', async () => {
    const first = await figures();
    const earlier = '2024-01-31';
    const s = await runPipeline(db, { inbox, asOf: earlier, trigger: 'cli', clock: () => new Date('2026-01-02T00:00:00Z') });
    expect(s.status).toBe('succeeded');
    const second = await figures();
    expect(second.headcount).not.toBe(first.headcount); // the fixture hires people between the two dates

    const res = await app.inject({ url: '/api/overview', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    const { trend } = res.json();
    expect(trend.map((t: { as_of: string; run_id: number }) => [t.as_of, t.run_id])).toEqual([[earlier, s.runId], [asOf, 1]]);
    expect(trend[1]).toMatchObject({ ...first, no_path_share: first.n_no_path / first.headcount, high_risk_share: first.n_high_risk / first.headcount });
    expect(trend[0]).toMatchObject(second);
    for (const t of trend) {
      expect(t.n_no_path + t.n_top_of_ladder + t.n_plan_only + t.n_on_path).toBe(t.headcount);
      expect(typeof t.succession_readiness_rate === 'number' || t.succession_readiness_rate === null).toBe(true);
    }

    // a rerun on an as-of date already shown replaces that point rather than adding one
    const again = await runPipeline(db, { inbox, asOf, trigger: 'cli', clock: () => new Date('2026-01-03T00:00:00Z') });
    expect(again.status).toBe('succeeded');
    const after = (await app.inject({ url: '/api/overview', headers: ADMIN })).json().trend;
    expect(after.map((t: { as_of: string; run_id: number }) => [t.as_of, t.run_id])).toEqual([[earlier, s.runId], [asOf, again.runId]]);
  });
});
