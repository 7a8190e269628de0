// The dashboard on a generated workforce (fixtures generator, 1200 people, seeded): drill-downs and
// figures checked by SQL against the marts, filter options on shared links, the large retention list,
// navigation by role and sign-out, an employee's own page ("My path"), a screenshot of every page at desktop and phone width (390 px: nothing
// scrolls sideways), axe-core on every page (no serious or critical violation), and the keyboard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { exec } from '../../pipeline/src/db.ts';
import { runPipeline } from '../../pipeline/src/run.ts';
import { servingTable } from '../../pipeline/src/run-schema.ts';
import { formatNumber, humanize } from '../src/lib/format.ts';
import { pickDemoEmployee } from '../../pipeline/src/users.ts';
import { PATH_STATE_WORDS } from '../server/routes/api/me/words.ts';
import { createUser } from '../server/auth/test-helpers.ts';
import { PHONE, axeViolations, screenshot, scrollWidth, startHarness, type Harness } from './harness.ts';

const AS_OF = '2026-06-30';
let h: Harness;
beforeAll(async () => { h = await startHarness({ generate: { employees: 1200, seed: 7, asOf: AS_OF } }); });
afterAll(async () => { await h?.close(); });

type BoxCell = { performance_band: string; potential_band: string; n: number };
/** The 9-box's boxes with their head counts, in the order given (`n` or `n desc`, then the bands). */
const nineBoxCells = (order: 'n' | 'n desc') => h.sql<BoxCell>(`
  select performance_band, potential_band, count(*)::int as n from nine_box join career_path_state using (employee_id)
  where performance_band is not null and potential_band is not null group by all order by ${order}, performance_band, potential_band`);
/** A box's employees in the order its drill-down lists them. */
const boxEmployees = (cell: BoxCell) => h.sql<{ employee_id: string }>(`
  select n.employee_id from nine_box n join career_path_state c using (employee_id)
  where n.performance_band = $p and n.potential_band = $q order by c.full_name, n.employee_id`,
  { p: cell.performance_band, q: cell.potential_band });

const rowsOf = (page: Page, table: string) => page.getByRole('table', { name: table, exact: true }).locator('tbody tr');
/** The text of one column (0-based) of every body row of a table. */
const column = (page: Page, table: string, i: number) => rowsOf(page, table).locator(`td:nth-child(${i + 1})`).allTextContents();
/** The text of the column headed `header` of every body row of a table. */
async function columnHeaded(page: Page, table: string, header: string) {
  const headers = (await page.getByRole('table', { name: table, exact: true }).locator('thead th').allTextContents()).map((t) => t.replace(/ [▲▼]$/, ''));
  expect(headers).toContain(header);
  return column(page, table, headers.indexOf(header));
}
// Figures on the pages are the marts' values through the app's own number format.
const fmtInt = (v: unknown) => formatNumber(v, 'count');
const BANDS = ['low', 'moderate', 'high'];

async function noAlerts(page: Page, errors: string[]) {
  expect(await page.getByRole('alert').allTextContents()).toEqual([]);
  expect(errors).toEqual([]);
}

/** A 9-box box's accessible name, with its head count (from SQL). */
const boxName = (c: { performance_band: string; potential_band: string; n: number }) =>
  `Performance ${c.performance_band}, potential ${c.potential_band}: ${c.n} ${c.n === 1 ? 'employee' : 'employees'}`;
/** The aria-label of the element that has the keyboard focus. */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
/** Press Tab (at most 60 times) until the focus is on a button inside `within`. */
async function tabInto(page: Page, within: import('playwright-core').Locator) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await within.evaluate((el) => el.contains(document.activeElement) && document.activeElement?.getAttribute('role') === 'button')) return;
  }
  throw new Error('Tab never reached a button of the chart');
}

