// Suggested moves in the browser (issue 14), on the generated workforce of workforce.test.ts (1200 people,
// seed 7) with the server clock pinned: the employee page's suggestions with their gaps (against
// mobility_matches and the skill levels), ticking two and exporting them as a career_plans CSV, the
// retention page's best move per no-path person, the hidden bench on Talent needs and Succession
// (against role_internal_candidates), a manager's hidden bench from their subtree; axe-core, phone width
// and a screenshot of each.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PHONE, axeViolations, screenshot, scrollWidth, startHarness, type Harness } from './harness.ts';

const AS_OF = '2026-06-30';
const TODAY = '2026-07-02'; // the pinned server clock: the exported plans' created_on
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ generate: { employees: 1200, seed: 7, asOf: AS_OF } }, { now: () => new Date(`${TODAY}T09:30:00Z`) });
}, 300_000);
afterAll(async () => { await h?.close(); });

const rowsOf = (page: Page, table: string) => page.getByRole('table', { name: table, exact: true }).locator('tbody tr');
async function columnHeaded(page: Page, table: string, header: string) {
  const headers = await page.getByRole('table', { name: table, exact: true }).locator('thead th').allTextContents();
  const i = headers.map((t) => t.replace(/ [▲▼]$/, '')).indexOf(header);
  expect(i, `no column "${header}" in ${headers.join(' | ')}`).toBeGreaterThanOrEqual(0);
  return rowsOf(page, table).locator(`td:nth-child(${i + 1})`).allTextContents();
}
async function noAlerts(page: Page, errors: string[]) {
  expect(await page.getByRole('alert').allTextContents()).toEqual([]);
  expect(errors).toEqual([]);
}

/** Someone with at least three suggestions, one of them with skills to close. */
const person = async () => (await h.sql<{ id: string }>(`
  select employee_id as id from mobility_matches group by employee_id
  having count(*) >= 3 and max(n_skills_to_close) >= 2 order by employee_id limit 1`))[0].id;

describe('employee page', () => {
  it('shows the suggestions in rank order with each one’s skill gaps (current → required)', async () => {
    const id = await person();
    const mart = await h.sql<{ role_id: string; title: string; skills_to_close: string | null }>(
      'select role_id, title, skills_to_close from mobility_matches where employee_id = $id order by rank', { id });
    const { page, errors } = await h.open(`/employees/${id}`);
    const table = 'Suggested moves';
    await rowsOf(page, table).first().waitFor();
    expect(await columnHeaded(page, table, 'Role')).toEqual(mart.map((m) => m.title));
    expect(await columnHeaded(page, table, 'Role id')).toEqual(mart.map((m) => m.role_id));
    // each gap reads "<skill> <current> → <required>", the mart's text item by item
    const gaps = await rowsOf(page, table).evaluateAll((rows) => rows.map((r) =>
      [...r.querySelectorAll('ul.gaps li')].map((li) => (li.textContent ?? '').replace(/\s+/g, ' ').trim())));
    expect(gaps).toEqual(mart.map((m) => (m.skills_to_close ?? '').split('; ').filter(Boolean).map((s) => s.replace('→', ' → '))));
    expect(gaps.some((g) => g.length >= 2)).toBe(true);
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'moves-employee');
  });

  it('ticking two suggestions and exporting gives the career_plans CSV of those two', async () => {
    const id = await person();
    const mart = await h.sql<{ role_id: string; title: string }>('select role_id, title from mobility_matches where employee_id = $id order by rank', { id });
    const { page, errors } = await h.open(`/employees/${id}`);
    const button = page.getByRole('button', { name: 'Export CSV: career_plans', exact: true });
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true); // nothing ticked yet
    const chosen = [mart[0], mart[2]];
    for (const m of chosen) await page.getByRole('checkbox', { name: `Select ${m.title}`, exact: true }).check();
    await expect.poll(() => page.getByTestId('career-plans-selected').textContent()).toMatch(/2 selected/);
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe(`career_plans-${TODAY}.csv`);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    const expected = [...chosen].sort((a, b) => (a.role_id < b.role_id ? -1 : 1)).map((m) => `${id},${m.role_id},${TODAY},active`);
    expect(text).toBe(['employee_id,target_role_id,created_on,status', ...expected].join('\r\n') + '\r\n');
    await noAlerts(page, errors);
  });

  it('fits a phone: the suggestions show as cards, nothing scrolls sideways (screenshot)', async () => {
    const { page, errors } = await h.open(`/employees/${await person()}`, h.context, PHONE);
    await rowsOf(page, 'Suggested moves').first().waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width + 1);
    await noAlerts(page, errors);
    await screenshot(page, 'moves-phone-employee');
  });
});

