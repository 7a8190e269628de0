// Sign-in, sessions, account admin and the audit log over real HTTP (inject) and a real DuckDB file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, openDb, type Db } from '../../../pipeline/src/db.ts';
import { installErrorHandler } from '../errors.ts';
import authPlugin from '../plugins/auth.ts';
import auditRoutes from '../routes/api/audit/index.ts';
import authRoutes from '../routes/api/auth/index.ts';
import usersRoutes from '../routes/api/users/index.ts';
import { createUser, login, loginAs, TEST_PASSWORD } from './test-helpers.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;
let clock = new Date('2026-04-01T09:00:00Z');
const advance = (ms: number) => { clock = new Date(clock.getTime() + ms); };
const same = { origin: 'http://localhost:80' };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-authroutes-'));
  db = await openDb(path.join(dir, 't.duckdb'));
  app = Fastify({ trustProxy: false });
  installErrorHandler(app);
  await app.register(authPlugin, { db, now: () => clock });
  await app.register(authRoutes);                             // at the root: paths carry /api/auth
  await app.register(usersRoutes, { prefix: '/api/users' });  // under a prefix: paths adapt
  await app.register(auditRoutes, { prefix: '/api' });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sign-in', () => {
  it('sets an HttpOnly SameSite=Lax cookie and /me answers the user', async () => {
    await createUser(app, { username: 'ada', role: 'leader' });
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', headers: same, payload: { username: 'ada', password: TEST_PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^trellis_session=[0-9a-f]{64};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const me = await app.inject({ url: '/api/auth/me', headers: { cookie: cookie.split(';')[0] } });
    expect(me.json()).toEqual({ user: { username: 'ada', role: 'leader', employeeId: null } });
    // the token itself is not stored
    const stored = await app.trellisAuth.store.use((c) => all<{ id: string }>(c, 'select id from sessions'));
    expect(stored.map((s) => s.id)).not.toContain(cookie.split(';')[0].split('=')[1]);
  });

  it('sets Secure when the request came over TLS', async () => {
    const tls = Fastify({ trustProxy: true });
    await tls.register(authPlugin, { db, now: () => clock });
    await tls.register(authRoutes);
    await createUser(tls, { username: 'tls-user', role: 'leader' });
    const res = await tls.inject({ method: 'POST', url: '/api/auth/login',
      headers: { 'x-forwarded-proto': 'https', origin: 'https://localhost:80' }, payload: { username: 'tls-user', password: TEST_PASSWORD } });
    expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
    await tls.close();
  });

  it('gives one generic message for an unknown user and a wrong password', async () => {
    await createUser(app, { username: 'bob', role: 'leader' });
    const a = await app.inject({ method: 'POST', url: '/api/auth/login', headers: same, payload: { username: 'nobody', password: 'whatever1' } });
    const b = await app.inject({ method: 'POST', url: '/api/auth/login', headers: same, payload: { username: 'bob', password: 'wrong-pass' } });
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json().message).toBe(b.json().message);
    expect(a.headers['set-cookie']).toBeUndefined();
  });

  // Backoff after failed sign-ins: sign-in-limits.test.ts.

  it('refuses a cross-site sign-in and accepts the CSRF header instead of Origin', async () => {
    await createUser(app, { username: 'dan', role: 'leader' });
    const body = { username: 'dan', password: TEST_PASSWORD };
    const cross = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: 'https://evil.example' }, payload: body });
    expect(cross.statusCode).toBe(403);
    const referer = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { referer: 'https://evil.example/x' }, payload: body });
    expect(referer.statusCode).toBe(403);
    const none = await app.inject({ method: 'POST', url: '/api/auth/login', payload: body });
    expect(none.statusCode).toBe(403);
    const header = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-trellis-csrf': '1' }, payload: body });
    expect(header.statusCode).toBe(200);
  });
});

