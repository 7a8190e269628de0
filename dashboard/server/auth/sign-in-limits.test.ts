// Sign-in backoff over the real server (buildServer: its trustProxy wiring), a real DuckDB file and a
// pinned clock (no sleeping): per account-and-address exponential backoff with Retry-After, a generous
// per-address backoff, nobody locked out from elsewhere, X-Forwarded-For only from trusted proxies.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, openDb, type Db } from '../../../pipeline/src/db.ts';
import { buildServer, type ServerConfig } from '../index.ts';
import { tmpDir } from '../test-org.ts';
import { createUser, TEST_PASSWORD } from './test-helpers.ts';

let dir: string;
let db: Db;
let clock = new Date('2026-04-01T09:00:00Z');
const advance = (ms: number) => { clock = new Date(clock.getTime() + ms); };
const apps: FastifyInstance[] = [];

async function server(config: Partial<ServerConfig> = {}, perAddress?: { free: number }): Promise<FastifyInstance> {
  const app = await buildServer({
    config: { inbox: path.join(dir, 'inbox'), staticDir: path.join(dir, 'no-build'), ...config }, db,
    auth: { now: () => clock, ...(perAddress ? { loginLimits: { perAddress } } : {}) },
  });
  await app.ready();
  apps.push(app);
  return app;
}

/** Sign in from `from` (the peer address), optionally through a proxy saying X-Forwarded-For. */
function signIn(app: FastifyInstance, username: string, password: string, from: string, forwardedFor?: string) {
  const headers: Record<string, string> = { 'x-trellis-csrf': '1', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) };
  return app.inject({ method: 'POST', url: '/api/auth/login', headers, remoteAddress: from, payload: { username, password } } as InjectOptions);
}

const A = '203.0.113.7';
const B = '198.51.100.9';

beforeAll(async () => {
  dir = tmpDir('trellis-signin-');
  db = await openDb(path.join(dir, 'limits.duckdb'));
});

