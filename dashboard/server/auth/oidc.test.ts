// Single sign-on against a real OpenID provider (oidc-provider, in process, on a loopback port): the
// provider's own login form is filled over HTTP, the callback goes through the real server. Roles come
// from a hand-made org: Ada (top, in the leaders' group) → leader; Ben (has a report) → manager; Cy →
// employee; Eve (in the admins' group) → admin; Dee left before the as-of date; Zed is not in the data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, openDb, type Db } from '../../../pipeline/src/db.ts';
import type { OidcConfig } from '../../../pipeline/src/config-oidc.ts';
import { runPipeline } from '../../../pipeline/src/run.ts';
import { buildServer } from '../index.ts';
import { tmpDir } from '../test-org.ts';
import { CookieJar, signInAtProvider, startTestProvider, type TestProvider } from './test-oidc-provider.ts';

const AS_OF = '2026-03-31';
const CALLBACK = 'http://localhost/api/auth/oidc/callback';
const ORIGIN = { origin: 'http://localhost:80' };

const ROLES_CSV = 'role_id,title,job_family,level,track,is_critical,planned_headcount\n'
  + 'R1,Chief,Executive,9,executive,true,1\nR2,Lead,Engineering,6,manager,false,1\nR3,Engineer,Engineering,4,ic,false,3\n';
const HEADER = 'employee_id,full_name,email,department,role_id,manager_id,location,hire_date,role_start_date,last_promotion_date,termination_date,termination_type,regrettable\n';
const EMPLOYEES = {
  ada: 'E1,Ada Top,ada@example.com,Executive,R1,,Lisbon,2018-01-01,,,,,\n',
  ben: 'E2,Ben Lead,ben@example.com,Engineering,R2,E1,Lisbon,2019-01-01,,,,,\n',
  cy: 'E3,Cy Dev,Cy.Dev@Example.com,Engineering,R3,E2,Lisbon,2020-01-01,,,,,\n',
  dee: 'E4,Dee Gone,dee@example.com,Engineering,R3,E2,Lisbon,2020-01-01,,,2025-12-31,voluntary,false\n',
  eve: 'E5,Eve Ops,eve@example.com,Engineering,R3,E1,Lisbon,2021-01-01,,,,,\n',
};

const ACCOUNTS = [
  { login: 'ada', email: 'ada@example.com', groups: ['trellis-leads'] },
  { login: 'ben', email: 'ben@example.com' },
  { login: 'cy', email: 'cy.dev@example.com' },
  { login: 'dee', email: 'dee@example.com' },
  { login: 'eve', email: 'EVE@example.com', groups: ['staff', 'trellis-admins'] },
  { login: 'zed', email: 'zed@example.com' },
  { login: 'unverified', email: 'ben@example.com', emailVerified: false },
];

let provider: TestProvider;
let app: FastifyInstance;
let db: Db;
let conn: DuckDBConnection;
let inbox: string;
let clock = new Date();

function writeOrg(rows: string[]) {
  fs.writeFileSync(path.join(inbox, 'roles.csv'), ROLES_CSV);
  fs.writeFileSync(path.join(inbox, 'employees.csv'), HEADER + rows.join(''));
}

beforeAll(async () => {
  provider = await startTestProvider(ACCOUNTS, [CALLBACK]);
  const dir = tmpDir('trellis-oidc-');
  inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  writeOrg(Object.values(EMPLOYEES));
  db = await openDb(path.join(dir, 'org.duckdb'));
  const summary = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli' });
  if (summary.status !== 'succeeded') throw new Error(`pipeline: ${summary.status} ${summary.error}`);
  const oidc: OidcConfig = {
    issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, redirectUrl: CALLBACK,
    name: 'Example SSO', scopes: 'openid email profile', emailClaim: 'email', groupsClaim: 'groups',
    groupRoles: { admin: ['trellis-admins'], leader: ['trellis-leads'] },
  };
  app = await buildServer({
    config: { inbox, asOf: AS_OF, staticDir: path.join(dir, 'no-build'), oidc, localLogin: true },
    db, localToken: 'local-token-for-tests', auth: { now: () => clock },
  });
  await app.ready();
  conn = await db.connect();
});