describe('sessions', () => {
  it('expire after 30 idle minutes', async () => {
    const { headers } = await loginAs(app, 'leader');
    advance(29 * 60_000);
    expect((await app.inject({ url: '/api/auth/me', headers })).statusCode).toBe(200);
    advance(29 * 60_000); // activity above kept it alive
    expect((await app.inject({ url: '/api/auth/me', headers })).statusCode).toBe(200);
    advance(31 * 60_000);
    expect((await app.inject({ url: '/api/auth/me', headers })).statusCode).toBe(401);
  });

  it('expire 12 hours after sign-in whatever the activity', async () => {
    const { headers } = await loginAs(app, 'leader');
    for (let i = 0; i < 25; i++) {
      advance(29 * 60_000);
      const r = await app.inject({ url: '/api/auth/me', headers });
      expect(r.statusCode).toBe((i + 1) * 29 < 12 * 60 ? 200 : 401);
    }
  });

  it('end on sign-out, server-side', async () => {
    const { headers } = await loginAs(app, 'leader');
    const out = await app.inject({ method: 'POST', url: '/api/auth/logout', headers });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect((await app.inject({ url: '/api/auth/me', headers })).statusCode).toBe(401);
  });

  it.each([
    ['a random token', 'trellis_session=' + 'f'.repeat(64)],
    ['a tampered token', null],
    ['an over-long value', 'trellis_session=' + 'a'.repeat(5000)],
    ['SQL in the cookie', "trellis_session=' or 1=1 --"],
    ['a broken cookie header', 'trellis_session=%E0%A4%A'],
  ])('reject %s with a clean 401', async (_name, cookie) => {
    let value = cookie;
    if (value === null) {
      const real = await loginAs(app, 'leader');
      const token = real.cookie.split('=')[1];
      value = 'trellis_session=' + token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
    }
    const res = await app.inject({ url: '/api/auth/me', headers: { cookie: value } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized', message: expect.any(String), statusCode: 401 });
  });
});

describe('account admin', () => {
  it('lets an admin add, list, change and remove accounts, each audited', async () => {
    const { headers, username: adminName } = await loginAs(app, 'admin');
    const add = await app.inject({ method: 'POST', url: '/api/users', headers,
      payload: { username: 'mgr-1', role: 'manager', employeeId: 'E1', password: 'long-enough-1' } });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({ username: 'mgr-1', role: 'manager', employeeId: 'E1' });
    expect(add.json()).not.toHaveProperty('password_hash');
    const list = await app.inject({ url: '/api/users', headers });
    expect(list.json().rows.map((r: { username: string }) => r.username)).toContain('mgr-1');
    expect(list.body).not.toMatch(/scrypt/);

    const mgrCookie = await login(app, 'mgr-1', 'long-enough-1');
    const pw = await app.inject({ method: 'PUT', url: '/api/users/mgr-1/password', headers, payload: { password: 'another-pass-2' } });
    expect(pw.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie: mgrCookie } })).statusCode).toBe(401);
    await login(app, 'mgr-1', 'another-pass-2');

    const del = await app.inject({ method: 'DELETE', url: '/api/users/mgr-1', headers });
    expect(del.statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/api/users/mgr-1', headers })).statusCode).toBe(404);

    const log = await app.inject({ url: `/api/audit?username=${adminName}`, headers });
    expect(log.json().rows.map((r: { action: string }) => r.action)).toEqual(
      expect.arrayContaining(['user_add', 'user_passwd', 'user_remove', 'login']));
  });

  it.each([
    [{ username: 'm2', role: 'manager', password: 'long-enough-1' }, 400, /employee id/],
    [{ username: 'x', role: 'root', password: 'long-enough-1' }, 400, /role/],
    [{ username: '../etc', role: 'leader', password: 'long-enough-1' }, 400, /username/],
    [{ username: 'short', role: 'leader', password: 'short' }, 400, /password too short/],
    [{ username: 'ada', role: 'leader', password: 'long-enough-1' }, 409, /already exists/],
  ])('refuses %j with %i', async (payload, status, message) => {
    const { headers } = await loginAs(app, 'admin');
    const res = await app.inject({ method: 'POST', url: '/api/users', headers, payload });
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toMatch(message);
  });

  it('refuses to remove the last admin, the caller included, with a message', async () => {
    const lone = await openDb(path.join(dir, 'lone.duckdb'));
    const solo = Fastify();
    installErrorHandler(solo);
    await solo.register(authPlugin, { db: lone, now: () => clock });
    await solo.register(authRoutes);
    await solo.register(usersRoutes, { prefix: '/api/users' });
    try {
      const { headers } = await loginAs(solo, 'admin', { username: 'only-admin' });
      const self = await solo.inject({ method: 'DELETE', url: '/api/users/only-admin', headers });
      expect(self.statusCode).toBe(409);
      expect(self.json().message).toBe('only-admin is the last admin; add another admin first');
      expect((await solo.inject({ url: '/api/auth/me', headers })).statusCode).toBe(200);
      const add = await solo.inject({ method: 'POST', url: '/api/users', headers,
        payload: { username: 'next-admin', role: 'admin', password: 'long-enough-1' } });
      expect(add.statusCode).toBe(201);
      expect((await solo.inject({ method: 'DELETE', url: '/api/users/only-admin', headers })).statusCode).toBe(200);
      const next = { cookie: await login(solo, 'next-admin', 'long-enough-1'), ...same };
      const again = await solo.inject({ method: 'DELETE', url: '/api/users/next-admin', headers: next });
      expect(again.statusCode).toBe(409);
      expect(again.json().message).toBe('next-admin is the last admin; add another admin first');
    } finally {
      await solo.close();
      lone.close();
    }
  });

  it('keeps leaders and managers out of users and audit', async () => {
    const leader = await loginAs(app, 'leader');
    const manager = await loginAs(app, 'manager', { employeeId: 'E9' });
    for (const { headers } of [leader, manager]) {
      expect((await app.inject({ url: '/api/users', headers })).statusCode).toBe(403);
      expect((await app.inject({ url: '/api/audit', headers })).statusCode).toBe(403);
      expect((await app.inject({ method: 'DELETE', url: '/api/users/ada', headers })).statusCode).toBe(403);
    }
  });

  it('records failed sign-ins and filters the audit log', async () => {
    const { headers } = await loginAs(app, 'admin');
    const res = await app.inject({ url: '/api/audit?action=login_failed&target=bob', headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().rows.length).toBeGreaterThan(0);
    expect(res.json().rows.every((r: { action: string; target: string }) => r.action === 'login_failed' && r.target === 'bob')).toBe(true);
    expect((await app.inject({ url: '/api/audit?from=2026-13-45', headers })).statusCode).toBe(400);
    expect((await app.inject({ url: "/api/audit?from=2026-01-01'; drop table users; --", headers })).statusCode).toBe(400);
  });
});