afterAll(async () => {
  for (const app of apps) await app.close();
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sign-in backoff per account and address', () => {
  it('allows 5 failures, then waits 1 s, 2 s, 4 s … up to 15 minutes (429 with Retry-After); success resets', async () => {
    const app = await server();
    await createUser(app, { username: 'erin', role: 'leader' });
    for (let i = 0; i < 5; i++) expect((await signIn(app, 'erin', `wrong-${i}`, A)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const refused = await signIn(app, 'erin', TEST_PASSWORD, A); // even the right password is not checked now
      expect(refused.statusCode).toBe(429);
      const wait = Number(refused.headers['retry-after']);
      waits.push(wait);
      expect(refused.json().message).toMatch(/^Too many failed sign-ins: try again in \d+ (second|seconds|minutes)$/);
      advance(wait * 1000 - 1);
      expect((await signIn(app, 'erin', TEST_PASSWORD, A)).statusCode).toBe(429); // not a moment early
      advance(1);
      expect((await signIn(app, 'erin', `wrong-again-${i}`, A)).statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
    const capped = await signIn(app, 'erin', TEST_PASSWORD, A);
    expect(capped.json().message).toBe('Too many failed sign-ins: try again in 15 minutes');
    advance(15 * 60_000);
    expect((await signIn(app, 'erin', TEST_PASSWORD, A)).statusCode).toBe(200);
    expect((await signIn(app, 'erin', 'wrong-after', A)).statusCode).toBe(401); // counting starts over
    expect((await signIn(app, 'erin', TEST_PASSWORD, A)).statusCode).toBe(200);
    const refusals = await app.trellisAuth.store.use((conn) => all<{ n: number }>(conn,
      "select count(*)::int as n from audit_log where target = 'erin' and detail = 'rate limited' and ip = $ip", { ip: A }));
    expect(refusals[0].n).toBe(25);
  });

  it('an attacker at address A cannot lock the account for address B', async () => {
    const app = await server();
    await createUser(app, { username: 'fred', role: 'leader' });
    for (let i = 0; i < 30; i++) await signIn(app, 'fred', `guess-${i}`, A);
    expect((await signIn(app, 'fred', TEST_PASSWORD, A)).statusCode).toBe(429);
    expect((await signIn(app, 'fred', 'typo-from-b', B)).statusCode).toBe(401);
    expect((await signIn(app, 'fred', TEST_PASSWORD, B)).statusCode).toBe(200);
  });

  it('forgives failures with time: one per 15 minutes', async () => {
    const app = await server();
    await createUser(app, { username: 'gina', role: 'leader' });
    for (let i = 0; i < 4; i++) expect((await signIn(app, 'gina', `wrong-${i}`, A)).statusCode).toBe(401);
    advance(30 * 60_000); // two forgiven: 2 left, so 3 more before a wait
    for (let i = 0; i < 3; i++) expect((await signIn(app, 'gina', `later-${i}`, A)).statusCode).toBe(401);
    expect((await signIn(app, 'gina', TEST_PASSWORD, A)).statusCode).toBe(429);
  });
});

describe('sign-in backoff per address', () => {
  it('slows down password spraying from one address without locking it, and leaves other addresses alone', async () => {
    const app = await server({}, { free: 10 });
    await createUser(app, { username: 'hana', role: 'leader' });
    for (let i = 0; i < 10; i++) expect((await signIn(app, `spray-${i}`, 'password1', A)).statusCode).toBe(401);
    const limited = await signIn(app, 'hana', TEST_PASSWORD, A);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect((await signIn(app, 'hana', TEST_PASSWORD, B)).statusCode).toBe(200);
    advance(1000); // a backoff, not a lock
    expect((await signIn(app, 'hana', TEST_PASSWORD, A)).statusCode).toBe(200);
  });
});

describe('X-Forwarded-For', () => {
  const PROXY = '10.0.0.2';

  it('is ignored without trustProxy: behind a proxy everyone shares its address', async () => {
    const app = await server();
    await createUser(app, { username: 'ivan', role: 'leader' });
    for (let i = 0; i < 5; i++) await signIn(app, 'ivan', `wrong-${i}`, PROXY, A);
    expect((await signIn(app, 'ivan', TEST_PASSWORD, PROXY, B)).statusCode).toBe(429);
  });

  it('is used from a proxy listed in trustProxy (and only from it)', async () => {
    const app = await server({ trustProxy: [PROXY] });
    await createUser(app, { username: 'jane', role: 'leader' });
    for (let i = 0; i < 5; i++) await signIn(app, 'jane', `wrong-${i}`, PROXY, A);
    expect((await signIn(app, 'jane', TEST_PASSWORD, PROXY, A)).statusCode).toBe(429);
    expect((await signIn(app, 'jane', TEST_PASSWORD, PROXY, B)).statusCode).toBe(200);
    const ips = await app.trellisAuth.store.use((conn) => all<{ ip: string }>(conn,
      "select distinct ip from audit_log where target = 'jane' order by ip"));
    expect(ips.map((r) => r.ip)).toEqual([B, A].sort());
    // a peer that is not the proxy cannot pick its address
    for (let i = 0; i < 5; i++) await signIn(app, 'jane', `other-${i}`, '10.0.0.3', `192.0.2.${i}`);
    expect((await signIn(app, 'jane', TEST_PASSWORD, '10.0.0.3', '192.0.2.99')).statusCode).toBe(429);
  });

  it('is used from any peer with trustProxy true', async () => {
    const app = await server({ trustProxy: true });
    await createUser(app, { username: 'kim', role: 'leader' });
    for (let i = 0; i < 5; i++) await signIn(app, 'kim', `wrong-${i}`, PROXY, A);
    expect((await signIn(app, 'kim', TEST_PASSWORD, PROXY, B)).statusCode).toBe(200);
  });
});
