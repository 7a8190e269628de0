// Test helpers: create accounts straight in the database and sign in through the real login route.
import type { FastifyInstance } from 'fastify';
import { addUser } from '../../../pipeline/src/users.ts';
import type { Role } from './user.ts';

export interface TestUser {
  username: string;
  role: Role;
  employeeId?: string | null;
  password?: string;
}

export const TEST_PASSWORD = 'test-password-123';

let counter = 0;

/** Add an account (idempotent per username within one app is not needed: names are unique by default). */
export async function createUser(app: FastifyInstance, user: Partial<TestUser> & { role: Role }): Promise<Required<TestUser>> {
  const full = {
    username: user.username ?? `${user.role}${++counter}`,
    role: user.role,
    employeeId: user.employeeId ?? null,
    password: user.password ?? TEST_PASSWORD,
  };
  await app.trellisAuth.store.use((conn) => addUser(conn, full, app.trellisAuth.now()));
  return full;
}

/** Sign in through POST /api/auth/login; returns the `cookie` header value for later requests. */
export async function login(app: FastifyInstance, username: string, password = TEST_PASSWORD): Promise<string> {
  const res = await app.inject({
    method: 'POST', url: '/api/auth/login',
    headers: { origin: 'http://localhost:80', 'content-type': 'application/json' },
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login as ${username} failed: ${res.statusCode} ${res.body}`);
  const setCookie = res.headers['set-cookie'];
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  if (!first) throw new Error(`login as ${username}: no cookie set`);
  return first.split(';')[0];
}

/** Create an account with the role (a manager needs employeeId) and sign in; returns headers to send. */
export async function loginAs(app: FastifyInstance, role: Role, opts: { employeeId?: string; username?: string } = {}):
  Promise<{ cookie: string; username: string; headers: Record<string, string> }> {
  const user = await createUser(app, { role, employeeId: opts.employeeId ?? null, username: opts.username });
  const cookie = await login(app, user.username, user.password);
  return { cookie, username: user.username, headers: { cookie, origin: 'http://localhost:80' } };
}
