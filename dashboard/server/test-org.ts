// A tiny org for server tests, written straight into DuckDB tables shaped like the staging models
// and marts (the real marts replace this once they land; see routes' tests). Pinned as_of.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { all, exec, openDb, type Db } from '../../pipeline/src/db.ts';
import { buildModels } from '../../pipeline/src/model-build.ts';
import { discoverModels, orderModels, tableRefs, type Model } from '../../pipeline/src/models.ts';
import { ensureSourceTables } from '../../pipeline/src/ingest/tables.ts';
import { invalidateCatalog } from './context.ts';
import { buildServer } from './index.ts';
import type { FastifyInstance } from 'fastify';

export const AS_OF = '2026-03-31';

// E1 CEO ─┬─ E2 Eng manager ─┬─ E3
//         │                  └─ E4 (=Lead, formula-looking name)
//         └─ E5 Sales manager ── E6
// runs, run_files and rejects exist already (openDb's migrations make them)
const SQL = [
  `insert into runs (run_id, started_at, finished_at, as_of, trigger, status, error)
     values (1, '2026-03-31 02:00:00', '2026-03-31 02:00:05', '2026-03-31', 'cli', 'succeeded', null),
            (2, '2026-03-31 03:00:00', '2026-03-31 03:00:01', '2026-03-31', 'api', 'failed', 'bad file')`,
  `insert into run_files (run_id, file, dataset, sha256, status, rows_read, rows_loaded, rows_rejected, rows_warned, reason)
     values (1, 'employees.csv', 'employees', 'aa', 'loaded', 7, 6, 1, 0, null),
            (2, 'roles_x.csv', 'roles', 'bb', 'refused', 0, 0, 0, 0, 'missing column title')`,
  `insert into rejects (run_id, file, line, "column", value, reason, severity, dataset)
     values (1, 'employees.csv', 8, 'hire_date', '2026-02-30', 'hire_date "2026-02-30" is not a valid date', 'reject', 'employees'),
            (1, 'employees.csv', 3, 'email', 'x@y', 'duplicate email', 'warning', 'employees')`,
  `create table stg_roles (role_id varchar, title varchar, job_family varchar, level integer, track varchar, is_critical boolean, planned_headcount integer)`,
  `insert into stg_roles values ('CEO', 'Chief Executive', 'Executive', 12, 'executive', true, 1),
     ('ENG-M', 'Engineering Manager', 'Engineering', 6, 'manager', true, 1),
     ('ENG-2', 'Engineer II', 'Engineering', 2, 'ic', false, 3),
     ('ENG-3', 'Senior Engineer', 'Engineering', 3, 'ic', false, 2),
     ('SAL-M', 'Sales Manager', 'Sales', 6, 'manager', false, 1),
     ('SAL-1', 'Account Executive', 'Sales', 1, 'ic', false, 2)`,
  `create table stg_skills (skill_id varchar, name varchar, category varchar)`,
  `insert into stg_skills values ('S1', 'TypeScript', 'tech'), ('S2', 'Negotiation', 'business')`,
  `create table stg_role_skills (role_id varchar, skill_id varchar, required_level integer, importance integer)`,
  `insert into stg_role_skills values ('ENG-2', 'S1', 2, 3), ('ENG-3', 'S1', 3, 3), ('ENG-M', 'S1', 3, 2), ('SAL-1', 'S2', 2, 2)`,
  `create table stg_role_progressions (from_role_id varchar, to_role_id varchar, typical_months integer, move varchar)`,
  `insert into stg_role_progressions values ('ENG-2', 'ENG-3', 24, 'promotion'), ('ENG-3', 'ENG-M', 24, 'promotion'), ('SAL-1', 'SAL-M', 30, 'promotion')`,
  `create table stg_employees (employee_id varchar, full_name varchar, email varchar, department varchar, role_id varchar,
     manager_id varchar, location varchar, hire_date date, role_start_date date, last_promotion_date date,
     termination_date date, termination_type varchar, regrettable boolean)`,
  `insert into stg_employees values
     ('E1', 'Ada Chief', null, 'Executive', 'CEO', null, null, '2015-01-01', '2015-01-01', null, null, null, null),
     ('E2', 'Bo Builder', null, 'Engineering', 'ENG-M', 'E1', null, '2018-01-01', '2020-01-01', '2020-01-01', null, null, null),
     ('E3', 'Cy Coder', null, 'Engineering', 'ENG-2', 'E2', null, '2021-01-01', '2021-01-01', null, null, null, null),
     ('E4', '=Lead Hacker', null, 'Engineering', 'ENG-3', 'E2', null, '2019-06-01', '2022-06-01', '2022-06-01', null, null, null),
     ('E5', 'Di Dealer', null, 'Sales', 'SAL-M', 'E1', null, '2017-01-01', '2017-01-01', null, null, null, null),
     ('E6', 'Ed Seller', null, 'Sales', 'SAL-1', 'E5', null, '2022-01-01', '2022-01-01', null, null, null, null),
     ('E7', 'Gone Person', null, 'Sales', 'SAL-1', 'E5', null, '2020-01-01', '2020-01-01', null, '2025-01-01', 'voluntary', true)`,
  `create table org_closure as
     with recursive walk(ancestor_id, employee_id, depth) as (
       select employee_id, employee_id, 0 from stg_employees where termination_date is null
       union all
       select e.manager_id, w.employee_id, w.depth + 1 from walk w join stg_employees e on e.employee_id = w.ancestor_id
       where e.manager_id is not null)
     select * from walk`,
  `create table career_path_state (employee_id varchar, full_name varchar, department varchar, role_id varchar, manager_id varchar,
     path_state varchar, path_targets varchar[], n_path_targets integer, n_linked_goals integer)`,
  `insert into career_path_state values
     ('E1', 'Ada Chief', 'Executive', 'CEO', null, 'no_path', [], 0, 0),
     ('E2', 'Bo Builder', 'Engineering', 'ENG-M', 'E1', 'plan_only', ['CEO'], 1, 0),
     ('E3', 'Cy Coder', 'Engineering', 'ENG-2', 'E2', 'on_path', ['ENG-3'], 1, 2),
     ('E4', '=Lead Hacker', 'Engineering', 'ENG-3', 'E2', 'no_path', [], 0, 0),
     ('E5', 'Di Dealer', 'Sales', 'SAL-M', 'E1', 'no_path', [], 0, 0),
     ('E6', 'Ed Seller', 'Sales', 'SAL-1', 'E5', 'on_path', ['SAL-M'], 1, 1)`,
  `create table retention_risk (employee_id varchar, path_state varchar, no_path boolean, plan_only boolean, stalled boolean,
     low_pulse boolean, pulse_drop boolean, checkins_lapsed boolean, no_career_talk boolean, high_performer_off_path boolean,
     score integer, band varchar, reasons varchar, factors_off varchar)`,
  `insert into retention_risk values
     ('E1', 'no_path', true, false, true, false, false, true, true, false, 75, 'high', 'No career path; stalled', null),
     ('E2', 'plan_only', false, true, true, false, false, false, false, true, 40, 'medium', 'Plan only', null),
     ('E3', 'on_path', false, false, false, false, false, false, false, false, 0, 'low', '', null),
     ('E4', 'no_path', true, false, false, true, true, false, false, false, 55, 'high', 'No career path; low pulse', null),
     ('E5', 'no_path', true, false, true, false, false, false, false, false, 45, 'medium', 'No career path', null),
     ('E6', 'on_path', false, false, false, false, false, true, false, false, 10, 'low', 'Check-ins lapsed', null)`,
];

