// History (../shared/spec/history.md): the history tables are the models' own answer at each date.
// - At T = as_of, history_retention_risk and history_overview equal the current marts (every hand org).
// - At past T, the model graph run with as_of = T (and the run's date as $run_as_of) gives the rows the
//   set-based history holds at T (the history org, and a small generated org with job histories).
// - Role, manager and department at T come from job_history; the fallback is noted; history months.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, one, openDb, type Row } from '../pipeline/src/db.ts';
import { buildModels } from '../pipeline/src/model-build.ts';
import { discoverModels, type Model } from '../pipeline/src/models.ts';
import { runPipeline } from '../pipeline/src/run.ts';
import { generateOrg } from '../fixtures/generator/generateOrg.ts';
import { main } from '../pipeline/src/cli.ts';
import { TextSink } from '../pipeline/src/text-sink.ts';
import { ORGS_DIR, buildOrg, type Built } from './tests/harness.ts';

const FLAGS = ['no_path', 'plan_only', 'stalled', 'low_pulse', 'pulse_drop', 'checkins_lapsed', 'no_career_talk', 'high_performer_off_path'];
const RISK_COLUMNS = ['employee_id', 'path_state', 'score', 'band', ...FLAGS].join(', ');

/** The graph without the history models: what a run with as_of = T builds. */
const currentModels = (): Model[] => discoverModels().filter((m) => !m.file.startsWith('history'));

const text = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

/** The current marts' risk rows, and the history's rows at `date`. */
async function riskPair(conn: DuckDBConnection, date: string) {
  const current = await all(conn, `select ${RISK_COLUMNS} from retention_risk`);
  const history = await all(conn, `select ${RISK_COLUMNS} from history_retention_risk where as_of_date = $d::date`, { d: date });
  return { current: text(current), history: text(history) };
}

/** The overview's figures as the current marts give them, and history_overview's row at `date`. */
async function overviewPair(conn: DuckDBConnection, date: string) {
  const current = await one(conn, `select
      (select count(*) from career_path_state)::int as n_active,
      (select count(*) filter (where path_state = 'on_path') from career_path_state)::int as n_on_path,
      (select count(*) filter (where path_state = 'plan_only') from career_path_state)::int as n_plan_only,
      (select count(*) filter (where path_state = 'no_path') from career_path_state)::int as n_no_path,
      (select count(*) filter (where path_state = 'top_of_ladder') from career_path_state)::int as n_top_of_ladder,
      (select count(*) filter (where band = 'high') from retention_risk)::int as n_risk_high,
      (select count(*) filter (where band = 'medium') from retention_risk)::int as n_risk_medium,
      (select round(avg(score), 9) from retention_risk)::double as mean_risk_score,
      (select round(succession_readiness_rate, 9) from succession_summary)::double as succession_readiness_rate,
      (select round(bench_strength_index, 9) from succession_summary)::double as bench_strength_index,
      (select round(avg(coverage), 9) from role_coverage where target_kind = 'current')::double as mean_current_role_coverage,
      (select sum(n_active) from headcount)::int as headcount`);
  const history = await one(conn, `select n_active, n_on_path, n_plan_only, n_no_path, n_top_of_ladder, n_risk_high, n_risk_medium,
      round(mean_risk_score, 9)::double as mean_risk_score, round(succession_readiness_rate, 9)::double as succession_readiness_rate,
      round(bench_strength_index, 9)::double as bench_strength_index,
      round(mean_current_role_coverage, 9)::double as mean_current_role_coverage, n_active as headcount
    from history_overview where as_of_date = $d::date`, { d: date });
  return { current, history };
}

const orgs = fs.readdirSync(ORGS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(ORGS_DIR, e.name, 'expected')))
  .map((e) => e.name)
  .sort();

describe.each(orgs)('org %s: history at as_of is the current marts', (org) => {
  const dir = path.join(ORGS_DIR, org);
  const asOf = fs.readFileSync(path.join(dir, 'as_of.txt'), 'utf8').trim();
  let built: Built;
  beforeAll(async () => { built = await buildOrg(dir, asOf); });
  afterAll(() => built?.db.close());

  it('history_retention_risk at as_of = retention_risk, row for row', async () => {
    const { current, history } = await riskPair(built.conn, asOf);
    expect(current.length).toBeGreaterThan(0);
    expect(history).toEqual(current);
  });

  it('history_overview at as_of = the current marts\' figures', async () => {
    const { current, history } = await overviewPair(built.conn, asOf);
    expect(history).toEqual(current);
  });
});