describe('succession', () => {
  it('a 9-box click lists the employees of that box', async () => {
    const cells = await nineBoxCells('n');
    expect(cells.length).toBeGreaterThan(3);
    const cell = cells[Math.floor(cells.length / 2)]; // a middling box, not the fullest
    const expected = await boxEmployees(cell);

    const { page, errors } = await h.open('/succession');
    const grid = page.getByRole('figure', { name: '9-box grid' });
    const rect = grid.getByRole('button', { name: boxName(cell), exact: true });
    await rect.waitFor();
    // Plot's text marks sit on the cells: click at the cell's centre as a person would.
    const box = (await rect.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForURL(/potential_band=/);
    const url = new URL(page.url());
    expect([url.searchParams.get('performance_band'), url.searchParams.get('potential_band')]).toEqual([cell.performance_band, cell.potential_band]);
    const table = `9-box ${cell.performance_band} performance ${cell.potential_band} potential`;
    await rowsOf(page, table).first().waitFor();
    expect(await column(page, table, 1)).toEqual(expected.map((e) => e.employee_id));
    await screenshot(page, 'workforce-succession-9box');
    await noAlerts(page, errors);
    await page.close();
  });

  it("a critical role's candidates are listed in the order of succession_candidates", async () => {
    const [role] = await h.sql<{ role_id: string; title: string }>(`
      select s.role_id, r.title from succession_candidates s join stg_roles r using (role_id)
      group by all order by count(*) desc, s.role_id limit 1`);
    const expected = await h.sql<{ employee_id: string; readiness_score: number }>(`
      select s.employee_id, s.readiness_score::int as readiness_score from succession_candidates s
      join career_path_state using (employee_id)
      where s.role_id = $r order by s.readiness_score desc nulls last, s.employee_id`, { r: role.role_id });
    expect(expected.length).toBeGreaterThan(2);

    const { page, errors } = await h.open('/succession');
    await rowsOf(page, 'Critical roles').first().waitFor();
    await page.getByRole('table', { name: 'Critical roles' }).getByRole('link', { name: role.title, exact: true }).click();
    await page.waitForURL(/role=/);
    const table = `Candidates for ${role.title}`;
    await rowsOf(page, table).first().waitFor();
    expect(await column(page, table, 1)).toEqual(expected.map((e) => e.employee_id));
    expect(await column(page, table, 5)).toEqual(expected.map((e) => String(e.readiness_score)));
    await screenshot(page, 'workforce-succession-role');
    await noAlerts(page, errors);
    await page.close();
  });

  it('critical roles show bench strength as the fraction it is (two decimals)', async () => {
    const roles = await h.sql<{ role_id: string; bench_strength: number }>(`
      select role_id, bench_strength::double as bench_strength from succession_roles order by role_id`);
    expect(roles.length).toBeGreaterThan(2);
    const { page, errors } = await h.open('/succession');
    await rowsOf(page, 'Critical roles').first().waitFor();
    const ids = await columnHeaded(page, 'Critical roles', 'Role id');
    const shown = await columnHeaded(page, 'Critical roles', 'Bench strength');
    expect(ids.map((id, i) => ({ role_id: id, bench: shown[i] })).sort((a, b) => a.role_id.localeCompare(b.role_id)))
      .toEqual(roles.map((r) => ({ role_id: r.role_id, bench: formatNumber(r.bench_strength, 'decimal') })));
    expect(shown.every((t) => /^\d+\.\d{2}$/.test(t))).toBe(true);
    await noAlerts(page, errors);
    await page.close();
  });
});

describe('keyboard', () => {
  it('the first Tab reaches "Skip to content", which moves the focus to the main content', async () => {
    const { page, errors } = await h.open('/retention');
    await page.getByTestId('as-of').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('MAIN');
    await page.keyboard.press('Tab'); // on into the page: its first control is the first filter
    expect(await page.evaluate(() => document.activeElement?.closest('main') != null)).toBe(true);
    await noAlerts(page, errors);
    await page.close();
  });

  it('a 9-box box is reached with Tab and the arrow keys, and Enter lists its employees', async () => {
    const cells = await nineBoxCells('n desc');
    // A box away from the first one (performance low, potential low), so the arrow keys have to move.
    const cell = cells.find((c) => c.performance_band !== 'low' && c.potential_band !== 'low')!;
    const expected = await boxEmployees(cell);

    const { page, errors } = await h.open('/succession');
    const grid = page.getByRole('figure', { name: '9-box grid' });
    await grid.getByRole('button').first().waitFor();
    await tabInto(page, grid);
    expect(await focused(page)).toMatch(/^Performance low, potential low: /);
    for (let i = 0; i < BANDS.indexOf(cell.performance_band); i++) await page.keyboard.press('ArrowRight');
    for (let i = 0; i < BANDS.indexOf(cell.potential_band); i++) await page.keyboard.press('ArrowUp');
    const name = boxName(cell);
    expect(await focused(page)).toBe(name);
    await page.keyboard.press('Enter');
    await page.waitForURL(/potential_band=/);
    const table = `9-box ${cell.performance_band} performance ${cell.potential_band} potential`;
    await rowsOf(page, table).first().waitFor();
    expect(await column(page, table, 1)).toEqual(expected.map((e) => e.employee_id));
    expect(await focused(page)).toBe(name); // the box keeps the focus when the chart is drawn again
    expect(await axeViolations(page)).toEqual([]);
    await noAlerts(page, errors);
    await page.close();
  });

  it('a heatmap cell is reached with Tab and the arrow keys, and Space lists the employees behind it', async () => {
    const { page, errors } = await h.open('/skill-gaps');
    const heatmap = page.getByRole('figure', { name: 'Skill gap heatmap' });
    await heatmap.getByRole('button').first().waitFor();
    // every mean gap reads with two decimals, a whole one too (1.00 beside 0.45, never "1")
    const [{ whole }] = await h.sql<{ whole: number }>(`select count(*)::int as whole from skill_gaps_org
      where scope = 'department' and employees_requiring > 0 and mean_gap = round(mean_gap)`);
    expect(whole).toBeGreaterThan(0);
    const means = await heatmap.locator('table tbody td:nth-child(3)').allTextContents();
    expect(means.length).toBeGreaterThan(0);
    expect(means.filter((t) => !/^\d+\.\d{2}$/.test(t))).toEqual([]);
    await tabInto(page, heatmap);
    const first = await focused(page);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    const label = await focused(page);
    expect(label).not.toBe(first);
    const [, department, skillName] = /^(.+) · (.+): /.exec(label)!;
    const [{ skill }] = await h.sql<{ skill: string }>(`select skill_id as skill from stg_skills where name = $n`, { n: skillName });
    const expected = await h.sql<{ employee_id: string }>(`
      select distinct g.employee_id from skill_gaps_employee g join career_path_state c using (employee_id)
      where c.department = $d and g.skill_id = $s and g.target_kind = 'current' order by 1`, { d: department, s: skill });
    expect(expected.length).toBeGreaterThan(0);
    await page.keyboard.press(' ');
    await page.waitForURL(/skill=/);
    const url = new URL(page.url());
    expect([url.searchParams.get('department'), url.searchParams.get('skill')]).toEqual([department, skill]);
    const table = `Employees ${department} ${skill}`;
    await rowsOf(page, table).first().waitFor();
    expect([...new Set(await column(page, table, 1))].sort()).toEqual(expected.map((e) => e.employee_id));
    await screenshot(page, 'workforce-skill-gaps-keyboard');
    expect(await axeViolations(page)).toEqual([]);
    await noAlerts(page, errors);
    await page.close();
  });
});

describe('charts', () => {
  it("the score distribution's panels keep their tick labels apart (no \"1000\" where a 100 meets a 0)", async () => {
    const { page, errors } = await h.open('/retention');
    const figure = page.getByRole('figure', { name: 'Retention score distribution by path state' });
    const ticks = figure.locator('svg [aria-label="x-axis tick label"] text');
    await ticks.first().waitFor();
    const boxes = (await ticks.evaluateAll((els) => els.map((el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; })))
      .sort((a, b) => a[0] - b[0]);
    expect(boxes.length).toBeGreaterThanOrEqual(6); // several panels, each with its ticks
    const overlaps = boxes.slice(1).filter(([left], i) => left < boxes[i][1] + 2);
    expect(overlaps).toEqual([]);
    await noAlerts(page, errors);
    await page.close();
  });
});

describe('print', () => {
  it('a printed page has every row of its tables (no scroll box cuts one) and no buttons', async () => {
    const { page, errors } = await h.open('/succession');
    await rowsOf(page, 'Hidden bench: critical roles without a ready-now successor').first().waitFor();
    // cut on screen: some table is taller than its scroll box (else the test would prove nothing)
    const cut = () => page.locator('.scroll').evaluateAll((els) => els.filter((el) => el.scrollHeight > el.clientHeight + 1).length);
    expect(await cut()).toBeGreaterThan(0);
    await page.emulateMedia({ media: 'print' });
    expect(await cut()).toBe(0);
    expect(await page.locator('main button').evaluateAll((els) => els.filter((el) => (el as HTMLElement).offsetParent !== null).length)).toBe(0);
    await screenshot(page, 'workforce-succession-print');
    await noAlerts(page, errors);
    await page.close();
  });
});

describe('goals, talent needs, framework', () => {
  it('the objective tree shows each objective under its parent with its roll-up progress', async () => {
    const objectives = await h.sql<{ objective_id: string; parent_objective_id: string | null; progress: number | null }>(`
      select objective_id, parent_objective_id, progress::double as progress from objective_progress order by objective_id`);
    expect(objectives.filter((o) => o.parent_objective_id).length).toBeGreaterThan(0);
    expect(objectives.filter((o) => o.progress != null).length).toBeGreaterThan(0);

    const { page, errors } = await h.open('/goals');
    await page.locator('ul.tree').first().waitFor();
    for (const o of objectives) {
      const item = page.locator(`li[data-objective="${o.objective_id}"]`);
      const own = item.locator(':scope > [data-testid="progress"]');
      if (o.progress == null) expect(await own.count()).toBe(0);
      else expect(await own.textContent()).toBe(formatNumber(o.progress, 'percent'));
      if (o.parent_objective_id) {
        expect(await page.locator(`li[data-objective="${o.parent_objective_id}"] li[data-objective="${o.objective_id}"]`).count()).toBe(1);
      }
    }
    await screenshot(page, 'workforce-goals');
    await noAlerts(page, errors);
    await page.close();
  });

  it('the employee list has every active person, 500 to a page, and Export CSV writes them all', async () => {
    const expected = (await h.sql<{ employee_id: string }>('select employee_id from career_path_state order by 1')).map((r) => r.employee_id);
    expect(expected.length).toBeGreaterThan(1000); // more than one page: the first 500 alone were all it had
    const { page, errors } = await h.open('/employees');
    const rows = rowsOf(page, 'Employees');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(500);
    expect((await page.getByRole('region', { name: 'Employees' }).locator('.table-head .muted').textContent())?.trim()).toBe(`rows 1–500 of ${expected.length}`);
    const seen = new Set(await column(page, 'Employees', 1));
    const next = page.getByRole('region', { name: 'Employees' }).getByRole('button', { name: 'Next' });
    while (await next.isEnabled()) {
      await next.click();
      for (const id of await column(page, 'Employees', 1)) seen.add(id);
    }
    expect([...seen].sort()).toEqual(expected);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV: Employees' }).click(),
    ]);
    const text = (await import('node:fs')).readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '');
    expect(text.trim().split('\r\n')).toHaveLength(expected.length + 1);
    await noAlerts(page, errors);
    await page.close();
  });

  it('talent needs show the open need and shortfall of talent_needs, for all and for one job family', async () => {
    const sums = (family: string | null) => h.sql<{ open_need: number; shortfall: number; n: number }>(`
      select sum(t.open_need)::int as open_need, sum(t.shortfall)::int as shortfall, count(*)::int as n
      from talent_needs t join stg_roles r using (role_id) where $f::varchar is null or r.job_family = $f`, { f: family as string });
    const [all] = await sums(null);
    const [{ family }] = await h.sql<{ family: string }>(`
      select r.job_family as family from talent_needs t join stg_roles r using (role_id)
      group by 1 having sum(t.shortfall) > 0 order by sum(t.shortfall) desc, 1 limit 1`);
    const [one] = await sums(family);
    expect(one.shortfall).toBeLessThan(all.shortfall);

    const { page, errors } = await h.open('/talent-needs');
    await page.getByTestId('shortfall').waitFor();
    expect(await page.getByTestId('open-need').textContent()).toBe(fmtInt(all.open_need));
    expect(await page.getByTestId('shortfall').textContent()).toBe(fmtInt(all.shortfall));
    expect(await rowsOf(page, 'Talent needs').count()).toBe(all.n);
    await page.getByLabel('Job family').selectOption(family);
    await page.waitForURL(/job_family=/);
    await expect.poll(() => page.getByTestId('shortfall').textContent()).toBe(fmtInt(one.shortfall));
    expect(await page.getByTestId('open-need').textContent()).toBe(fmtInt(one.open_need));
    expect(await rowsOf(page, 'Talent needs').count()).toBe(one.n);
    // Per role, the shortfall column matches the mart.
    const perRole = await h.sql<{ role_id: string; shortfall: number }>(`
      select t.role_id, t.shortfall::int as shortfall from talent_needs t join stg_roles r using (role_id)
      where r.job_family = $f order by t.role_id`, { f: family });
    const ids = await columnHeaded(page, 'Talent needs', 'Role id');
    const shortfalls = await columnHeaded(page, 'Talent needs', 'Shortfall');
    expect(ids.map((id, i) => ({ role_id: id, shortfall: Number(shortfalls[i]) })).sort((a, b) => a.role_id.localeCompare(b.role_id))).toEqual(perRole);
    await screenshot(page, 'workforce-talent-needs-family');
    await noAlerts(page, errors);
    await page.close();
  });

  it('talent needs at 1400 px: the Shortfall column in view, a bounded chart of the top roles, the roles without a plan counted', async () => {
    const [t] = await h.sql<{ n: number; no_plan: number; drawn: number }>(`
      select count(*)::int as n, count(*) filter (where planned_headcount is null)::int as no_plan,
             least(15, count(*) filter (where headcount > 0 or planned_headcount is not null))::int as drawn
      from talent_needs`);
    expect(t.no_plan).toBeGreaterThan(0);
    expect(t.n).toBeGreaterThan(t.drawn);
    const { page, errors } = await h.open('/talent-needs');
    await page.setViewportSize({ width: 1400, height: 900 });
    await rowsOf(page, 'Talent needs').first().waitFor();

    const header = page.getByRole('table', { name: 'Talent needs', exact: true }).getByRole('columnheader', { name: 'Shortfall', exact: true });
    const box = (await header.boundingBox())!;
    const scroller = (await page.getByRole('table', { name: 'Talent needs', exact: true }).locator('xpath=..').boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(Math.min(1400, scroller.x + scroller.width));
    // The whole table fits: nothing to scroll sideways.
    expect(await page.getByRole('table', { name: 'Talent needs', exact: true }).locator('xpath=..')
      .evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);

    const chart = page.getByRole('figure', { name: 'Headcount vs plan per role' });
    await chart.locator('svg').first().waitFor();
    expect(await chart.locator('g[aria-label="bar"] rect').count()).toBe(t.drawn);
    expect((await chart.boundingBox())!.height).toBeLessThan(600);
    expect(await page.getByTestId('chart-note').textContent()).toBe(`Showing ${t.drawn} of ${fmtInt(t.n)} roles, largest shortfall first; see the table for all.`);
    expect(await page.getByTestId('no-plan').textContent()).toBe(fmtInt(t.no_plan));
    await screenshot(page, 'workforce-talent-needs-1400');
    await noAlerts(page, errors);
    await page.close();
  });

  it("choosing a job family on the framework page shows that family's roles", async () => {
    const families = (await h.sql<{ f: string }>('select distinct job_family as f from stg_roles order by 1')).map((r) => r.f);
    const family = families[1];
    const roles = await h.sql<{ role_id: string }>(`select role_id from stg_roles where job_family = $f order by level, role_id`, { f: family });

    const { page, errors } = await h.open('/framework');
    await rowsOf(page, `${families[0]} roles`).first().waitFor();
    await page.getByLabel('Job family').selectOption(family);
    await page.waitForURL(/job_family=/);
    await expect.poll(() => page.getByRole('region', { name: /ladder$/ }).count()).toBe(1);
    expect(await column(page, `${family} roles`, 2)).toEqual(roles.map((r) => r.role_id));
    await screenshot(page, 'workforce-framework-family');
    await noAlerts(page, errors);
    await page.close();
  });
});