afterAll(async () => {
  conn?.closeSync();
  await app?.close();
  db?.close();
  await provider?.close();
});

interface Attempt { location: string; cookie: string; state: string }

/** GET /api/auth/oidc/start: where it sends the browser, and the attempt cookie. */
async function start(next?: string): Promise<Attempt> {
  const res = await app.inject({ method: 'GET', url: `/api/auth/oidc/start${next ? `?next=${encodeURIComponent(next)}` : ''}` });
  expect(res.statusCode, res.body).toBe(302);
  const location = String(res.headers.location);
  const cookie = String([res.headers['set-cookie']].flat()[0]).split(';')[0];
  return { location, cookie, state: new URL(location).searchParams.get('state')! };
}

/** The callback URL the provider sends the browser back to, after signing in as `login`. */
async function providerAnswer(attempt: Attempt, login: string): Promise<string> {
  return signInAtProvider(new CookieJar(), attempt.location, login, CALLBACK);
}

async function callback(url: string, cookie: string) {
  const u = new URL(url);
  return app.inject({ method: 'GET', url: `/api/auth/oidc/callback${u.search}`, headers: { cookie } });
}

function sessionOf(res: { headers: Record<string, unknown> }): string | null {
  const line = [res.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('trellis_session=') && !c.startsWith('trellis_session=;'));
  return line ? line.split(';')[0] : null;
}

async function signIn(login: string, next?: string) {
  const attempt = await start(next);
  const res = await callback(await providerAnswer(attempt, login), attempt.cookie);
  return { res, session: sessionOf(res) };
}

async function me(session: string) {
  return app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: session } });
}

async function lastAudit() {
  return (await all(conn, 'select username, action, target, detail from audit_log order by "at" desc, rowid desc limit 1'))[0];
}

