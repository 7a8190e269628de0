// Objective roll-up progress on the hand-made `goals` org (fixtures/orgs/goals/README.md): org-wide for
// an admin, and from the goals of their own subtree only for a manager (figures checked by hand).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../../../pipeline/src/db.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
beforeAll(async () => ({ app, db } = await orgServer('goals')));
afterAll(async () => { await app.close(); db.close(); });

type Objective = { objective_id: string; n_items: number; n_goals: number; progress: number | null };

async function objectives(headers: Record<string, string>, query = ''): Promise<Record<string, Omit<Objective, 'objective_id'>>> {
  const res = await app.inject({ url: `/api/goals/objectives${query}`, headers });
  expect(res.statusCode).toBe(200);
  return Object.fromEntries(res.json().rows.map((r: Objective) => [r.objective_id,
    { n_items: r.n_items, n_goals: r.n_goals, progress: r.progress === null ? null : Math.round(r.progress * 100) / 100 }]));
}

describe('GET /api/goals/objectives', () => {
  it('an admin sees the roll-up of every goal (the mart)', async () => {
    expect(await objectives(ADMIN, '?department=Sales%20East')).toEqual({
      O2: { n_items: 3, n_goals: 2, progress: 53.33 }, // K1 60, Wim's K13 50, O4 50
      O4: { n_items: 2, n_goals: 2, progress: 50 },
    });
  });

  it('a manager outside the department sees only their own people\'s goals in it', async () => {
    // Tom (C06) leads Marketing: C07, C08 and Wim (C09), whose K13 (50) is aligned to Sales East's O2.
    const { headers } = await loginAs(app, 'manager', { employeeId: 'C06' });
    expect(await objectives(headers, '?department=Sales%20East')).toEqual({
      O2: { n_items: 1, n_goals: 1, progress: 50 },
      O4: { n_items: 0, n_goals: 0, progress: null },
    });
    const all = await objectives(headers);
    expect(all.O1).toEqual({ n_items: 1, n_goals: 0, progress: 50 }); // only O2 has items
    expect(all.O3).toEqual({ n_items: 0, n_goals: 0, progress: null });
    expect(all.O5).toEqual({ n_items: 2, n_goals: 2, progress: 45 }); // K9 80, K11 10
  });

  it('the Sales manager\'s figures leave out the Marketing goal', async () => {
    const { headers } = await loginAs(app, 'manager', { employeeId: 'C01' });
    const all = await objectives(headers);
    expect(all.O2).toEqual({ n_items: 2, n_goals: 1, progress: 55 }); // K1 60 and O4 50, without Wim's K13
    expect(all.O1).toEqual({ n_items: 2, n_goals: 0, progress: 62.5 }); // (55 + 70) / 2
    expect(all.O5).toEqual({ n_items: 0, n_goals: 0, progress: null });
  });
});