describe('filters on a shared link', () => {
  const select = (page: Page, label: string) =>
    page.locator('label.filter', { has: page.getByText(label, { exact: true }) }).locator('select');
  const options = (page: Page, label: string) =>
    select(page, label).locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));

  it.each([
    ['/retention', 'department', 'Department', `select distinct department as v from career_path_state order by 1`],
    ['/employees', 'department', 'Department', `select distinct department as v from career_path_state order by 1`],
    ['/goals', 'department', 'Department', `select distinct department as v from career_path_state order by 1`],
    ['/skill-gaps', 'department', 'Department', `select distinct department as v from career_path_state order by 1`],
    ['/skill-gaps', 'skill', 'Skill', `select skill_id as v from stg_skills order by name, skill_id`],
    ['/succession', 'job_family', 'Job family', `select distinct job_family as v from stg_roles order by 1`],
    ['/talent-needs', 'job_family', 'Job family', `select distinct job_family as v from stg_roles order by 1`],
    ['/framework', 'job_family', 'Job family', `select distinct job_family as v from stg_roles order by 1`],
  ])('%s?%s=… offers every value', async (path, param, label, sql) => {
    const values = (await h.sql<{ v: string }>(sql)).map((r) => r.v);
    expect(values.length).toBeGreaterThan(2);
    // A narrow link: the last value, plus a second filter where the page has one.
    const extra = path === '/retention' ? '&band=high' : path === '/skill-gaps' && param === 'department' ? `&skill=${encodeURIComponent('x')}` : '';
    const { page, errors } = await h.open(`${path}?${param}=${encodeURIComponent(values.at(-1)!)}${extra}`);
    await page.getByTestId('as-of').waitFor();
    await expect.poll(() => options(page, label)).toEqual(values);
    expect(await select(page, label).inputValue()).toBe(values.at(-1));
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('retention at size', () => {
  it('loads the whole list as Arrow and pages through it', async () => {
    const states = await h.sql<{ path_state: string; n: number }>(`select path_state, count(*)::int as n from retention_risk
      where path_state in ('no_path', 'plan_only') group by 1 order by 1`);
    const n = states.reduce((t, s) => t + s.n, 0);
    // A path state's list larger than the JSON limit (500) comes as Arrow.
    const large = states.filter((s) => s.n > 500).map((s) => s.path_state);
    expect(large.length).toBeGreaterThan(0);
    const top = await h.sql<{ employee_id: string }>(`select employee_id from retention_risk where path_state in ('no_path', 'plan_only')
      order by score desc, employee_id limit 500`);
    const arrow: string[] = [];
    const page = await h.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('request', (r) => { if ((r.headers().accept ?? '').includes('arrow')) arrow.push(r.url()); });
    await page.goto(`${h.baseUrl}/retention`);
    const table = 'No path and plan-only employees by risk';
    await rowsOf(page, table).first().waitFor();
    expect(arrow.map((u) => new URL(u).searchParams.get('path_state')).sort()).toEqual(large);
    expect(await page.getByRole('region', { name: table }).getByText(`rows 1–500 of ${n}`).count()).toBe(1);
    expect(await column(page, table, 1)).toEqual(top.map((t) => t.employee_id));
    await page.getByRole('region', { name: table }).getByRole('button', { name: 'Next' }).click();
    await page.getByText(`rows 501–${Math.min(n, 1000)} of ${n}`).waitFor();
    expect(await rowsOf(page, table).count()).toBe(Math.min(n, 1000) - 500);
    await screenshot(page, 'workforce-retention');
    await noAlerts(page, errors);
    await page.close();
  });
});

describe('exact figures and plain words', () => {
  it('retention: each path state\'s mean and median score are those of retention_risk, not estimates', async () => {
    const states = await h.sql<{ path_state: string; n: number; mean: number; median: number; high: number }>(`
      select path_state, count(*)::int as n, avg(score)::double as mean, median(score)::double as median,
             (count(*) filter (where band = 'high'))::double / count(*) as high
      from retention_risk group by 1 order by 1`);
    const { page, errors } = await h.open('/retention');
    const table = 'Risk by path state';
    await rowsOf(page, table).first().waitFor();
    const shown = await rowsOf(page, table).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(await page.getByRole('table', { name: table, exact: true }).locator('thead th').allTextContents())
      .toEqual(['Path state', 'Employees', 'Mean score', 'Median score', 'High risk (≥ 50)']);
    expect(shown.sort()).toEqual(states.map((s) => [humanize(s.path_state), fmtInt(s.n), formatNumber(s.mean, 'score'),
      formatNumber(s.median, 'score'), formatNumber(s.high, 'share')]).sort());
    await noAlerts(page, errors);
    await page.close();
  });

  it('employee page: the suggested next step of someone without a path, and missing goals said in words', async () => {
    const [next] = await h.sql<{ employee_id: string; title: string }>(`
      select c.employee_id, r.title from role_coverage c join career_path_state p using (employee_id) join stg_roles r on r.role_id = c.role_id
      where c.target_kind = 'default_next' and p.path_state = 'no_path' order by c.employee_id limit 1`);
    const [noGoals] = await h.sql<{ employee_id: string }>(`
      select employee_id from career_path_state p
      where not exists (select 1 from stg_goals g where g.employee_id = p.employee_id and g.created_on <= $as_of::date)
      order by employee_id limit 1`, { as_of: AS_OF });

    const { page, errors } = await h.open(`/employees/${next.employee_id}`);
    await page.getByTestId('next-step').waitFor();
    expect(await page.getByTestId('path-state').textContent()).toBe('No path');
    const prefix = `Suggested next step: ${next.title} (no career path yet`;
    expect((await page.getByTestId('next-step').textContent())?.slice(0, prefix.length)).toBe(prefix);

    await page.goto(`${h.baseUrl}/employees/${noGoals.employee_id}`);
    await page.getByTestId('no-goals').waitFor();
    expect(await page.getByTestId('no-goals').textContent()).toBe('No goals loaded for this person.');
    // The same page when no goal was ever imported (the loaded goals emptied for a moment).
    const conn = await h.db.connect();
    const goals = await servingTable(conn, 'src_goals');
    await exec(conn, `create temp table goals_kept as select * from ${goals}`);
    try {
      await exec(conn, `delete from ${goals}`);
      await page.reload();
      await page.getByTestId('no-goals').waitFor();
      expect(await page.getByTestId('no-goals').textContent()).toBe('Goals have not been imported.');
    } finally {
      await exec(conn, `insert into ${goals} select * from goals_kept`);
      conn.closeSync();
    }
    expect(await page.getByText('goals.csv').count()).toBe(0);
    await noAlerts(page, errors);
    await page.close();
  });
});

describe('navigation by role', () => {
  it('admins see the Pipeline link; leaders and managers do not, and get a plain message on its page', async () => {
    const [{ manager }] = await h.sql<{ manager: string }>(`select manager_id as manager from career_path_state
      where manager_id is not null group by 1 order by count(*) desc, 1 limit 1`);
    const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
    const admin = await h.open('/');
    await nav(admin.page).getByRole('link', { name: 'Overview' }).waitFor();
    await admin.page.getByTestId('signed-in').waitFor();
    expect(await nav(admin.page).getByRole('link', { name: 'Pipeline' }).count()).toBe(1);
    expect(await admin.page.getByTestId('signed-in').textContent()).toContain('(admin)');
    await admin.page.close();

    for (const [role, employeeId] of [['leader', undefined], ['manager', manager]] as const) {
      const context = await h.contextAs(role, employeeId);
      const { page, errors } = await h.open('/', context);
      await page.getByTestId('signed-in').waitFor();
      expect(await page.getByTestId('signed-in').textContent()).toContain(`(${role})`);
      expect(await nav(page).getByRole('link', { name: 'Overview' }).count()).toBe(1);
      expect(await nav(page).getByRole('link', { name: 'Pipeline' }).count()).toBe(0);
      await page.goto(`${h.baseUrl}/pipeline`);
      await page.getByText('For administrators').waitFor();
      await noAlerts(page, errors);
      await context.close();
    }
  });

  it('signing out ends the session', async () => {
    const context = await h.contextAs('leader');
    const { page, errors } = await h.open('/', context);
    await page.getByTestId('signed-in').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${h.baseUrl}/retention`);
    await page.waitForURL(/\/login\?next=/);
    expect(decodeURIComponent(new URL(page.url()).searchParams.get('next') ?? '')).toBe('/retention');
    expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
    await context.close();
  });
});

describe('an employee', () => {
  it('signs in with the demo employee account, lands on "My path" and sees only their own data (screenshots, axe)', async () => {
    // The same person `npm start` makes the demo employee (pickDemoEmployee), on this generated org.
    const conn = await h.db.connect();
    const id = await pickDemoEmployee(conn).finally(() => conn.closeSync());
    expect(id).not.toBeNull();
    await createUser(h.app, { role: 'employee', employeeId: id, username: 'demo-employee', password: 'employee-password-1' });
    const [me] = await h.sql<{ role_title: string; path_state: string; n_goals: number; n_check_ins: number; n_moves: number; n_career: number }>(`
      select a.role_title, c.path_state,
        (select count(*)::int from stg_goals g where g.employee_id = a.employee_id and g.created_on <= $as_of::date) as n_goals,
        (select count(*)::int from stg_check_ins k where k.employee_id = a.employee_id and k.week_of <= $as_of::date) as n_check_ins,
        (select count(*)::int from stg_check_ins k where k.employee_id = a.employee_id and k.week_of <= $as_of::date and k.career_discussed) as n_career,
        (select count(*)::int from mobility_matches m where m.employee_id = a.employee_id) as n_moves
      from int_employees_active a join career_path_state c using (employee_id) where a.employee_id = $id`, { id: id!, as_of: AS_OF });
    // populated: a path, goals, check-ins with a career talk, suggested moves
    expect(me.path_state).toBe('on_path');
    expect([me.n_goals > 0, me.n_check_ins > 0, me.n_career > 0, me.n_moves > 0]).toEqual([true, true, true, true]);

    const context = await h.browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${h.baseUrl}/login`);
    await page.getByLabel('Username').fill('demo-employee');
    await page.getByLabel('Password').fill('employee-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${h.baseUrl}/me`);
    await page.getByTestId('next-steps').waitFor();
    await page.waitForLoadState('networkidle');

    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Trellis', 'My path']);
    expect(await page.getByTestId('signed-in').textContent()).toContain('(employee)');
    expect(await page.getByTestId('my-role').textContent()).toBe(me.role_title);
    expect(await page.getByTestId('path-words').textContent()).toBe(PATH_STATE_WORDS.on_path);
    expect(await page.getByTestId('next-steps').locator('li').count()).toBeGreaterThan(0);
    expect(await rowsOf(page, 'Your goals').count()).toBe(me.n_goals);
    expect(await rowsOf(page, 'Your check-ins').count()).toBe(me.n_check_ins);
    expect(await rowsOf(page, 'Roles you could move to').count()).toBe(me.n_moves);
    expect(await page.getByTestId('career-talks').textContent()).toMatch(new RegExp(`^Your career came up in ${me.n_career} of your ${me.n_check_ins} check-ins`));
    const text = await page.locator('main').innerText();
    // skill names may say "risk" (Risk Management): the words of the views an employee must not see
    expect(text.match(/retention|risk (score|band|factor)|at risk of leaving|9-box|nine-box|nominat|successor|succession|potential|performance rating/gi)).toBeNull();
    expect(await page.getByTestId('run-status').count()).toBe(0);
    await screenshot(page, 'workforce-me');
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);

    await page.setViewportSize(PHONE);
    await page.reload();
    await page.getByTestId('next-steps').waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'workforce-phone-me');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width + 1);
    await noAlerts(page, errors);

    // Any other page says it is not part of their view; the API refuses them there.
    await page.setViewportSize({ width: 1360, height: 900 });
    await page.goto(`${h.baseUrl}/retention`);
    await page.getByTestId('not-for-employees').waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    expect((await page.request.get(`${h.baseUrl}/api/retention`)).status()).toBe(403);
    expect((await page.request.get(`${h.baseUrl}/api/employees/${id}`)).status()).toBe(403);
    await page.getByRole('link', { name: 'Go to My path' }).click();
    await page.getByTestId('next-steps').waitFor();
    await context.close();
  });
});

