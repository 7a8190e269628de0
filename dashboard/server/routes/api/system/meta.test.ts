// /api/meta's linkedEmployee on fixtures/orgs/history (as of 2026-06-30): a manager's or employee's account
// stands for an employee; one who left, or whose id the data no longer has, sees no one, and the layout
// says why from this answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../../../pipeline/src/db.ts';
import { createUser, login } from '../../../auth/test-helpers.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
beforeAll(async () => ({ app, db } = await orgServer('history')));
afterAll(async () => { await app.close(); db.close(); });

async function metaAs(role: 'manager' | 'employee', employeeId: string) {
  const user = await createUser(app, { role, employeeId });
  const res = await app.inject({ url: '/api/meta', headers: { cookie: await login(app, user.username) } });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('/api/meta: the employee an account stands for', () => {
  it('is active for a manager who still works here', async () => {
    expect((await metaAs('manager', 'E03')).linkedEmployee).toEqual({ employeeId: 'E03', fullName: expect.any(String), terminationDate: null, active: true });
  });

  it('is not active, with the day they left, for an account whose employee left', async () => {
    expect((await metaAs('manager', 'E10')).linkedEmployee).toEqual({ employeeId: 'E10', fullName: 'Jon Quit', terminationDate: '2026-04-30', active: false });
    expect((await metaAs('employee', 'E11')).linkedEmployee).toMatchObject({ employeeId: 'E11', terminationDate: '2026-05-10', active: false });
  });

  it('is what an admin adding such an account through the API is told', async () => {
    const add = (username: string, employeeId: string) => app.inject({ method: 'POST', url: '/api/users', headers: ADMIN,
      payload: { username, role: 'manager', employeeId, password: 'long-enough-123' } });
    const gone = await add('left-mgr', 'E10');
    expect(gone.statusCode).toBe(201);
    expect(gone.json().note).toBe('E10 (Jon Quit) left on 2026-04-30 in the data loaded: the account sees no one until it stands for an active employee');
    expect((await add('here-mgr', 'E03')).json().note).toBeNull();
  });

  it('is none for the local token (no employee), and gives no name for an id the data does not have', async () => {
    expect((await app.inject({ url: '/api/meta', headers: ADMIN })).json().linkedEmployee).toBeNull();
    const conn = await db.connect();
    try {
      // an account made before the id left the HRIS export (accounts are checked against the data when made)
      await conn.run(`insert into users (username, role, employee_id, password_hash, created_at, disabled)
        select 'orphan', 'manager', 'E99', password_hash, created_at, false from users limit 1`);
    } finally {
      conn.closeSync();
    }
    const res = await app.inject({ url: '/api/meta', headers: { cookie: await login(app, 'orphan') } });
    expect(res.json().linkedEmployee).toEqual({ employeeId: 'E99', fullName: null, terminationDate: null, active: false });
  });
});
