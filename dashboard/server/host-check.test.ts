// DNS rebinding: the server answers only to its own host names (421 Misdirected Request otherwise) on
// every route — API, sign-in, static files, unknown paths — over real HTTP (inject) and a real DuckDB file.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, openDb, type Db } from '../../pipeline/src/db.ts';
import { createUser, TEST_PASSWORD } from './auth/test-helpers.ts';
import { buildServer, type ServerConfig } from './index.ts';
import { tmpDir } from './test-org.ts';

let dir: string;
let db: Db;
const apps: FastifyInstance[] = [];

async function server(config: Partial<ServerConfig> = {}): Promise<FastifyInstance> {
  const app = await buildServer({ config: { inbox: path.join(dir, 'inbox'), staticDir: path.join(dir, 'build'), ...config }, db });
  await app.ready();
  apps.push(app);
  return app;
}

const get = (app: FastifyInstance, url: string, host: string) => app.inject({ url, headers: { host } });
const signIn = (app: FastifyInstance, host: string, username = 'hc-admin') => app.inject({
  method: 'POST', url: '/api/auth/login',
  headers: { host, origin: `http://${host}`, 'x-trellis-csrf': '1' },
  payload: { username, password: TEST_PASSWORD },
});

beforeAll(async () => {
  dir = tmpDir('trellis-hostcheck-');
  fs.mkdirSync(path.join(dir, 'build'));
  fs.writeFileSync(path.join(dir, 'build', 'index.html'), '<!doctype html><title>Trellis</title>');
  db = await openDb(path.join(dir, 'hc.duckdb'));
});

afterAll(async () => {
  for (const app of apps) await app.close();
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Host check', () => {
  it('answers 421 with a short plain message to a foreign Host on every kind of route', async () => {
    const app = await server();
    for (const url of ['/api/health', '/api/auth/me', '/', '/index.html', '/retention', '/api/no-such-route']) {
      for (const host of ['evil.example', 'evil.example:3000', '0.0.0.0:3000', '127.0.0.1.evil.example', 'localhost.evil.example:3000']) {
        const res = await get(app, url, host);
        expect(res.statusCode, `${url} with Host ${host}`).toBe(421);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(res.body).toMatch(/^Misdirected request: this Trellis server does not answer to the host name ".+"; an admin can add it to TRELLIS_ALLOWED_HOSTS/);
        expect(res.body.length).toBeLessThan(300);
      }
    }
    expect((await get(app, '/api/health', 'bad host, with junk')).statusCode).toBe(421);
  });

  it('answers normally to localhost, 127.0.0.1 and [::1] on any port, in any case', async () => {
    const app = await server();
    for (const host of ['localhost', 'localhost:3000', 'LOCALHOST:80', 'localhost.:3000', '127.0.0.1:3000', '[::1]:3000', '[::1]']) {
      expect((await get(app, '/api/health', host)).statusCode, host).toBe(200);
      const page = await get(app, '/retention', host);
      expect(page.statusCode, host).toBe(200);
      expect(page.body).toMatch(/<title>Trellis<\/title>/);
    }
  });

  it('answers to the configured host and TRELLIS_ALLOWED_HOSTS names, and only to them', async () => {
    const app = await server({ host: '192.168.1.5', allowedHosts: ['trellis.example.com', '[fd00::5]'] });
    for (const host of ['192.168.1.5:3000', 'trellis.example.com', 'Trellis.Example.com:8443', '[fd00::5]:3000', 'localhost:3000']) {
      expect((await get(app, '/api/health', host)).statusCode, host).toBe(200);
    }
    for (const host of ['evil.example', 'example.com', 'www.trellis.example.com', '192.168.1.6']) {
      expect((await get(app, '/api/health', host)).statusCode, host).toBe(421);
    }
    // listening on every interface does not make every name acceptable
    const any = await server({ host: '0.0.0.0' });
    expect((await get(any, '/api/health', '0.0.0.0:3000')).statusCode).toBe(421);
    expect((await get(any, '/api/health', '10.1.2.3:3000')).statusCode).toBe(421);
  });

  it('refuses a rebinding sign-in whose Origin matches its Host, with or without the CSRF header', async () => {
    const app = await server();
    await createUser(app, { username: 'hc-admin', role: 'admin' });
    const rebound = await signIn(app, 'evil.example:3000');
    expect(rebound.statusCode).toBe(421);
    expect(rebound.headers['set-cookie']).toBeUndefined();
    const noHeader = await app.inject({
      method: 'POST', url: '/api/auth/login', headers: { host: 'evil.example:3000', origin: 'http://evil.example:3000' },
      payload: { username: 'hc-admin', password: TEST_PASSWORD },
    });
    expect(noHeader.statusCode).toBe(421);
    // nothing ran: not even a failed sign-in was recorded for that host
    const audit = await app.trellisAuth.store.use((conn) =>
      all<{ n: number }>(conn, "select count(*)::int as n from audit_log where target = 'hc-admin'"));
    expect(audit[0].n).toBe(0);
    // the same sign-in from the real host works
    const real = await signIn(app, 'localhost:3000');
    expect(real.statusCode).toBe(200);
    expect(String(real.headers['set-cookie'])).toMatch(/^trellis_session=/);
  });
});