describe('single sign-on through a real OpenID provider', () => {
  it('says what the sign-in page offers', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/auth/methods' });
    expect(res.json()).toEqual({ local: true, sso: { name: 'Example SSO', start: '/api/auth/oidc/start' } });
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const attempt = await start();
    const url = new URL(attempt.location);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(attempt.cookie).toMatch(/^trellis_oidc=/);
  });

  it.each([
    ['cy', 'employee', 'E3', 'cy.dev@example.com', '/me'],
    ['ben', 'manager', 'E2', 'ben@example.com', '/'],
    ['ada', 'leader', 'E1', 'ada@example.com', '/'],
    ['eve', 'admin', 'E5', 'eve@example.com', '/'],
  ])('signs %s in as %s (employee %s) from the org and the groups', async (login, role, employeeId, username, landing) => {
    const { res, session } = await signIn(login);
    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe(landing);
    expect(session).not.toBeNull();
    expect((await me(session!)).json()).toEqual({ user: { username, role, employeeId } });
    expect(await lastAudit()).toMatchObject({ username, action: 'login', target: username });
    expect(JSON.parse(String((await lastAudit()).detail))).toMatchObject({ via: 'oidc', role, employeeId });
  });

  it('goes back to the page asked for, on this site only', async () => {
    expect((await signIn('ben', '/retention?x=1')).res.headers.location).toBe('/retention?x=1');
    expect((await signIn('ben', '//evil.example/x')).res.headers.location).toBe('/');
  });

  it('an SSO session follows the idle expiry and server-side sign-out', async () => {
    const { session } = await signIn('ben');
    const signedInAt = clock;
    try {
      clock = new Date(signedInAt.getTime() + 31 * 60_000);
      expect((await me(session!)).statusCode).toBe(401);
    } finally {
      clock = new Date();
    }
    const again = (await signIn('ben')).session!;
    expect((await me(again)).statusCode).toBe(200);
    await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: again, ...ORIGIN } });
    expect((await me(again)).statusCode).toBe(401);
  });

  async function refused(res: Awaited<ReturnType<typeof callback>>, code: string, text: RegExp, username: string | null = null) {
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toMatch(text);
    expect(res.body).toContain(`data-code="${code}"`);
    expect(sessionOf(res)).toBeNull();
    expect(await lastAudit()).toMatchObject({ action: 'login_failed', username, detail: expect.stringMatching(new RegExp(`^oidc: ${code}`)) });
  }

  it('refuses a wrong state', async () => {
    const attempt = await start();
    const answer = new URL(await providerAnswer(attempt, 'cy'));
    answer.searchParams.set('state', 'not-the-state-trellis-sent');
    await refused(await callback(answer.href, attempt.cookie), 'state_mismatch', /does not belong to the sign-in this browser started/);
  });

  it('refuses a replayed code, and the same answer twice', async () => {
    const first = await start();
    const answer = await providerAnswer(first, 'cy');
    expect((await callback(answer, first.cookie)).statusCode).toBe(302);
    await refused(await callback(answer, first.cookie), 'no_sign_in_started', /expired or was already used/);
    // the used code with a fresh attempt's state: the provider refuses it
    const second = await start();
    const replay = new URL(answer);
    replay.searchParams.set('state', second.state);
    await refused(await callback(replay.href, second.cookie), 'code_refused', /did not accept the sign-in code/);
  });

  it('refuses an expired ID token', async () => {
    const attempt = await start();
    const answer = await providerAnswer(attempt, 'cy');
    const past = Math.floor(Date.now() / 1000) - 7200;
    provider.tamper((claims) => ({ ...claims, iat: past, exp: past + 600 }));
    await refused(await callback(answer, attempt.cookie), 'token_expired', /ID token has expired/);
  });

  it('refuses an ID token for another audience', async () => {
    const attempt = await start();
    const answer = await providerAnswer(attempt, 'cy');
    provider.tamper((claims) => ({ ...claims, aud: 'some-other-app' }));
    await refused(await callback(answer, attempt.cookie), 'wrong_audience', /issued for another application/);
  });

  it('refuses an email that is not in the HR data, with no account made', async () => {
    const attempt = await start();
    await refused(await callback(await providerAnswer(attempt, 'zed'), attempt.cookie), 'unknown_email',
      /Your email \(zed@example.com\) is not in the HR data Trellis has/, 'zed@example.com');
    expect(await all(conn, "select * from users where username = 'zed@example.com'")).toEqual([]);
  });

  it('refuses someone who has left', async () => {
    const attempt = await start();
    await refused(await callback(await providerAnswer(attempt, 'dee'), attempt.cookie), 'inactive_employee',
      /not active in the HR data Trellis has/, 'dee@example.com');
  });

  it('refuses an email the provider says is not verified', async () => {
    const attempt = await start();
    await refused(await callback(await providerAnswer(attempt, 'unverified'), attempt.cookie), 'email_unverified', /is not verified/, 'ben@example.com');
  });

  it('an SSO account has no password: none can be set, and none signs in', async () => {
    await signIn('ada');
    const res = await app.inject({ method: 'PUT', url: '/api/users/ada@example.com/password',
      headers: { authorization: 'Bearer local-token-for-tests' }, payload: { password: 'a-new-password-123' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('ada@example.com signs in through single sign-on and has no password (docs/access.md)');
    const local = await app.inject({ method: 'POST', url: '/api/auth/login', headers: ORIGIN, payload: { username: 'ada@example.com', password: 'sso-only (no password)' } });
    expect(local.statusCode).toBe(401);
  });

  it('an SSO account an admin removed is made afresh at the next sign-in', async () => {
    await signIn('cy');
    const del = await app.inject({ method: 'DELETE', url: '/api/users/cy.dev@example.com', headers: { authorization: 'Bearer local-token-for-tests' } });
    expect(del.statusCode, del.body).toBeLessThan(300);
    const { session } = await signIn('cy');
    expect((await me(session!)).json().user).toEqual({ username: 'cy.dev@example.com', role: 'employee', employeeId: 'E3' });
  });

  it('works the roles out again after a run: a leaver loses access and their sessions end; a new manager is a manager', async () => {
    const ben = (await signIn('ben')).session!;
    const cy = (await signIn('cy')).session!;
    expect((await me(ben)).json().user.role).toBe('manager');
    // Ben leaves; Cy now has Eve reporting to them.
    writeOrg([EMPLOYEES.ada, EMPLOYEES.ben.replace(',,,,,\n', ',,,2026-01-15,voluntary,false\n'), EMPLOYEES.cy.replace(',E2,', ',E1,'),
      EMPLOYEES.dee, EMPLOYEES.eve.replace(',E1,', ',E3,')]);
    await app.pipelineRunner.start(db, { inbox, asOf: AS_OF });
    await app.pipelineRunner.idle();
    expect(app.pipelineRunner.state.status).toBe('succeeded');
    expect((await me(ben)).statusCode).toBe(401);
    expect((await me(cy)).json().user).toEqual({ username: 'cy.dev@example.com', role: 'manager', employeeId: 'E3' });
    const rows = await all(conn, "select action, target, detail from audit_log where action like 'sso_%' order by target");
    expect(rows).toEqual([
      { action: 'sso_access_revoked', target: 'ben@example.com', detail: 'no longer active in the HR data' },
      { action: 'sso_role_changed', target: 'cy.dev@example.com', detail: JSON.stringify({ from: 'employee', to: 'manager', employeeId: 'E3' }) },
    ]);
    // and Ben cannot sign in again
    const attempt = await start();
    await refused(await callback(await providerAnswer(attempt, 'ben'), attempt.cookie), 'inactive_employee', /not active/, 'ben@example.com');
  });
});

describe('local sign-in switched off, and no single sign-on configured', () => {
  async function server(config: Record<string, unknown>) {
    const other = await buildServer({ config: { inbox, asOf: AS_OF, staticDir: path.join(inbox, 'no-build'), ...config }, db });
    await other.ready();
    return other;
  }

  it('with localLogin: false a password sign-in is refused (and audited), and the page offers only SSO', async () => {
    const oidc = { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, redirectUrl: CALLBACK,
      name: 'Example SSO', scopes: 'openid email', emailClaim: 'email', groupsClaim: 'groups', groupRoles: { admin: [], leader: [] } };
    const other = await server({ oidc, localLogin: false });
    try {
      expect((await other.inject({ method: 'GET', url: '/api/auth/methods' })).json()).toEqual({ local: false, sso: { name: 'Example SSO', start: '/api/auth/oidc/start' } });
      const res = await other.inject({ method: 'POST', url: '/api/auth/login', headers: ORIGIN, payload: { username: 'admin', password: 'whatever-123' } });
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toBe('Sign-in with a password is switched off here: use "Sign in with Example SSO"');
      expect(await lastAudit()).toMatchObject({ action: 'login_failed', target: 'admin', detail: 'local sign-in is off' });
    } finally {
      await other.close();
    }
  });

  it('without oidc the SSO routes answer 404 and the page offers passwords only', async () => {
    const other = await server({});
    try {
      expect((await other.inject({ method: 'GET', url: '/api/auth/methods' })).json()).toEqual({ local: true, sso: null });
      expect((await other.inject({ method: 'GET', url: '/api/auth/oidc/start' })).statusCode).toBe(404);
      expect((await other.inject({ method: 'GET', url: '/api/auth/oidc/callback?code=x&state=y' })).statusCode).toBe(404);
    } finally {
      await other.close();
    }
  });
});