describe('retention page', () => {
  it('shows each no-path person’s best suggestion, riskiest first', async () => {
    const expected = await h.sql<{ employee_id: string; title: string | null }>(`
      select c.employee_id, m.title from career_path_state c
      join retention_risk r using (employee_id)
      left join mobility_matches m on m.employee_id = c.employee_id and m.rank = 1
      where c.path_state = 'no_path' order by r.score desc, c.employee_id limit 20`);
    expect(expected.some((e) => e.title)).toBe(true);
    const { page, errors } = await h.open('/retention');
    const table = 'Best suggested moves';
    await rowsOf(page, table).first().waitFor();
    expect((await columnHeaded(page, table, 'Id')).slice(0, 20)).toEqual(expected.map((e) => e.employee_id));
    expect((await columnHeaded(page, table, 'Best move')).slice(0, 20)).toEqual(expected.map((e) => e.title ?? 'No suggestion'));
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'moves-retention');
  });

  it('ticking best moves and exporting gives the career_plans CSV of those; the page box ticks every move on the page', async () => {
    const expected = await h.sql<{ employee_id: string; full_name: string; role_id: string | null; title: string | null }>(`
      select c.employee_id, c.full_name, m.role_id, m.title from career_path_state c
      join retention_risk r using (employee_id)
      left join mobility_matches m on m.employee_id = c.employee_id and m.rank = 1
      where c.path_state = 'no_path' order by r.score desc, c.employee_id`);
    const { page, errors } = await h.open('/retention');
    const table = 'Best suggested moves';
    const region = page.getByRole('region', { name: table, exact: true });
    await rowsOf(page, table).first().waitFor();
    const button = region.getByRole('button', { name: 'Export CSV: career_plans', exact: true });
    expect(await button.isDisabled()).toBe(true); // nothing ticked yet
    // a person without a suggestion has no box to tick
    const shown = expected.slice(0, 500);
    expect(await rowsOf(page, table).locator('td.select input[type=checkbox]').count()).toBe(shown.filter((e) => e.role_id).length);
    const withMove = shown.map((e, i) => ({ ...e, i })).filter((e) => e.role_id);
    const chosen = [withMove[0], withMove[2]];
    for (const e of chosen) {
      const box = rowsOf(page, table).nth(e.i).getByRole('checkbox');
      expect(await box.getAttribute('aria-label')).toBe(`Select ${e.full_name}: ${e.title}`);
      await box.check();
    }
    await expect.poll(() => region.getByTestId('career-plans-selected').textContent()).toBe('2 selected to export as career plans');
    await screenshot(page, 'moves-retention-selected');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe(`career_plans-${TODAY}.csv`);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    const rows = chosen.map((e) => `${e.employee_id},${e.role_id},${TODAY},active`).sort();
    expect(text).toBe(['employee_id,target_role_id,created_on,status', ...rows].join('\r\n') + '\r\n');
    // the box in the header ticks every move on the page, and clears them again
    const all = region.getByRole('checkbox', { name: `Select every row on this page of ${table}`, exact: true });
    await all.check();
    await expect.poll(() => region.getByTestId('career-plans-selected').textContent())
      .toBe(`${shown.filter((e) => e.role_id).length} selected to export as career plans`);
    await all.uncheck();
    await expect.poll(() => region.getByTestId('career-plans-selected').textContent()).toBe('0 selected to export as career plans');
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('hidden bench', () => {
  const bench = (where: string) => h.sql<{ role_id: string; employee_id: string }>(
    `select role_id, employee_id from role_internal_candidates ${where} order by role_id, rank`);

  it('Talent needs lists every role in need with its candidates beyond the nominations', async () => {
    const expected = await bench('');
    expect(expected.length).toBeGreaterThan(3);
    const { page, errors } = await h.open('/talent-needs');
    const table = 'Hidden bench';
    await rowsOf(page, table).first().waitFor();
    expect(await columnHeaded(page, table, 'Role id')).toEqual(expected.slice(0, 500).map((e) => e.role_id));
    expect(await columnHeaded(page, table, 'Id')).toEqual(expected.slice(0, 500).map((e) => e.employee_id));
    const count = await page.getByRole('region', { name: table, exact: true }).locator('.table-head .muted').first().textContent();
    expect(count).toContain(String(expected.length)); // "N rows", or "rows 1–500 of N"
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'moves-talent-needs');
  });

  it('Talent needs: ticking hidden-bench people exports those moves as career plans', async () => {
    const expected = await h.sql<{ role_id: string; employee_id: string; full_name: string; title: string }>(`
      select b.role_id, b.employee_id, b.full_name, r.title from role_internal_candidates b join stg_roles r using (role_id)
      order by b.role_id, b.rank limit 3`);
    const { page, errors } = await h.open('/talent-needs');
    const region = page.getByRole('region', { name: 'Hidden bench', exact: true });
    await rowsOf(page, 'Hidden bench').first().waitFor();
    for (const i of [0, 2]) {
      const box = rowsOf(page, 'Hidden bench').nth(i).getByRole('checkbox');
      expect(await box.getAttribute('aria-label')).toBe(`Select ${expected[i].full_name} for ${expected[i].title}`);
      await box.check();
    }
    await expect.poll(() => region.getByTestId('career-plans-selected').textContent()).toBe('2 selected to export as career plans');
    const [download] = await Promise.all([page.waitForEvent('download'),
      region.getByRole('button', { name: 'Export CSV: career_plans', exact: true }).click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    const rows = [expected[0], expected[2]].map((e) => `${e.employee_id},${e.role_id},${TODAY},active`).sort();
    expect(text).toBe(['employee_id,target_role_id,created_on,status', ...rows].join('\r\n') + '\r\n');
    await noAlerts(page, errors);
    await screenshot(page, 'moves-talent-needs-selected');
  });

  it('Succession lists the critical roles without a ready-now successor', async () => {
    const expected = await bench('where is_critical_without_ready_now');
    const table = 'Hidden bench: critical roles without a ready-now successor';
    const { page, errors } = await h.open('/succession');
    const section = page.getByTestId('hidden-bench');
    await section.waitFor();
    if (expected.length) {
      await rowsOf(page, table).first().waitFor();
      expect(await columnHeaded(page, table, 'Id')).toEqual(expected.slice(0, 500).map((e) => e.employee_id));
    } else {
      await expect.poll(() => section.textContent()).toMatch(/No hidden bench/);
    }
    await noAlerts(page, errors);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'moves-succession');
  });

  it('a manager sees the candidates from their own subtree only', async () => {
    const [{ root }] = await h.sql<{ root: string }>(`
      select o.ancestor_id as root from org_closure o join role_internal_candidates b on b.employee_id = o.employee_id
      where o.ancestor_id <> o.employee_id group by o.ancestor_id order by count(*), o.ancestor_id limit 1`);
    const expected = await h.sql<{ employee_id: string }>(`
      select employee_id from role_internal_candidates
      where employee_id in (select employee_id from org_closure where ancestor_id = $root) order by role_id, rank`, { root });
    const { page, errors } = await h.open('/talent-needs', await h.contextAs('manager', root));
    await rowsOf(page, 'Hidden bench').first().waitFor();
    expect(await columnHeaded(page, 'Hidden bench', 'Id')).toEqual(expected.map((e) => e.employee_id));
    await noAlerts(page, errors);
    // the manager exports their bench; a move of someone outside their subtree is refused by the server
    const context = page.context();
    const post = (moves: { employee_id: string; role_id: string }[]) => context.request.post(`${h.baseUrl}/api/employees/career-plans`,
      { headers: { 'x-trellis-csrf': '1' }, data: { moves } });
    const mine = await h.sql<{ employee_id: string; role_id: string }>(`
      select employee_id, role_id from role_internal_candidates
      where employee_id in (select employee_id from org_closure where ancestor_id = $root) order by role_id, rank limit 2`, { root });
    expect((await post(mine)).status()).toBe(200);
    const [outside] = await h.sql<{ employee_id: string; role_id: string }>(`
      select employee_id, role_id from role_internal_candidates
      where employee_id not in (select employee_id from org_closure where ancestor_id = $root) order by role_id, rank limit 1`, { root });
    const refused = await post([...mine, outside]);
    expect(refused.status()).toBe(403);
    expect((await refused.json() as { message: string }).message).toContain(`${outside.employee_id} → ${outside.role_id}`);
  });

  it('fits a phone on Talent needs (screenshot)', async () => {
    const { page, errors } = await h.open('/talent-needs', h.context, PHONE);
    await rowsOf(page, 'Hidden bench').first().waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width + 1);
    await noAlerts(page, errors);
    await screenshot(page, 'moves-phone-talent-needs');
  });
});
