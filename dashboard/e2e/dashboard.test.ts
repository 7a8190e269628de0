// The dashboard end to end: real pipeline, real server, real browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('filters, drill-down, export', () => {
  it('a department filter changes the retention list to that department', async () => {
    const all = await h.sql<{ n: number }>(`select count(*)::int as n from retention_risk where path_state in ('no_path', 'plan_only')`);
    const [{ department }] = await h.sql<{ department: string }>(`
      select c.department from retention_risk r join career_path_state c using (employee_id)
      where r.path_state in ('no_path', 'plan_only') group by 1 order by count(*) desc, 1 limit 1`);
    const [{ n }] = await h.sql<{ n: number }>(`select count(*)::int as n from retention_risk r join career_path_state c using (employee_id)
      where r.path_state in ('no_path', 'plan_only') and c.department = $d`, { d: department });
    expect(n).toBeLessThan(all[0].n); // the filter must make a difference for the test to mean anything

    const { page, errors } = await h.open('/retention');
    const rows = rowsOf(page, 'No path and plan-only employees by risk');
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