/** Build an org as of its run date, then for each past T rebuild the current graph as of T and compare. */
async function pastDatesAgree(conn: DuckDBConnection, asOf: string, dates: string[]) {
  const models = currentModels();
  const out: { date: string; risk: ReturnType<typeof riskPair> extends Promise<infer R> ? R : never; overview: Awaited<ReturnType<typeof overviewPair>> }[] = [];
  for (const date of dates) {
    await buildModels(conn, models, { asOf: date, runAsOf: asOf });
    out.push({ date, risk: await riskPair(conn, date), overview: await overviewPair(conn, date) });
  }
  return out;
}

describe('history org: each past date is the graph run as of that date', () => {
  const dir = path.join(ORGS_DIR, 'history');
  let built: Built;
  beforeAll(async () => { built = await buildOrg(dir, '2026-06-30'); });
  afterAll(() => built?.db.close());

  it('has the four dates of history_months.txt = 3', async () => {
    expect((await all(built.conn, "select strftime(as_of_date, '%Y-%m-%d') as d from history_dates order by 1")).map((r) => r.d))
      .toEqual(['2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30']);
  });

  it('role, manager and department at T come from job_history (promotion, transfer, manager change), else the current ones', async () => {
    const rows = await all(built.conn, `select strftime(as_of_date, '%Y-%m-%d') as d, employee_id as e, role_id, manager_id, department,
        strftime(last_promotion_date, '%Y-%m-%d') as promoted, has_job_row
      from hist_employees_active where employee_id in ('E01', 'E05', 'E06', 'E07') order by e, d`);
    const at = (e: string, d: string) => rows.find((r) => r.e === e && r.d === d);
    // E05: promoted ENG1 → ENG2 on 2026-05-01; before it, the snapshot's later promotion date does not count
    expect(at('E05', '2026-04-30')).toMatchObject({ role_id: 'ENG1', promoted: null });
    expect(at('E05', '2026-05-31')).toMatchObject({ role_id: 'ENG2', promoted: '2026-05-01' });
    // E06: transferred from Sales (SAL1, manager E03) to Operations (OPS, manager E01) on 2026-04-15
    expect(at('E06', '2026-03-31')).toMatchObject({ role_id: 'SAL1', manager_id: 'E03', department: 'Sales' });
    expect(at('E06', '2026-04-30')).toMatchObject({ role_id: 'OPS', manager_id: 'E01', department: 'Operations' });
    // E07: same role, manager E04 → E02 on 2026-05-15
    expect(at('E07', '2026-04-30')).toMatchObject({ role_id: 'ENG1', manager_id: 'E04' });
    expect(at('E07', '2026-05-31')).toMatchObject({ role_id: 'ENG1', manager_id: 'E02' });
    // E01 has no job_history row: the current values, counted in the note
    expect(at('E01', '2026-03-31')).toMatchObject({ role_id: 'CEO', manager_id: null, department: 'Executive', has_job_row: false });
    expect(built.notes).toContain('history: 4 of 50 employee-dates over 4 dates have no job_history row on or before the date and use the current role, manager and department');
  });

  it('at 2026-03-31, 04-30 and 05-31 the graph run as of T gives history\'s rows and figures', async () => {
    for (const r of await pastDatesAgree(built.conn, '2026-06-30', ['2026-03-31', '2026-04-30', '2026-05-31'])) {
      expect(r.risk.history.length, r.date).toBeGreaterThan(0);
      expect(r.risk.current, r.date).toEqual(r.risk.history);
      expect(r.overview.current, r.date).toEqual(r.overview.history);
    }
    // and the manager tree as of 2026-04-30 (the last build was 05-31): E07 under E02 then
    expect(await all(built.conn, "select ancestor_id from org_closure where employee_id = 'E07' and depth = 1")).toEqual([{ ancestor_id: 'E02' }]);
    await buildModels(built.conn, currentModels(), { asOf: '2026-04-30', runAsOf: '2026-06-30' });
    expect(await all(built.conn, "select ancestor_id from org_closure where employee_id = 'E07' and depth = 1")).toEqual([{ ancestor_id: 'E04' }]);
    expect(await all(built.conn, "select department, n_active from headcount where department = 'Operations'")).toEqual([{ department: 'Operations', n_active: 1 }]);
  });
});