export async function createTestOrg(dir: string): Promise<Db> {
  const db = await openDb(path.join(dir, 'test.duckdb'));
  const conn = await db.connect();
  try {
    for (const sql of SQL) await exec(conn, sql);
  } finally {
    conn.closeSync();
  }
  return db;
}

/** Build one model of the repo's sql/ over the test org with the real runner (e.g. retention_list, with its ENUM columns). */
export async function buildRepoModel(db: Db, name: string): Promise<void> {
  const models = new Map(discoverModels().map((m) => [m.name, m]));
  if (!models.has(name)) throw new Error(`no model ${name} in sql/`);
  const conn = await db.connect();
  try {
    // The model, and the models it reads that the test org does not have yet (a new upstream model too),
    // over empty source tables where the hand-made org has none (e.g. job_history).
    const have = new Set((await all<{ t: string }>(conn, "select table_name as t from information_schema.tables where table_schema = 'main'")).map((r) => r.t));
    const wanted = new Map<string, Model>();
    const visit = (m: Model) => {
      if (wanted.has(m.name)) return;
      for (const ref of tableRefs(m.sql)) {
        const upstream = models.get(ref);
        if (upstream && !have.has(ref)) visit(upstream);
      }
      wanted.set(m.name, m);
    };
    visit(models.get(name)!);
    const missingSources = [...wanted.values()].flatMap((m) => tableRefs(m.sql))
      .filter((t) => t.startsWith('src_') && !have.has(t)).map((t) => t.slice('src_'.length));
    await ensureSourceTables(conn, missingSources);
    await buildModels(conn, orderModels([...wanted.values()]), { asOf: AS_OF });
  } finally {
    conn.closeSync();
  }
  invalidateCatalog();
}

