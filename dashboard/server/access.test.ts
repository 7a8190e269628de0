// Access control over the whole API, walking Fastify's route table (collected by the auth plugin's
// onRoute hook), so a route added later is checked without anyone remembering to list it:
// 401 without a session, every route × every role (403 for leaders and managers on admin areas, for
// employees everywhere but their own routes), managers see only their subtree in any answer (JSON,
// Arrow, CSV, Parquet), employees only themself, and hostile path/query values get a clean 4xx that
// leaks nothing.
import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, literal, type Db } from '../../pipeline/src/db.ts';
import { loginAs } from './auth/test-helpers.ts';
import type { RouteEntry } from './plugins/auth.ts';
import { ADMIN, buildRepoModel, testServer } from './test-org.ts';

// The test org (test-org.ts): E1 ─┬─ E2 ─┬─ E3        The manager below is E5: they may see E5 and E6.
//                                  │      └─ E4        E1 (their own manager) may appear as their manager;
//                                  └─ E5 ── E6         E2, E3, E4 must never appear.
const MANAGER_ROOT = 'E5';
const INSIDE = ['E5', 'E6'];
const OUTSIDE = ['E2', 'E3', 'E4'];
const OUTSIDE_TEXT = /\b(E2|E3|E4)\b|Bo Builder|Cy Coder|Lead Hacker/;

/** Routes anyone may call without signing in. Anything else public is a finding. */
const PUBLIC = new Set(['POST /api/auth/login', 'POST /api/auth/logout', 'GET /api/health', 'GET /api/docs',
  'GET /api/auth/methods', 'GET /api/auth/oidc/start', 'GET /api/auth/oidc/callback']);
/** Areas only admins may use. */
const ADMIN_AREAS = /^\/api\/(pipeline|users|audit|backup)(\/|$)/; // admin-only areas
/** Routes for admins and leaders only: saving a succession plan, and the org-wide what-if of one. */
const LEADER_ROUTES = new Set(['PUT /api/succession/plans/:roleId', 'GET /api/succession/plans/:roleId/what-if']);
/** The only routes an employee may call (default-deny, pipeline/src/roles.ts): their own page and session. */
const EMPLOYEE_ROUTES = /^GET \/api\/(me(\/.*)?|auth\/me|meta)$/;
/** The employee below is E6 (Ed Seller): every other person is someone else. */
const EMPLOYEE_SELF = 'E6';
const NOT_SELF_TEXT = /\b(E1|E2|E3|E4|E5|E7)\b|Ada Chief|Bo Builder|Cy Coder|Lead Hacker|Di Dealer|Gone Person/;
const ARROW = 'application/vnd.apache.arrow.stream';
const INTERNALS = /Binder Error|Parser Error|Catalog Error|Conversion Error|Invalid Input Error|DuckDB|\/work\/|node_modules|\.ts:\d+|at async /;

let app: FastifyInstance;
let db: Db;
let dir: string;
let routes: RouteEntry[];
let manager: Record<string, string>;
let leader: Record<string, string>;
let employee: Record<string, string>;
let adminSession: Record<string, string>;

beforeAll(async () => {
  ({ app, db, dir } = await testServer());
  await buildRepoModel(db, 'retention_list'); // the list as production serves it: ENUM columns, Arrow dictionaries
  await buildRepoModel(db, 'int_employees_active'); // so an employee's /api/me answers with their data
  await buildRepoModel(db, 'role_internal_candidates'); // suggested moves and the hidden bench: one, E3 → ENG-3 (outside E5's subtree)
  routes = app.trellisAuth.routes.filter((r) => r.method !== 'HEAD' && r.url.startsWith('/api'));
  manager = (await loginAs(app, 'manager', { employeeId: MANAGER_ROOT, username: 'mgr-e5' })).headers;
  leader = (await loginAs(app, 'leader', { username: 'lead' })).headers;
  employee = (await loginAs(app, 'employee', { employeeId: EMPLOYEE_SELF, username: 'emp-e6' })).headers;
  adminSession = (await loginAs(app, 'admin', { username: 'adm' })).headers;
});

