// Bench strength (w = 1 ready now, ½ in 1–2 years, ÷ k) and the org index (÷ max(1, incumbents)), with
// successor coverage's median, through the API on fixtures/orgs/sparse (hand-worked in its README).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../../../pipeline/src/db.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
beforeAll(async () => ({ app, db } = await orgServer('sparse')));
afterAll(async () => { await app.close(); db.close(); });

const get = (url: string, headers: Record<string, string> = ADMIN) => app.inject({ method: 'GET', url, headers });
const benches = async (headers: Record<string, string>) => Object.fromEntries((await get('/api/succession/roles?sort=role_id', headers)).json().rows
  .map((r: { role_id: string; bench_strength: number }) => [r.role_id, r.bench_strength]));

describe('succession figures on the sparse org', () => {
  it('summary: index 0.5 (LEAD 1.5 over 3 incumbents, HEAD 1 over 1, AUD 0), coverage 4/3 with median 2', async () => {
    const res = await get('/api/succession/summary');
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s).toMatchObject({ n_critical_roles: 3, successor_coverage_median: 2, bench_strength_index: 0.5 });
    expect(s.successor_coverage).toBeCloseTo(4 / 3, 12);
    const overview = (await get('/api/overview')).json();
    expect(overview.succession).toMatchObject({ successor_coverage_median: 2, bench_strength_index: 0.5 });
    expect(overview.pathStates).toContainEqual({ path_state: 'top_of_ladder', n: 1, share: 1 / 7 });
  });

  it('roles: bench strength weighs a 1–2-year successor ½, for admins and for a manager over the whole org', async () => {
    expect(await benches(ADMIN)).toEqual({ AUD: 0, HEAD: 1, LEAD: 1.5 });
    // D01 heads the org: the manager's figures are recomputed from the subtree's rows by the route
    const { headers } = await loginAs(app, 'manager', { employeeId: 'D01' });
    expect(await benches(headers)).toMatchObject({ HEAD: 1, LEAD: 1.5 });
  });
});
