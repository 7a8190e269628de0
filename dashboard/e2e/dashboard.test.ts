// The dashboard end to end: real pipeline, real server, real browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber } from '../src/lib/format.ts';
import { REPO_ROOT, screenshot, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => { h = await startHarness('succession', { mappings: ['bamboohr-employees.yml'] }); });
afterAll(async () => { await h?.close(); });

describe('pages load', () => {
  it.each([
    ['overview', '/', 'Overview'],
    ['skill-gaps', '/skill-gaps', 'Skill gaps'],
    ['succession', '/succession', 'Succession'],
    ['retention', '/retention', 'Retention — no path'],
    ['goals', '/goals', 'Goals'],
    ['talent-needs', '/talent-needs', 'Talent needs'],
    ['framework', '/framework', 'Career framework'],
    ['employees', '/employees', 'Employees'],
    ['pipeline', '/pipeline', 'Pipeline'],
  ])('%s', async (name, url, title) => {
    const { page, errors } = await h.open(url);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.getByTestId('as-of').waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('as-of').textContent()).toBe(h.asOf);
    await screenshot(page, name);
    expect(await page.getByRole('alert').count(), await page.getByRole('alert').allTextContents().then((t) => t.join('\n'))).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

type R = Record<string, unknown>;
/** The body rows of the table with this accessible name. */
const rowsOf = (page: import('playwright-core').Page, table: string) => page.getByRole('table', { name: table, exact: true }).locator('tbody tr');

describe('figures match the marts', () => {
  it('overview shows the headcount and no-path count of career_path_state', async () => {
    const [c] = await h.sql<{ n: number; no_path: number }>(
      `select count(*)::int as n, count(*) filter (where path_state = 'no_path')::int as no_path from career_path_state`);
    const { page, errors } = await h.open('/');
    await page.getByTestId('headcount').waitFor();
    expect(await page.getByTestId('headcount').textContent()).toBe(String(c.n));
    await expect.poll(() => page.getByText(`${c.no_path} employees`).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('succession lists every critical role with its ready-now count', async () => {
    const roles = await h.sql<{ title: string; n_ready_now: number }>(`select title, n_ready_now::int as n_ready_now from succession_roles order by title`);
    const { page } = await h.open('/succession');
    const rows = rowsOf(page, 'Critical roles');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(roles.length);
    for (const r of roles) {
      const row = rows.filter({ has: page.getByRole('link', { name: r.title, exact: true }) });
      expect(await row.locator('td').nth(5).textContent()).toBe(String(r.n_ready_now));
    }
    await page.close();
  });
});

describe('definitions of December 2026', () => {
  it("succession shows successor coverage's median beside the mean, and bench strength with its decimals", async () => {
    const [summary] = await h.sql<{ median: number }>('select successor_coverage_median as median from succession_summary');
    const roles = await h.sql<{ title: string; bench_strength: number }>('select title, bench_strength from succession_roles');
    expect(roles.some((r) => !Number.isInteger(r.bench_strength))).toBe(true); // a ½ weight shows
    const { page, errors } = await h.open('/succession');
    await page.getByTestId('coverage-median').waitFor();
    expect(Number(await page.getByTestId('coverage-median').textContent())).toBeCloseTo(summary.median, 2);
    const rows = rowsOf(page, 'Critical roles');
    await rows.first().waitFor();
    for (const r of roles) {
      const row = rows.filter({ has: page.getByRole('link', { name: r.title, exact: true }) });
      expect(await row.locator('td').nth(10).textContent()).toBe(formatNumber(r.bench_strength, 'decimal'));
    }
    expect(await page.getByTestId('factors-off').count()).toBe(0); // every dataset is loaded
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the retention page lists the top_of_ladder employees when that path state is chosen', async () => {
    const expected = await h.sql<{ employee_id: string }>(
      "select employee_id from retention_risk where path_state = 'top_of_ladder' order by employee_id");
    expect(expected.length).toBeGreaterThan(0);
    const { page, errors } = await h.open('/retention?path_state=top_of_ladder');
    const rows = rowsOf(page, 'Top of ladder employees by risk');
    await rows.first().waitFor();
    expect((await rows.locator('td:nth-child(2)').allTextContents()).sort()).toEqual(expected.map((e) => e.employee_id));
    expect(await page.getByTestId('factors-off').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('filters, drill-down, export', () => {
  it('a department filter changes the retention list to that department', async () => {
    // on_path: the fixture's no_path and plan_only people all work in Engineering (its top_of_ladder
    // incumbents are in Product and Operations), so a department filter only narrows the on_path list
    const all = await h.sql<{ n: number }>(`select count(*)::int as n from retention_risk where path_state = 'on_path'`);
    const [{ department }] = await h.sql<{ department: string }>(`
      select c.department from retention_risk r join career_path_state c using (employee_id)
      where r.path_state = 'on_path' group by 1 order by count(*) desc, 1 limit 1`);
    const [{ n }] = await h.sql<{ n: number }>(`select count(*)::int as n from retention_risk r join career_path_state c using (employee_id)
      where r.path_state = 'on_path' and c.department = $d`, { d: department });
    expect(n).toBeLessThan(all[0].n); // the filter must make a difference for the test to mean anything

    const { page, errors } = await h.open('/retention?path_state=on_path');
    const rows = rowsOf(page, 'On path employees by risk');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(all[0].n);
    await page.getByLabel('Department').selectOption(department);
    await page.waitForURL(/department=/);
    await expect.poll(() => rows.count()).toBe(n);
    expect(new URL(page.url()).searchParams.get('department')).toBe(department);
    await screenshot(page, 'retention-filtered');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a heatmap row drills down to the employees behind it and on to one employee', async () => {
    const { page, errors } = await h.open('/skill-gaps');
    const first = rowsOf(page, 'Skill gaps by department').first();
    await first.waitFor();
    const department = (await first.locator('td').nth(0).textContent())!;
    await first.getByRole('link', { name: 'Employees' }).click();
    await page.waitForURL(/skill=/);
    const skill = new URL(page.url()).searchParams.get('skill')!;
    const expected = await h.sql<{ employee_id: string; full_name: string }>(`
      select distinct g.employee_id, c.full_name from skill_gaps_employee g join career_path_state c using (employee_id)
      where c.department = $d and g.skill_id = $s and g.target_kind = 'current' order by 1`, { d: department, s: skill });
    expect(expected.length).toBeGreaterThan(0);
    const drill = rowsOf(page, `Employees ${department} ${skill}`);
    await drill.first().waitFor();
    expect(await drill.count()).toBe(expected.length);
    await screenshot(page, 'skill-gaps-drill');
    await drill.first().getByRole('link').first().click();
    await page.waitForURL(/\/employees\//);
    const id = decodeURIComponent(page.url().split('/employees/')[1]);
    const who = expected.find((e) => e.employee_id === id);
    expect(who).toBeDefined();
    await page.getByRole('heading', { level: 1, name: who!.full_name }).waitFor();
    await screenshot(page, 'employee');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('exporting the retention table downloads its rows as CSV', async () => {
    const expected = await h.sql<{ employee_id: string }>(`
      select employee_id from retention_risk where path_state in ('no_path', 'plan_only') order by employee_id`);
    const { page } = await h.open('/retention');
    await rowsOf(page, 'No path and plan-only employees by risk').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV: No path and plan-only employees by risk' }).click(),
    ]);
    const file = await download.path();
    const text = (await import('node:fs')).readFileSync(file, 'utf8').replace(/^\ufeff/, '');
    const lines = text.trim().split('\r\n');
    const header = lines[0].split(',');
    expect(header).toContain('Id');
    const idCol = header.indexOf('Id');
    expect(lines.slice(1).map((l) => l.split(',')[idCol]).sort()).toEqual(expected.map((e) => e.employee_id));
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    await page.close();
  });
});

describe("a manager's organisation and team", () => {
  const LIST = 'No path and plan-only employees by risk';
  const offPath = (where: string) => h.sql<{ employee_id: string }>(`select c.employee_id from retention_risk r
    join career_path_state c using (employee_id) where r.path_state in ('no_path', 'plan_only') and ${where} order by 1`);
  const idsOn = async (page: import('playwright-core').Page) => (await rowsOf(page, LIST).evaluateAll((trs) =>
    trs.map((tr) => tr.querySelector('a[href^="/employees/"]')?.getAttribute('href')?.split('/').pop() ?? ''))).sort();

  it('succession says "your organisation" to a manager, over the critical roles held in it only', async () => {
    const admin = await h.open('/succession');
    await admin.page.getByTestId('critical-roles-scope').waitFor();
    expect(await admin.page.getByTestId('critical-roles-scope').textContent()).toBe('in the whole organisation');
    await admin.page.close();
    const context = await h.contextAs('manager', 'B01'); // Tara: TL is the one critical role held in her subtree
    const { page, errors } = await h.open('/succession', context);
    await page.getByTestId('critical-roles-scope').waitFor();
    expect(await page.getByTestId('critical-roles-scope').textContent()).toBe('in your organisation');
    expect(await page.getByText('whole organisation').count()).toBe(0);
    await expect.poll(() => rowsOf(page, 'Critical roles').count()).toBe(1);
    await page.getByRole('link', { name: 'Tech Lead', exact: true }).waitFor();
    await screenshot(page, 'succession-manager');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a manager whose own employee left is told why every page shows no one, not that nothing is loaded', async () => {
    const [left] = await h.sql<{ full_name: string; left_on: string }>(`select full_name, strftime(termination_date, '%Y-%m-%d') as left_on
      from stg_employees where employee_id = 'B10' and termination_date is not null`);
    expect(left).toBeDefined();
    const context = await h.contextAs('manager', 'B10');
    const { page, errors } = await h.open('/', context);
    const notice = page.getByTestId('unlinked');
    await notice.waitFor();
    expect((await notice.textContent())!.replace(/\s+/g, ' ').trim()).toBe(`Your account stands for employee B10 (${left.full_name}), who left on ${left.left_on} `
      + `in the data as of ${await page.getByTestId('as-of').textContent()}, so your pages show no one. Ask an administrator to link your account to your current employee id.`);
    await page.getByText('No active employees in your organisation').waitFor();
    expect(await page.getByText('No employees loaded yet').count()).toBe(0);
    await page.goto(new URL('/retention', page.url()).href);
    await page.getByTestId('unlinked').waitFor();
    await screenshot(page, 'manager-left');
    expect(errors).toEqual([]);
    await context.close();
    // a manager who still works here sees no such notice
    const tara = await h.contextAs('manager', 'B01');
    const other = await h.open('/', tara);
    await other.page.getByTestId('headcount').waitFor();
    expect(await other.page.getByTestId('unlinked').count()).toBe(0);
    await tara.close();
  });

  it('a manager narrows the retention list to their direct reports, and the export has those rows', async () => {
    const team = await offPath(`c.employee_id in (select employee_id from org_closure where ancestor_id = 'B01')`);
    const direct = await offPath(`c.manager_id = 'B01'`);
    expect(direct.length).toBeGreaterThan(0);
    expect(direct.length).toBeLessThan(team.length);
    const context = await h.contextAs('manager', 'B01');
    const { page, errors } = await h.open('/retention', context);
    await rowsOf(page, LIST).first().waitFor();
    expect(await idsOn(page)).toEqual(team.map((r) => r.employee_id));
    expect(await page.getByLabel('Manager').count()).toBe(0); // a manager's team is their own
    await page.getByLabel('Team').selectOption({ label: 'My direct reports' });
    await page.waitForURL(/reports=direct/);
    await expect.poll(() => rowsOf(page, LIST).count()).toBe(direct.length);
    expect(await idsOn(page)).toEqual(direct.map((r) => r.employee_id));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Export CSV: ${LIST}` }).click(),
    ]);
    const lines = (await import('node:fs')).readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    const idCol = lines[0].split(',').indexOf('Id');
    expect(lines.slice(1).map((l) => l.split(',')[idCol]).sort()).toEqual(direct.map((r) => r.employee_id));
    await screenshot(page, 'retention-manager-direct');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('HR picks a manager, then only their direct reports', async () => {
    const { page, errors } = await h.open('/retention');
    await rowsOf(page, LIST).first().waitFor();
    await page.getByLabel('Manager').selectOption('B01');
    await page.waitForURL(/manager=B01/);
    const team = await offPath(`c.employee_id in (select employee_id from org_closure where ancestor_id = 'B01')`);
    await expect.poll(() => rowsOf(page, LIST).count()).toBe(team.length);
    await page.getByLabel('Team').selectOption({ label: 'Direct reports only' });
    await page.waitForURL(/reports=direct/);
    const direct = await offPath(`c.manager_id = 'B01'`);
    await expect.poll(() => rowsOf(page, LIST).count()).toBe(direct.length);
    expect(await idsOn(page)).toEqual(direct.map((r) => r.employee_id));
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('pipeline', () => {
  it('an upload and a run show progress and then the new data', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const original = fs.readFileSync(path.join(h.dir, 'inbox', 'archive', '1', 'employees.csv'), 'utf8').trimEnd();
    const extra = `${original}\nZ99,Zed Newcomer,zed@example.com,Engineering,${(await h.sql<R>('select role_id from stg_employees limit 1'))[0].role_id},,Oslo,2025-01-06,,,,,\n`;
    const { page, errors } = await h.open('/pipeline');
    await page.getByRole('heading', { level: 1, name: 'Pipeline' }).waitFor();
    await page.getByLabel(/CSV or Parquet file/).setInputFiles({ name: 'employees.csv', mimeType: 'text/csv', buffer: Buffer.from(extra) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Uploaded employees.csv').waitFor();
    await page.getByRole('button', { name: 'Run pipeline now' }).click();
    await page.getByRole('status', { name: 'Run progress' }).waitFor();
    await expect.poll(() => page.getByTestId('progress-status').textContent(), { timeout: 60_000 }).toBe('succeeded');
    const [run] = await h.sql<{ run_id: number; status: string }>('select run_id::int as run_id, status from runs order by run_id desc limit 1');
    expect(run).toEqual({ run_id: 2, status: 'succeeded' });
    await expect.poll(() => rowsOf(page, 'Runs').count()).toBe(2);
    await screenshot(page, 'pipeline-after-run');
    await page.goto(`${h.baseUrl}/employees?q=Newcomer`);
    await page.getByRole('link', { name: 'Zed Newcomer' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a run with a rejected row shows "succeeded with issues" and the rejected row with its dataset', async () => {
    const { page, errors } = await h.open('/pipeline');
    await page.getByRole('heading', { level: 1, name: 'Pipeline' }).waitFor();
    await page.getByLabel(/CSV or Parquet file/).setInputFiles({
      name: 'check_ins_unknown.csv', mimeType: 'text/csv', buffer: Buffer.from('employee_id,week_of,pulse\nNOBODY,2026-06-22,4\n'),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Uploaded check_ins_unknown.csv').waitFor();
    await page.getByRole('button', { name: 'Run pipeline now' }).click();
    await expect.poll(() => page.getByTestId('progress-status').textContent(), { timeout: 60_000 }).toBe('succeeded with issues');
    expect(await page.getByTestId('progress-outcome').textContent()).toMatch(/^run 3 succeeded with issues: 1 row rejected; the rest is loaded\./);
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 15_000 }).toMatch(/Last run #3: succeeded with issues/);
    // what the run said, in the order it said it, under "Run now" as it ends
    const notes = (await h.sql<{ note: string }>('select note from run_notes where run_id = 3 order by position')).map((r) => r.note);
    expect(notes.length).toBeGreaterThan(0);
    expect(await page.getByTestId('progress-notes').locator('li').allTextContents()).toEqual(notes);
    await page.getByRole('link', { name: 'See the files and rejected rows of run #3' }).click();
    const row = rowsOf(page, 'Rejected rows').first();
    await row.waitFor();
    expect(await page.getByRole('table', { name: 'Rejected rows' }).locator('thead th').allTextContents()).toContain('Dataset');
    expect(await row.textContent()).toMatch(/check_ins_unknown\.csv\s*check_ins\s*2/);
    // run 3's page (its notes are there once its data is: the tables below are run 3's too)
    await page.waitForURL(/run=3/);
    const runNotes = page.getByRole('list', { name: 'Notes of run 3' });
    await runNotes.waitFor();
    expect(await runNotes.locator('li').allTextContents()).toEqual(notes);
    // the same reject by kind: the file, the column, the reason with its value blanked, one row, first line 2
    const kinds = page.getByRole('table', { name: 'Rejected rows by kind' });
    expect(await kinds.locator('thead th').allTextContents()).toEqual(['Run', 'File', 'Column', 'Problem', 'Rows', 'First line', 'Severity']);
    expect(await kinds.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()))))
      .toEqual([['3', 'check_ins_unknown.csv', 'employee_id', 'employee_id "…" is not in employees', '1', '2', 'Reject']]);
    await screenshot(page, 'pipeline-run-with-issues');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an upload can name a column mapping, listed from the configured mappings', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const sample = 'bamboohr_employees_2024-06-30.csv';
    const { page, errors } = await h.open('/pipeline');
    const picker = page.getByLabel('Column mapping');
    await picker.waitFor();
    const options = await picker.locator('option').allTextContents();
    expect(options[0]).toBe('Detect by file name');
    expect(options.slice(1)).toEqual([expect.stringMatching(/^bamboohr-employees → /)]);
    await picker.selectOption({ label: options[1] });
    await page.getByText('file names like').waitFor();
    await page.getByLabel(/CSV or Parquet file/).setInputFiles(path.join(h.inbox, 'archive', '1', 'employees.csv'));
    // A file whose name does not fit the chosen mapping is refused with the server's reason.
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/bamboohr/i);
    await page.getByLabel(/CSV or Parquet file/).setInputFiles(path.join(REPO_ROOT, 'fixtures', 'mappings', 'samples', sample));
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText(`Uploaded ${sample}`).waitFor();
    expect(await page.getByText(`Uploaded ${sample}`).textContent()).toMatch(/\(through the mapping bamboohr-employees\)/);
    expect(fs.existsSync(path.join(h.inbox, sample))).toBe(true);
    await screenshot(page, 'pipeline-mapping-upload');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await page.close();
  });
});

describe('an org that loaded no plans, goals or check-ins (fixtures/orgs/sparse)', () => {
  let sparse: Harness;
  beforeAll(async () => { sparse = await startHarness('sparse'); });
  afterAll(async () => { await sparse?.close(); });

  const NOTICE = 'Scores leave out 7 factors: no career plans or goals loaded (no_path, plan_only, high_performer_off_path); '
    + 'no check-ins loaded (low_pulse, pulse_drop, checkins_lapsed, no_career_talk).';
  it.each([['overview', '/'], ['retention', '/retention'], ['employee', '/employees/D02'], ['talent-needs', '/talent-needs'],
    ['succession', '/succession']])('the %s page says which factors the scores leave out and why', async (name, url) => {
    const { page, errors } = await sparse.open(url);
    await page.getByTestId('factors-off').waitFor();
    expect(await page.getByTestId('factors-off').textContent()).toBe(NOTICE);
    if (name === 'overview') await page.getByText('Top of ladder').first().waitFor(); // the fourth path state in the chart
    await screenshot(page, `factors-off-${name}`);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('Content-Security-Policy (issue 15)', () => {
  it('the served policy allows the SPA shell by hash, never inline script in general', async () => {
    const res = await fetch(`${h.baseUrl}/employees`);
    const policy = res.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('the harness sees a violation (so every other test, which ends with none, would fail on one)', async () => {
    const { page } = await h.open('/');
    await page.getByTestId('as-of').waitFor();
    // An injected inline script, as an XSS would add: refused by the policy, and reported.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
    });
    const seen: string[] = [];
    await expect.poll(async () => seen.push(...(await h.takeCspViolations()))).toBeGreaterThan(0);
    expect(seen.join('\n')).toMatch(/script-src/);
    expect(await page.evaluate(() => 'injected' in window || '__injected' in window)).toBe(false);
    await page.close();
  });
});
