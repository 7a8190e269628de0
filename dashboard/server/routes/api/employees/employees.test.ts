// GET /api/employees/:id `loaded`: whether goals, reviews and check-ins were imported at all, so the page
// can tell "none for this person" from "never imported".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { exec, type Db } from '../../../../../pipeline/src/db.ts';
import { invalidateCatalog } from '../../../context.ts';
import { ADMIN, testServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
beforeAll(async () => ({ app, db } = await testServer()));
afterAll(async () => { await app.close(); db.close(); });

const profile = async (id: string) => (await app.inject({ method: 'GET', url: `/api/employees/${id}`, headers: ADMIN })).json();
async function sql(text: string) {
  const conn = await db.connect();
  try { await exec(conn, text); } finally { conn.closeSync(); }
  invalidateCatalog();
}

describe('GET /api/employees/:id loaded', () => {
  it('says which datasets have rows at all, apart from whether this person has any', async () => {
    expect((await profile('E3')).loaded).toEqual({ goals: false, reviews: false, check_ins: false });
    await sql(`create table stg_goals (goal_id varchar, employee_id varchar, title varchar, objective_id varchar, target_role_id varchar,
      skill_id varchar, status varchar, progress double, created_on date, due_on date, completed_on date)`);
    expect((await profile('E3')).loaded.goals).toBe(false); // imported with no row: still nothing to show
    await sql(`insert into stg_goals values ('G1', 'E6', 'Close the quarter', null, 'SAL-M', null, 'active', 40, '2026-01-05', null, null)`);
    const p = await profile('E3');
    expect(p.loaded).toEqual({ goals: true, reviews: false, check_ins: false });
    expect(p.goals).toEqual([]);
    expect((await profile('E6')).goals.map((g: { goal_id: string }) => g.goal_id)).toEqual(['G1']);
  });
});
