// The auth plugin on a small Fastify app with a real DuckDB file: bearer token, 401, public, roles.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../pipeline/src/db.ts';
import authPlugin from '../plugins/auth.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;
const TOKEN = 'a'.repeat(64);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-authplugin-'));
  db = await openDb(path.join(dir, 't.duckdb'));
  app = Fastify();
  await app.register(authPlugin, { db, localToken: TOKEN });
  app.get('/api/open', { config: { public: true } }, async (req) => ({ user: req.user }));
  app.get('/api/any', async (req) => ({ user: req.user }));
  app.get('/api/admin-only', { config: { roles: ['admin'] } }, async () => ({ ok: true }));
  app.get('/api/leaders', { config: { roles: ['leader'] } }, async () => ({ ok: true }));
  app.post('/api/change', async () => ({ ok: true }));
  app.get('/page', async () => 'spa');
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const bearer = { authorization: `Bearer ${TOKEN}` };

describe('auth plugin', () => {
  it.each([
    ['GET', '/api/any', {}, 401],
    ['GET', '/api/any', bearer, 200],
    ['GET', '/api/any', { authorization: `Bearer ${'b'.repeat(64)}` }, 401],
    ['GET', '/api/any', { authorization: 'Basic abc' }, 401],
    ['GET', '/api/any', { cookie: 'trellis_session=' + 'c'.repeat(64) }, 401],
    ['GET', '/api/any', { cookie: 'trellis_session=../../etc/passwd' }, 401],
    ['GET', '/api/open', {}, 200],
    ['GET', '/api/admin-only', {}, 401],
    ['GET', '/api/admin-only', bearer, 200],
    ['GET', '/api/leaders', bearer, 403],
    ['GET', '/api/nowhere', {}, 401],
    ['GET', '/%61pi/any', {}, 401],
    ['GET', '/api/nowhere', bearer, 404],
    ['POST', '/api/change', {}, 401],
    ['POST', '/api/change', bearer, 200],
    ['GET', '/page', {}, 200],
  ] as const)('%s %s %j → %i', async (method, url, headers, status) => {
    const res = await app.inject({ method, url, headers });
    expect(res.statusCode).toBe(status);
    if (status === 401) expect(res.json()).toMatchObject({ error: 'unauthorized', statusCode: 401 });
  });

  it('sets the local admin for the bearer token', async () => {
    const res = await app.inject({ url: '/api/any', headers: bearer });
    expect(res.json().user).toEqual({ username: 'local', role: 'admin', employeeId: null });
  });

  it('refuses a bearer token when the server has none', async () => {
    const other = Fastify();
    await other.register(authPlugin, { db });
    other.get('/api/any', async () => ({ ok: true }));
    const res = await other.inject({ url: '/api/any', headers: { authorization: 'Bearer ' } });
    expect(res.statusCode).toBe(401);
    await other.close();
  });
});