afterAll(async () => {
  await app?.close();
  db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const paramNames = (url: string) => [...url.matchAll(/:(\w+)/g)].map((m) => m[1]);
const fill = (url: string, value: string) => url.replace(/:(\w+)/g, () => encodeURIComponent(value));
const queryKeys = (r: RouteEntry): string[] =>
  Object.keys(((r.schema?.querystring as { properties?: object } | undefined)?.properties) ?? {});

function request(r: RouteEntry, url: string, headers: Record<string, string>, extra: Partial<InjectOptions> = {}) {
  const body = r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} };
  return app.inject({ method: r.method as InjectOptions['method'], url, headers: { origin: 'http://localhost:80', ...headers }, ...body, ...extra });
}

/** The text of an answer, whatever its format (JSON, CSV, Arrow IPC with every dictionary's values, Parquet). */
async function answerText(res: LightMyRequestResponse): Promise<string> {
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('arrow')) {
    const table = tableFromIPC(res.rawPayload);
    // A dictionary may hold values no row uses: they are part of what was sent.
    const dictionaries = table.schema.fields.flatMap((f) => table.getChild(f.name)!.data.flatMap((d) => (d.dictionary ? [...d.dictionary] : [])));
    return JSON.stringify([table.toArray().map((row) => row.toJSON()), dictionaries], (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
  }
  if (type.includes('parquet')) {
    const file = path.join(dir, `answer-${Math.random().toString(36).slice(2)}.parquet`);
    fs.writeFileSync(file, res.rawPayload);
    const conn = await db.connect();
    try {
      return JSON.stringify(await all(conn, `select * from read_parquet(${literal(file)})`), (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
    } finally {
      conn.closeSync();
      fs.rmSync(file, { force: true });
    }
  }
  return res.body;
}

describe('the route table', () => {
  it('is walked (the plugin saw the routes) and only the known routes are public', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.map(key)).toEqual(expect.arrayContaining(['GET /api/employees/:id', 'POST /api/auth/login', 'GET /api/users',
      // issue 14: the selection export and the page-wide list of decisions against the evidence (admin, leader, manager)
      'POST /api/employees/career-plans', 'GET /api/succession/disagreements']));
    const publicRoutes = routes.filter((r) => r.config.public).map(key);
    expect(publicRoutes.filter((k) => !PUBLIC.has(k))).toEqual([]);
  });

  it('answers 401 to every non-public route without a session, with a forged one, or a wrong token', async () => {
    const credentials: Record<string, string>[] = [
      {},
      { cookie: `trellis_session=${'0'.repeat(64)}` },
      { cookie: 'trellis_session=admin' },
      { authorization: 'Bearer not-the-token' },
    ];
    const failures: string[] = [];
    for (const r of routes.filter((x) => !x.config.public)) {
      for (const headers of credentials) {
        const res = await request(r, fill(r.url, 'E3'), headers);
        if (res.statusCode !== 401) failures.push(`${key(r)} ${JSON.stringify(headers)} → ${res.statusCode}`);
        else expect(res.body).not.toMatch(OUTSIDE_TEXT);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('every route × every role', () => {
  // What each role may reach, written out here rather than read from the routes' config: a route that
  // opens itself to a role it should not (or forgets `roles`) fails this test.
  const expected: Record<string, (k: string, url: string) => boolean> = {
    admin: () => true,
    leader: (_k, url) => !ADMIN_AREAS.test(url),
    manager: (k, url) => !ADMIN_AREAS.test(url) && !LEADER_ROUTES.has(k),
    employee: (k) => EMPLOYEE_ROUTES.test(k),
  };

  it.each(Object.keys(expected))('%s: let in exactly where the role may go, 403 everywhere else', async (role) => {
    const headers = { admin: adminSession, leader, manager, employee }[role]!;
    const failures: string[] = [];
    let allowed = 0;
    for (const r of routes.filter((x) => !x.config.public)) {
      const may = expected[role](key(r), r.url);
      // An admin's state changes (a pipeline run, a new account) would change the org under the other
      // tests: their access is the bearer-token tests' and the users/pipeline tests' business.
      if (may && r.method !== 'GET') continue;
      const res = await request(r, fill(r.url, 'E6'), headers);
      if (may) allowed++;
      if (may && [401, 403].includes(res.statusCode)) failures.push(`${key(r)} → ${res.statusCode}, want access`);
      if (!may && res.statusCode !== 403) failures.push(`${key(r)} → ${res.statusCode}, want 403`);
      if (!may) expect(res.body).not.toMatch(OUTSIDE_TEXT);
    }
    expect(failures).toEqual([]);
    expect(allowed).toBeGreaterThan(role === 'employee' ? 1 : 10);
  });
});

describe('issue 14 routes, written out role by role', () => {
  // The walk above sends a POST no body and skips the state changes an admin may make: the career_plans
  // export is called here with a real suggestion (E3 → ENG-3, the test org's one), outside the manager's
  // subtree, so the endpoint's own per-id check is what refuses them.
  const EXPORT = { method: 'POST' as const, url: '/api/employees/career-plans', payload: { moves: [{ employee_id: 'E3', role_id: 'ENG-3' }] } };
  const DISAGREEMENTS = { method: 'GET' as const, url: '/api/succession/disagreements' };
  const TABLE: [string, InjectOptions, Record<string, number>][] = [
    ['export of a suggestion outside the manager\'s subtree', EXPORT, { admin: 200, leader: 200, manager: 403, employee: 403 }],
    ['saved decisions against the evidence', DISAGREEMENTS, { admin: 200, leader: 200, manager: 200, employee: 403 }],
  ];
  it.each(TABLE)('%s', async (_what, options, want) => {
    const sessions: Record<string, Record<string, string>> = { admin: adminSession, leader, manager, employee };
    const got: Record<string, number> = {};
    for (const role of Object.keys(want)) {
      const res = await app.inject({ ...options, headers: { origin: 'http://localhost:80', 'x-trellis-csrf': '1', ...sessions[role] } });
      got[role] = res.statusCode;
      if (role === 'manager' || role === 'employee') expect(res.body).not.toMatch(/Bo Builder|Cy Coder|Lead Hacker/);
      if (options === EXPORT && res.statusCode === 200) expect(res.body).toMatch(/^employee_id,target_role_id,created_on,status\r\nE3,ENG-3,\d{4}-\d\d-\d\d,active\r\n$/);
    }
    expect(got).toEqual(want);
  });
});

describe('employees', () => {
  it('are refused by default: only routes naming \'employee\' in config.roles let them in', () => {
    const open = routes.filter((r) => !r.config.public && r.config.roles?.includes('employee')).map(key);
    expect(open.filter((k) => !EMPLOYEE_ROUTES.test(k))).toEqual([]);
    expect(routes.filter((r) => !r.config.public && !r.config.roles).map(key).filter((k) => EMPLOYEE_ROUTES.test(k))).toEqual([]);
  });

  it('see nobody but themself in any answer they get, whatever ids or filters are passed', async () => {
    const leaks: string[] = [];
    let answered = 0;
    for (const r of routes.filter((x) => EMPLOYEE_ROUTES.test(key(x)))) {
      const keys = queryKeys(r);
      const urls = paramNames(r.url).length ? ['E1', 'E3', 'E5', 'E6', 'ENG-M', 'SAL-M'].map((v) => fill(r.url, v)) : [r.url];
      for (const url of urls) {
        for (const q of [{}, ...keys.flatMap((k) => ['E1', 'E3', 'E5'].map((v) => ({ [k]: v })))]) {
          const res = await request(r, `${url}?${new URLSearchParams(q)}`, employee);
          if (res.statusCode >= 500) leaks.push(`${url} ${JSON.stringify(q)} → ${res.statusCode}`);
          if (res.statusCode !== 200) continue;
          answered++;
          const found = NOT_SELF_TEXT.exec(res.body.replaceAll('"manager_name":"Di Dealer"', '')); // their own manager's name is theirs
          if (found) leaks.push(`${url} ${JSON.stringify(q)}: "${found[0]}"`);
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(answered).toBeGreaterThan(1);
    const me = (await app.inject({ url: '/api/me', headers: employee })).json();
    expect(me.person).toMatchObject({ employee_id: 'E6', full_name: 'Ed Seller', manager_name: 'Di Dealer' });
  });

  it('get only their own account and the data date from /api/meta (no runs, no org-wide factors)', async () => {
    const meta = (await app.inject({ url: '/api/meta', headers: employee })).json();
    expect(meta).toMatchObject({ user: { username: 'emp-e6', role: 'employee', employeeId: 'E6' }, lastRun: null, lastGoodRun: null });
    expect((await app.inject({ url: '/api/meta', headers: leader })).json().lastRun).not.toBeNull();
  });
});

describe('leaders', () => {
  it('get 403 on pipeline, users, audit and backup, and are let in everywhere else', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => !x.config.public)) {
      const res = await request(r, fill(r.url, 'E3'), leader);
      const admin = ADMIN_AREAS.test(r.url);
      if (admin && res.statusCode !== 403) failures.push(`${key(r)} → ${res.statusCode}, want 403`);
      if (!admin && [401, 403].includes(res.statusCode)) failures.push(`${key(r)} → ${res.statusCode}, want access`);
    }
    expect(failures).toEqual([]);
  });
});

describe('managers', () => {
  const QUERIES: Record<string, string>[] = [
    {}, { manager: 'E1' }, { manager: 'E2' }, { manager: 'E3' }, { department: 'Engineering' }, { q: 'Bo' }, { q: 'E' },
    { employee: 'E3' }, { employee_id: 'E3' }, { scope: 'company' }, { scope: 'department' },
    { scope: 'job_family' }, { format: 'json' }, { format: 'csv' }, { format: 'arrow' },
    { format: 'parquet' }, { performance_band: 'high' }, { potential_band: 'high' },
  ];
  const PATH_VALUES = [...OUTSIDE, 'E6', 'ENG-M', 'ENG-3', 'SAL-M', 'retention_risk', 'career_path_state',
    'stg_employees', 'org_closure', 'stg_check_ins', 'skill_gaps_employee'];

  it('get 403 on the admin areas', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => ADMIN_AREAS.test(x.url))) {
      const res = await request(r, fill(r.url, 'E6'), manager);
      if (res.statusCode !== 403) failures.push(`${key(r)} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('see nobody outside their subtree in any answer, JSON or Arrow, whatever filters or ids are passed', async () => {
    const leaks: string[] = [];
    let answered = 0;
    const gets = routes.filter((r) => r.method === 'GET' && !r.config.public && !ADMIN_AREAS.test(r.url));
    for (const r of gets) {
      const keys = new Set(queryKeys(r));
      const queries = QUERIES.filter((q) => Object.keys(q).every((k) => keys.has(k)));
      const urls = paramNames(r.url).length ? PATH_VALUES.map((v) => fill(r.url, v)) : [r.url];
      for (const url of urls) {
        for (const q of queries) {
          for (const accept of ['application/json', ARROW]) {
            const res = await request(r, `${url}?${new URLSearchParams(q)}`, { ...manager, accept });
            if (res.statusCode >= 500) leaks.push(`${url} ${JSON.stringify(q)} ${accept} → ${res.statusCode}`);
            if (res.statusCode !== 200) continue;
            answered++;
            const text = await answerText(res);
            const found = OUTSIDE_TEXT.exec(text);
            if (found) leaks.push(`${url} ${JSON.stringify(q)} ${accept}: "${found[0]}"`);
          }
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(answered).toBeGreaterThan(20); // the walk really read answers
  });

  it('get 404 for the profile of anyone outside their subtree, and their own team answers', async () => {
    for (const id of OUTSIDE) {
      const res = await app.inject({ url: `/api/employees/${id}`, headers: manager });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toMatch(/Bo Builder|Cy Coder|Lead Hacker/); // the id is echoed, nothing about them
    }
    for (const id of INSIDE) {
      expect((await app.inject({ url: `/api/employees/${id}`, headers: manager })).statusCode).toBe(200);
    }
  });

  it('see exactly their team in the employee search', async () => {
    const res = await app.inject({ url: '/api/employees?limit=1000', headers: manager });
    expect(res.statusCode).toBe(200);
    expect(res.json().rows.map((r: { employee_id: string }) => r.employee_id).sort()).toEqual(INSIDE);
    const wide = await app.inject({ url: '/api/employees?limit=1000', headers: leader });
    expect(wide.json().rows.length).toBeGreaterThan(INSIDE.length); // the same route shows leaders more
  });
});

describe('hostile input', () => {
  const BAD = [
    "' or '1'='1", '1; drop table users; --', '../../../etc/passwd', '..\\..\\win.ini', '%2e%2e%2fetc%2fpasswd',
    'E1\u0000', 'x'.repeat(3000), 'users', '-1', '1e309',
  ];

  it('through every path and query parameter gets a clean 4xx or an answer, never a 5xx or internals', async () => {
    const problems: string[] = [];
    for (const r of routes.filter((x) => x.method === 'GET')) {
      const params = paramNames(r.url);
      const tries: string[] = [];
      for (const v of BAD) {
        if (params.length) tries.push(fill(r.url, v));
        for (const q of queryKeys(r)) tries.push(`${fill(r.url, 'E1')}?${new URLSearchParams({ [q]: v })}`);
      }
      for (const url of tries) {
        const res = await request(r, url, ADMIN);
        if (res.statusCode >= 500 || INTERNALS.test(res.body)) problems.push(`${url.slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
    // nothing was dropped or read out of place
    const users = await app.inject({ url: '/api/users', headers: ADMIN });
    expect(users.json().rows.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['lead', 'mgr-e5']));
  });

  it.each([
    '/api/export/..%2f..%2fusers', '/api/export/%2e%2e/users', '/api/export/users', '/api/export/sessions',
    '/api/export/audit_log', '/api/export/information_schema.tables', '/api/employees/..%2F..%2Fetc%2Fpasswd',
  ])('%s as a manager: 4xx, no account data', async (url) => {
    const res = await app.inject({ url, headers: manager });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toMatch(/scrypt|password_hash|trellis_session/);
  });

  it.each([
    '../../evil.csv', '..\\..\\evil.csv', 'employees.csv/../../evil.csv', '/etc/passwd', 'employees.csv\u0000.sh',
    '.employees.csv', 'employees.csv;rm -rf', 'con.csv',
  ])('upload named %j is refused and writes nothing outside the inbox', async (filename) => {
    const upload = routes.find((r) => r.method === 'POST' && r.url === '/api/pipeline/uploads');
    if (!upload) return; // no upload route in this build
    const boundary = '----trellis-test-boundary';
    const payload = Buffer.from([
      `--${boundary}`,
      `Content-Disposition: form-data; name="file"; filename="${filename.replaceAll('"', '%22')}"`,
      'Content-Type: text/csv', '', 'employee_id,full_name\nX1,Evil', `--${boundary}--`, '',
    ].join('\r\n'));
    const before = fs.readdirSync(dir, { recursive: true }).map(String).sort();
    const res = await app.inject({ method: 'POST', url: '/api/pipeline/uploads', payload,
      headers: { ...ADMIN, 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toMatch(INTERNALS);
    const after = fs.readdirSync(dir, { recursive: true }).map(String).sort();
    expect(after.filter((f) => !before.includes(f) && !f.endsWith('.wal'))).toEqual([]);
  });

  it('refuses a cross-site state change even with a valid session', async () => {
    const admin = await loginAs(app, 'admin', { username: 'csrf-admin' });
    const res = await app.inject({ method: 'POST', url: '/api/users',
      headers: { cookie: admin.cookie, origin: 'https://evil.example' },
      payload: { username: 'evil', role: 'admin', password: 'evil-password-1' } });
    expect(res.statusCode).toBe(403);
    const users = await app.inject({ url: '/api/users', headers: ADMIN });
    expect(users.json().rows.map((u: { username: string }) => u.username)).not.toContain('evil');
  });
});