describe('a generated org with job histories: past dates are the graph run as of them', () => {
  const AS_OF = '2026-06-30';
  let tmp: string;
  let conn: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-history-gen-'));
    const inbox = path.join(tmp, 'inbox');
    await generateOrg({ employees: 300, seed: 7, asOf: AS_OF, out: inbox });
    const db = await openDb(path.join(tmp, 'trellis.duckdb'));
    const summary = await runPipeline(db, { inbox, asOf: AS_OF, historyMonths: 12, trigger: 'cli', clock: () => new Date('2026-07-01T00:00:00Z') });
    expect(summary.error).toBeNull();
    conn = await db.connect();
    close = () => db.close();
  });
  afterAll(() => { close?.(); fs.rmSync(tmp, { recursive: true, force: true }); });

  it('holds job histories with promotions, transfers and manager changes', async () => {
    const reasons = await all(conn, 'select reason, count(*)::int as n from stg_job_history group by reason order by reason');
    expect(reasons.map((r) => r.reason)).toEqual(expect.arrayContaining(['hire', 'promotion', 'transfer']));
    // a change of manager without a change of role
    const moves = await one(conn, `select count(*)::int as n from (select manager_id, role_id,
        lag(manager_id) over w as prev_manager, lag(role_id) over w as prev_role from stg_job_history
        window w as (partition by employee_id order by effective_date)) where prev_role = role_id and prev_manager is distinct from manager_id`);
    expect(Number(moves?.n)).toBeGreaterThan(0);
  });

  it('at three past month-ends the graph as of T equals history', async () => {
    for (const r of await pastDatesAgree(conn, AS_OF, ['2025-07-31', '2025-12-31', '2026-04-30'])) {
      expect(r.risk.history.length, r.date).toBeGreaterThan(100);
      expect(r.risk.current, r.date).toEqual(r.risk.history);
      expect(r.overview.current, r.date).toEqual(r.overview.history);
    }
  });
});

describe('history months and re-runs', () => {
  let tmp: string;
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-history-runs-')); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('0 months keeps only as_of; a no-change re-run rebuilds nothing; another depth rebuilds', async () => {
    const db = await openDb(path.join(tmp, 'trellis.duckdb'));
    const conn = await db.connect();
    const inbox = path.join(tmp, 'inbox');
    fs.cpSync(path.join(ORGS_DIR, 'history'), inbox, { recursive: true });
    for (const f of fs.readdirSync(inbox)) if (!f.endsWith('.csv')) fs.rmSync(path.join(inbox, f), { recursive: true });
    const run = (historyMonths?: number) => runPipeline(db, { inbox, asOf: '2026-06-30', historyMonths, trigger: 'cli' });
    try {
      expect((await run(0)).status).toBe('succeeded');
      expect(await all(conn, "select strftime(as_of_date, '%Y-%m-%d') as d from history_dates")).toEqual([{ d: '2026-06-30' }]);
      const again = await run(0);
      expect(again.status).toBe('no_change');
      expect(again.timings.models).toBe(0);
      const deeper = await run(2);
      expect(deeper.status).toBe('succeeded');
      expect(Number((await one(conn, 'select count(*)::int as n from history_dates'))?.n)).toBe(3);
      // the default depth reaches back 24 months, but not before the first hire (2015): 25 dates
      expect((await run()).status).toBe('succeeded');
      expect(Number((await one(conn, 'select count(*)::int as n from history_overview'))?.n)).toBe(25);
    } finally {
      conn.closeSync();
      db.close();
    }
  });
});

describe('trellis run --history-months and trellis export of the history tables', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-history-cli-'));
    fs.mkdirSync(path.join(tmp, 'inbox'));
    const org = path.join(ORGS_DIR, 'history');
    for (const f of fs.readdirSync(org).filter((x) => x.endsWith('.csv'))) fs.copyFileSync(path.join(org, f), path.join(tmp, 'inbox', f));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const cli = async (env: Record<string, string>, ...argv: string[]) => {
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = await main(argv, { stdout, stderr, env: { TRELLIS_DB: 'db/trellis.duckdb', TRELLIS_INBOX: 'inbox', ...env }, cwd: tmp });
    return { code, out: stdout.text, err: stderr.text };
  };

  it('refuses a bad number, runs with N months (the flag over TRELLIS_HISTORY_MONTHS) and exports every history table', async () => {
    expect((await cli({}, 'run', '--as-of', '2026-06-30', '--history-months', 'two')).code).toBe(2);
    const r = await cli({ TRELLIS_HISTORY_MONTHS: '9' }, 'run', '--as-of', '2026-06-30', '--history-months', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/note: history: 3 of 37 employee-dates over 3 dates have no job_history row/);
    const out = await cli({}, 'export', 'history_overview', '--format', 'csv');
    expect(out.code).toBe(0);
    expect(out.out.trim().split('\n').map((l) => l.split(',')[0])).toEqual(['as_of_date', '2026-04-30', '2026-05-31', '2026-06-30']);
    for (const table of ['history_dates', 'history_retention_risk']) {
      const e = await cli({}, 'export', table, '--format', 'csv');
      expect(e.code, table).toBe(0);
      expect(e.out.split('\n')[0], table).toMatch(/^as_of_date,/);
    }
    // the config's depth when no flag is given: a new depth rebuilds
    const env = await cli({ TRELLIS_HISTORY_MONTHS: '1' }, 'run', '--as-of', '2026-06-30');
    expect(env.code).toBe(0);
    expect((await cli({}, 'export', 'history_dates', '--format', 'csv')).out.trim().split('\n')).toHaveLength(3);
  });
});
