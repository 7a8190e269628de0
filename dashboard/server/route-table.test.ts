// Walks the server's route table: every GET route answers below 500 on an empty database and on a
// one-person org (both loaded through the real pipeline), every /api answer says
// `Cache-Control: no-store`, and a request that fails with a 5xx is logged with its stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openDb, type Db } from '../../pipeline/src/db.ts';
import { runPipeline } from '../../pipeline/src/run.ts';
import { buildServer } from './index.ts';
import { loginAs } from './auth/test-helpers.ts';
import { ADMIN, LOCAL_TOKEN, tmpDir } from './test-org.ts';

const AS_OF = '2026-03-31';

interface Org { app: FastifyInstance; db: Db; log: string[] }

/** A server on a database the pipeline loaded from `files` (an empty inbox gives an empty org). */
async function orgFrom(files: Record<string, string>, prepare?: (app: FastifyInstance) => void): Promise<Org> {
  const dir = tmpDir('trellis-routes-');
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(inbox, name), text);
  const db = await openDb(path.join(dir, 'org.duckdb'));
  const summary = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli' });
  if (summary.status !== 'succeeded') throw new Error(`pipeline: ${summary.status} ${summary.error}`);
  const log: string[] = [];
  const app = await buildServer({
    config: { inbox, asOf: AS_OF, uploadLimitMb: 1, staticDir: path.join(dir, 'no-build') },
    db, localToken: LOCAL_TOKEN, errorLog: (text) => log.push(text),
  });
  prepare?.(app);
  await app.ready();
  return { app, db, log };
}

const ONE_PERSON = {
  'roles.csv': 'role_id,title,job_family,level,track,is_critical,planned_headcount\nR1,Founder,Executive,1,executive,true,1\n',
  'employees.csv': 'employee_id,full_name,email,department,role_id,manager_id,location,hire_date,role_start_date,last_promotion_date,'
    + 'termination_date,termination_type,regrettable\nP1,Solo Founder,solo@example.com,Executive,R1,,Lisbon,2020-01-01,,,,,\n',
};

/** A plausible value for each path parameter: the one person, the one role, a run, a mart. */
const PARAMS: Record<string, string> = { id: 'P1', roleId: 'R1', table: 'headcount', username: 'admin' };
const PARAMS_BY_ROUTE: Record<string, Record<string, string>> = { '/api/pipeline/runs/:id': { id: '1' } };

function getUrls(app: FastifyInstance): string[] {
  const urls = app.routeTable
    .filter((r) => [r.method].flat().includes('GET') && r.url.startsWith('/api'))
    .map((r) => r.url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent({ ...PARAMS, ...PARAMS_BY_ROUTE[r.url] }[name] ?? 'x')));
  return [...new Set(urls)].sort();
}

async function answers(app: FastifyInstance) {
  const out = [];
  for (const url of getUrls(app)) {
    const res = await app.inject({ method: 'GET', url, headers: ADMIN });
    out.push({ url, status: res.statusCode, cacheControl: res.headers['cache-control'], body: res.body });
  }
  return out;
}

describe.each([
  ['an empty database (the pipeline run on an empty inbox)', {}],
  ['a one-person org', ONE_PERSON],
])('every GET route on %s', (_, files) => {
  let org: Org;
  let all: Awaited<ReturnType<typeof answers>>;
  beforeAll(async () => {
    org = await orgFrom(files);
    all = await answers(org.app);
  });
  afterAll(async () => { await org.app.close(); org.db.close(); });

  it('answers below 500', () => {
    expect(all.length).toBeGreaterThan(25); // the table was walked
    expect(org.log).toEqual([]);
    expect(all.filter((a) => a.status >= 500).map((a) => `${a.url} → ${a.status} ${a.body.slice(0, 200)}`)).toEqual([]);
  });

  it('says Cache-Control: no-store on every answer', () => {
    expect(all.filter((a) => a.cacheControl !== 'no-store').map((a) => `${a.url}: ${a.cacheControl}`)).toEqual([]);
  });

  it('answers the 9-box with empty lists, not null', () => {
    const nineBox = JSON.parse(all.find((a) => a.url === '/api/succession/nine-box')!.body);
    expect(nineBox).toMatchObject({ cells: [], rows: [] });
  });
});

describe('every GET route for an employee of a one-person org', () => {
  let org: Org;
  beforeAll(async () => { org = await orgFrom(ONE_PERSON); });
  afterAll(async () => { await org.app.close(); org.db.close(); });

  it('answers their own routes (200) and refuses every other (403)', async () => {
    const { headers } = await loginAs(org.app, 'employee', { employeeId: 'P1', username: 'solo' });
    const got: Record<string, number> = {};
    for (const url of getUrls(org.app)) got[url] = (await org.app.inject({ method: 'GET', url, headers })).statusCode;
    const own = Object.keys(got).filter((u) => /^\/api\/(me(\/|$)|meta$|auth\/me$)/.test(u));
    expect(own.sort()).toEqual(['/api/auth/me', '/api/me', '/api/me/check-ins', '/api/me/goals', '/api/me/path', '/api/meta']);
    expect(own.map((u) => `${u} ${got[u]}`)).toEqual(own.map((u) => `${u} 200`));
    // public routes (health, docs, the sign-in ones) answer anyone alike; access.test.ts lists them
    const open = new Set(org.app.trellisAuth.routes.filter((r) => r.config.public).map((r) => r.url));
    const others = Object.keys(got).filter((u) => !own.includes(u) && !open.has(u));
    expect(others.length).toBeGreaterThan(25);
    expect(others.filter((u) => got[u] !== 403).map((u) => `${u} ${got[u]}`)).toEqual([]);
    expect(org.log).toEqual([]);
  });
});

describe('answers that are not a route\'s data', () => {
  let org: Org;
  beforeAll(async () => {
    org = await orgFrom(ONE_PERSON, (app) => {
      app.get('/api/test-failure', async () => { throw new Error('a forced failure'); });
    });
  });
  afterAll(async () => { await org.app.close(); org.db.close(); });

  it('also say no-store: a refusal, an unknown route, a bad request', async () => {
    for (const [url, headers, status] of [
      ['/api/retention', {}, 401], ['/api/nope', ADMIN, 404], ['/api/retention?limit=-1', ADMIN, 400],
    ] as const) {
      const res = await org.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode).toBe(status);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('a 5xx is answered without details and logged with its stack', async () => {
    const res = await org.app.inject({ method: 'GET', url: '/api/test-failure', headers: ADMIN });
    expect(res.statusCode).toBe(500);
    expect(res.json().message).toBe('Internal server error (see the server log)');
    expect(res.body).not.toMatch(/forced/);
    expect(org.log).toHaveLength(1);
    expect(org.log[0]).toMatch(/^\S+ GET \/api\/test-failure failed \(500, request \S+\): Error: a forced failure\n\s+at /);
  });
});
