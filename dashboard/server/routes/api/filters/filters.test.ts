// GET /api/filters on the tiny test org: every value for admins, the subtree's departments and managers for a manager.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { all, type Db } from '../../../../../pipeline/src/db.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { ADMIN, testServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
let dir: string;
beforeAll(async () => { ({ app, db, dir } = await testServer()); });
afterAll(async () => { await app.close(); db.close(); fs.rmSync(dir, { recursive: true, force: true }); });

async function sql(text: string): Promise<Record<string, unknown>[]> {
  const conn = await db.connect();
  try { return await all(conn, text); } finally { conn.closeSync(); }
}

describe('GET /api/filters', () => {
  it('offers every department, job family and skill to an admin', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/filters', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const departments = (await sql('select distinct department from career_path_state order by 1')).map((r) => r.department);
    const families = (await sql('select distinct job_family from stg_roles order by 1')).map((r) => r.job_family);
    const skills = await sql('select skill_id, name from stg_skills order by name, skill_id');
    expect(body.departments).toEqual(departments);
    expect(body.job_families).toEqual(families);
    expect(body.skills).toEqual(skills);
    expect(departments.length).toBeGreaterThan(1);
  });

  it("offers a manager only their subtree's departments", async () => {
    const { headers } = await loginAs(app, 'manager', { employeeId: 'E2' });
    const body = (await app.inject({ method: 'GET', url: '/api/filters', headers })).json();
    expect(body.departments).toEqual(['Engineering']);
  });

  it('offers the managers (people with an active report) in the caller\'s scope, by name', async () => {
    const everyone = [{ employee_id: 'E1', full_name: 'Ada Chief' }, { employee_id: 'E2', full_name: 'Bo Builder' },
      { employee_id: 'E5', full_name: 'Di Dealer' }]; // E3, E4, E6 manage nobody; E7 (E5's report) has left
    expect((await app.inject({ method: 'GET', url: '/api/filters', headers: ADMIN })).json().managers).toEqual(everyone);
    const leader = (await loginAs(app, 'leader')).headers;
    expect((await app.inject({ method: 'GET', url: '/api/filters', headers: leader })).json().managers).toEqual(everyone);
    const e2 = (await loginAs(app, 'manager', { employeeId: 'E2' })).headers;
    expect((await app.inject({ method: 'GET', url: '/api/filters', headers: e2 })).json().managers).toEqual([everyone[1]]);
    const e3 = (await loginAs(app, 'manager', { employeeId: 'E3' })).headers;
    expect((await app.inject({ method: 'GET', url: '/api/filters', headers: e3 })).json().managers).toEqual([]);
  });

  it('refuses unknown parameters and anonymous callers', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/filters?x=1', headers: ADMIN })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/filters' })).statusCode).toBe(401);
  });
});