describe('history and the backtest (issue 13)', () => {
  type Hist = { as_of_date: string; n_active: number; n_risk_high: number };
  const history = () => h.sql<Hist>(`select strftime(as_of_date, '%Y-%m-%d') as as_of_date, n_active, n_risk_high from history_overview order by as_of_date`);

  it('the overview draws the trend from history_overview on the first load: five measures by month', async () => {
    const rows = await history();
    expect(rows.length).toBe(25);
    const { page, errors } = await h.open('/');
    const trend = page.getByTestId('history-trend');
    await trend.getByTestId('sparkline').first().waitFor();
    await page.waitForLoadState('networkidle');
    const sparks = trend.getByTestId('sparkline');
    expect(await sparks.count()).toBe(5);
    const labels = await sparks.locator('.spark-label').allTextContents();
    expect(labels).toEqual(['Active employees', 'No-path share', 'High retention risk', 'Succession readiness rate', 'Exits in the month']);
    // the latest figures are history_overview's at as_of, and the text alternative holds every month
    expect(await sparks.nth(0).locator('.spark-value').textContent()).toBe(fmtInt(rows.at(-1)!.n_active));
    expect(await sparks.nth(2).locator('.spark-value').textContent()).toBe(fmtInt(rows.at(-1)!.n_risk_high));
    expect(await page.getByRole('table', { name: 'Active employees by month' }).locator('tbody tr').count()).toBe(25);
    await screenshot(page, 'workforce-overview-history-trend');
    await noAlerts(page, errors);
    await page.close();
  });

  it('"Does the score work?" gives the verdict of the pooled AUC in plain words, with its charts and tables', async () => {
    const [pooled] = await h.sql<{ auc: number; n_left: number; top_decile_lift: number }>(
      `select auc, n_left, top_decile_lift from risk_backtest where scope = 'pooled'`);
    expect(pooled.n_left).toBeGreaterThanOrEqual(30); // judged on this org
    const { page, errors } = await h.open('/retention');
    await page.getByRole('link', { name: /Does the score work/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Does the score work?' }).waitFor();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    const word = pooled.auc >= 0.75 ? 'works well' : pooled.auc >= 0.65 ? 'works' : pooled.auc >= 0.55 ? 'works weakly' : 'does not work';
    expect(await verdict.locator('.big strong').textContent()).toBe(word);
    expect(await verdict.textContent()).toContain(`${Math.round(pooled.auc * 10)} times in 10`);
    expect(await verdict.textContent()).toContain(`AUC ${formatNumber(pooled.auc, 'decimal')}`);
    expect(await page.getByTestId('too-few-exits').count()).toBe(0);
    for (const name of ['Exit rate by risk band', 'Lift of the top 10 % at each date', 'Exit rate by career path state']) {
      await page.getByRole('figure', { name }).locator('svg').first().waitFor();
    }
    expect(await columnHeaded(page, 'Risk factor effects', 'Factor')).toEqual(
      ['No path', 'Plan only', 'Stalled', 'Low pulse', 'Pulse drop', 'Check-ins lapsed', 'No career talk', 'High performer off path']);
    const fitted = await h.sql<{ fitted_points: number | null }>(`select fitted_points from risk_weights_fitted order by factor_order`);
    expect(await columnHeaded(page, 'Risk weights, now and fitted', 'Fitted points')).toEqual(fitted.map((f) => fmtInt(f.fitted_points)));
    // a coefficient the fit pushed towards infinity (|β| ≥ 10: separation) reads "not estimable", and a caution names it
    for (const [table, coef, where, testId] of [
      ['Risk factor effects', 'coefficient', "from risk_factor_effects where scope = 'pooled'", 'effects-not-estimable'],
      ['Risk weights, now and fitted', 'fitted_coefficient', 'from risk_weights_fitted', 'weights-not-estimable'],
    ] as const) {
      const rows = await h.sql<{ separated: boolean }>(`select coalesce(abs(${coef}) >= 10, false) as separated ${where} order by factor_order`);
      const intervals = await columnHeaded(page, table, '95 % interval');
      expect(intervals.map((t) => t === 'not estimable')).toEqual(rows.map((r) => r.separated));
      expect(await page.getByTestId(testId).count()).toBe(rows.some((r) => r.separated) ? 1 : 0);
    }
    await page.getByRole('button', { name: 'Export CSV: Risk factor effects' }).waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'workforce-score');
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('a manager of a small team sees their own backtest, with "too few exits to judge"', async () => {
    const [small] = await h.sql<{ id: string }>(`select ancestor_id as id from org_closure where depth >= 1
      group by ancestor_id having count(*) between 3 and 8 order by ancestor_id limit 1`);
    const context = await h.contextAs('manager', small.id);
    const { page, errors } = await h.open('/retention/score', context);
    const message = page.getByTestId('too-few-exits');
    await message.waitFor();
    expect(await message.textContent()).toContain('your team');
    expect(await page.getByTestId('weights').textContent()).toContain('No fitted points: too few exits to judge');
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'workforce-score-manager-too-few');
    await noAlerts(page, errors);
    await context.close();
  });

  it('Succession and Skill gaps show sparklines of their history figures', async () => {
    for (const [url, labels] of [['/succession', ['Succession readiness rate', 'Bench strength index']], ['/skill-gaps', ['Mean coverage of current role']]] as const) {
      const { page, errors } = await h.open(url);
      const panel = page.getByTestId('history-sparklines');
      await panel.getByTestId('sparkline').first().waitFor();
      expect(await panel.locator('.spark-label').allTextContents()).toEqual(labels);
      await noAlerts(page, errors);
      await page.close();
    }
  });
});

const PAGES = [
  ['overview', '/'], ['skill-gaps', '/skill-gaps'], ['succession', '/succession'], ['retention', '/retention'],
  ['goals', '/goals'], ['talent-needs', '/talent-needs'], ['framework', '/framework'], ['employees', '/employees'],
  ['pipeline', '/pipeline'], ['score', '/retention/score'],
] as const;
/** The employee with the highest risk score (the profile with the most to show). */
const topRisk = async () => (await h.sql<{ id: string }>(`select employee_id as id from retention_risk where band = 'high' order by score desc, employee_id limit 1`))[0].id;

describe('every page', () => {
  it.each(PAGES)('%s renders without errors or serious accessibility violations (screenshot)', async (name, url) => {
    const { page, errors } = await h.open(url);
    await page.getByTestId('as-of').waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, `workforce-${name}`);
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('an employee profile renders', async () => {
    const { page, errors } = await h.open(`/employees/${await topRisk()}`);
    await page.getByTestId('risk-score').waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'workforce-employee');
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('the sign-in page has no serious accessibility violations', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.baseUrl}/login`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it.each([...PAGES, ['employee', null]] as const)('%s fits a phone (390 px): no sideways scrolling (screenshot)', async (name, url) => {
    const { page, errors } = await h.open(url ?? `/employees/${await topRisk()}`, h.context, PHONE);
    await page.getByTestId('as-of').waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, `workforce-phone-${name}`);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width + 1);
    await noAlerts(page, errors);
    await page.close();
  });

  it("at phone width, each retention row shows the person's score and reasons on screen", async () => {
    const [top] = await h.sql<{ employee_id: string; score: number }>(`select employee_id, score::int as score from retention_risk
      where path_state in ('no_path', 'plan_only') order by score desc, employee_id limit 1`);
    const { page, errors } = await h.open('/retention', h.context, PHONE);
    const row = rowsOf(page, 'No path and plan-only employees by risk').first();
    await row.waitFor();
    await row.scrollIntoViewIfNeeded();
    expect(await row.locator('td[data-label="Id"]').textContent()).toBe(top.employee_id);
    expect(await row.locator('td[data-label="Score"]').textContent()).toBe(String(top.score));
    for (const label of ['Employee', 'Score', 'Reasons']) {
      const box = (await row.locator(`td[data-label="${label}"]`).boundingBox())!;
      expect({ label, left: box.x >= 0, right: box.x + box.width <= PHONE.width, top: box.y >= 0, bottom: box.y + box.height <= PHONE.height })
        .toEqual({ label, left: true, right: true, top: true, bottom: true });
    }
    await noAlerts(page, errors);
    await page.close();
  });

  it('at phone width the nav sits behind a Menu button', async () => {
    const { page, errors } = await h.open('/', h.context, PHONE);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('button', { name: 'Menu' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Retention' }).isVisible()).toBe(false);
    await nav.getByRole('button', { name: 'Menu' }).click();
    const link = nav.getByRole('link', { name: 'Retention' });
    const box = (await link.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await link.click();
    await page.getByRole('heading', { level: 1, name: /^Retention/ }).waitFor();
    expect(await nav.getByRole('link', { name: 'Retention' }).isVisible()).toBe(false); // closed again after navigating
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width + 1);
    await noAlerts(page, errors);
    await page.close();
  });

  // Last (it changes the org): with history off (historyMonths 0) the overview falls back to the trend of
  // past runs, drawn once runs exist for two as-of dates.
  it('with history off, the overview draws the trend of past runs once they exist for two as-of dates', async () => {
    for (const asOf of ['2026-03-31', AS_OF]) {
      const s = await runPipeline(h.db, { inbox: h.inbox, asOf, historyMonths: 0, trigger: 'cli', clock: () => new Date('2026-07-01T06:00:00Z') });
      expect(s.status).toBe('succeeded');
    }
    const { page, errors } = await h.open('/');
    await page.getByRole('figure', { name: 'Trend over past runs' }).locator('svg').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('history-trend').count()).toBe(0);
    await screenshot(page, 'workforce-overview-trend-runs');
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize(PHONE);
    await expect.poll(() => scrollWidth(page)).toBeLessThanOrEqual(PHONE.width + 1);
    await page.close();
  });
});