export function tmpDir(prefix = 'trellis-server-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const LOCAL_TOKEN = 'test-local-token-0123456789abcdef';
export const ADMIN = { authorization: `Bearer ${LOCAL_TOKEN}` };

/** A server on the tiny org; `ADMIN` headers use the local token. */
export async function testServer(dir = tmpDir()): Promise<{ app: FastifyInstance; db: Db; dir: string }> {
  const db = await createTestOrg(dir);
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox, { recursive: true });
  const app = await buildServer({
    config: { inbox, asOf: AS_OF, uploadLimitMb: 1, staticDir: path.join(dir, 'no-build') },
    db, localToken: LOCAL_TOKEN,
  });
  await app.ready();
  return { app, db, dir };
}

/**
 * A hand-made org of fixtures/orgs/<name> loaded through the real runPipeline, and a server on it;
 * `append` adds rows (CSV lines) to some of its files, for a test's variant of the org; `edit` changes the
 * copied files before the run; `auth` goes to the auth plugin (e.g. a pinned clock `now`); `status`: how the run
 * must end (default succeeded; succeeded_with_issues for an org made to have rejects).
 */
export async function orgServer(name = 'paths', append: Record<string, string[]> = {},
  opts: { edit?: (inbox: string) => void; auth?: Record<string, unknown>; status?: 'succeeded' | 'succeeded_with_issues' } = {},
): Promise<{ app: FastifyInstance; db: Db; dir: string; asOf: string; inbox: string }> {
  const { runPipeline } = await import('../../pipeline/src/run.ts');
  const { REPO_ROOT } = await import('./paths.ts');
  const src = path.join(REPO_ROOT, 'fixtures', 'orgs', name);
  const asOf = fs.readFileSync(path.join(src, 'as_of.txt'), 'utf8').trim();
  const dir = tmpDir();
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  for (const f of fs.readdirSync(src)) if (f.endsWith('.csv')) fs.copyFileSync(path.join(src, f), path.join(inbox, f));
  for (const [f, lines] of Object.entries(append)) {
    const text = fs.readFileSync(path.join(inbox, f), 'utf8');
    fs.writeFileSync(path.join(inbox, f), `${text}${text.endsWith('\n') ? '' : '\n'}${lines.join('\n')}\n`);
  }
  opts.edit?.(inbox);
  const db = await openDb(path.join(dir, 'org.duckdb'));
  const summary = await runPipeline(db, { inbox, asOf, trigger: 'cli', clock: () => new Date('2026-01-01T00:00:00Z') });
  if (summary.status !== (opts.status ?? 'succeeded')) throw new Error(`pipeline on fixtures/orgs/${name}: ${summary.status} ${summary.error}`);
  const app = await buildServer({
    config: { inbox, asOf, uploadLimitMb: 1, staticDir: path.join(dir, 'no-build') },
    db, localToken: LOCAL_TOKEN, ...(opts.auth ? { auth: opts.auth } : {}),
  });
  await app.ready();
  return { app, db, dir, asOf, inbox };
}
