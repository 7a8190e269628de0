// Saved succession plans and the what-if (issue 14 §2) in real Chromium on the hand-made `succession` org
// (fixtures/orgs/succession/README.md): a leader creates the Tech Lead plan (two successors, a development
// action with a due date, an emergency successor), saves version 1, edits to version 2 and sees both in the
// history; a save from a second session with a stale base_version gets 409, and when the second session
// saves first, the page's save shows the conflict and loads the other version; the leader runs a what-if
// (chain of vacancies, bench before/after, index before/after, direct reports); a manager whose subtree
// holds the role sees the plan read-only; a successor found by name who is no candidate has no evidence;
// the page-wide list of saved decisions that disagree with the evidence (a manager's: their roles), which
// follows a save.
// Screenshots at desktop and phone width, axe on each state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { formatNumber, humanize } from '../src/lib/format.ts';
import type { PlanAnswer, PlanDisagreement, WhatIf } from '../src/lib/types.ts';
import { PHONE, axeViolations, screenshot, scrollWidth, startHarness, type Harness } from './harness.ts';

let h: Harness;
let leader: BrowserContext;
beforeAll(async () => {
  h = await startHarness('succession');
  leader = await h.contextAs('leader');
});
afterAll(async () => { await leader?.close(); await h?.close(); });

const ROLE = '/succession?role=TL';
const rowsOf = (page: Page, table: string) => page.getByRole('table', { name: table, exact: true }).locator('tbody tr');
const column = (page: Page, table: string, i: number) => rowsOf(page, table).locator(`td:nth-child(${i + 1})`).allTextContents();
const history = (page: Page) => page.getByTestId('plan-history-version').locator('strong').allTextContents();
/** The plan as the server has it now, read through the API by a browser context. */
async function planNow(context: BrowserContext): Promise<PlanAnswer> {
  const res = await context.request.get(`${h.baseUrl}/api/succession/plans/TL`);
  expect(res.status()).toBe(200);
  return res.json() as Promise<PlanAnswer>;
}
async function noAxe(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

describe('succession plans', () => {
  it('a leader creates a plan, saves version 1, edits to version 2, and sees both in the history', async () => {
    const { page, errors } = await h.open(ROLE, leader);
    await page.getByTestId('plan-none').waitFor();
    await page.getByRole('button', { name: 'Create a plan' }).click();
    const form = page.getByRole('form', { name: 'Edit the succession plan for Tech Lead' });

    // Two successors from the role's candidates: Sam (evidence ready now) and Uma (evidence 1–2 years).
    for (const id of ['B02', 'B03']) {
      await form.getByLabel('Candidate of the role', { exact: true }).selectOption(id);
      await form.getByRole('button', { name: 'Add candidate' }).click();
    }
    await expect.poll(() => form.getByTestId('draft-successor').count()).toBe(2);
    // A new successor's decided readiness starts at the evidence's.
    expect(await form.getByLabel('Decided readiness of Sam Ready').inputValue()).toBe('ready_now');
    expect(await form.getByLabel('Decided readiness of Uma Nominee').inputValue()).toBe('1_2_years');
    await form.getByRole('button', { name: 'Add a development action for Sam Ready' }).click();
    await form.getByLabel('Development action 1 of Sam Ready').fill('Lead the Q3 architecture review');
    await form.getByLabel('Due date of action 1 of Sam Ready').fill('2026-09-30');
    await form.getByLabel('Emergency (interim) successor').selectOption('B02');
    await form.getByLabel('Notes', { exact: true }).fill('Tara moves to Architect in 2027.');
    await screenshot(page, 'succession-plan-edit');
    await noAxe(page);
    await form.getByRole('button', { name: 'Save plan' }).click();

    await page.getByRole('status').filter({ hasText: 'Saved version 1.' }).waitFor();
    await expect.poll(() => history(page)).toEqual(['Version 1']);
    expect(await page.getByTestId('plan-version').textContent()).toMatch(/^Version 1, saved by /);
    expect(await page.getByTestId('plan-emergency').textContent()).toBe('Sam Ready (B02)');
    expect(await page.getByTestId('plan-notes').textContent()).toBe('Tara moves to Architect in 2027.');
    const table = 'Plan successors for Tech Lead';
    expect((await column(page, table, 1)).sort()).toEqual(['B02', 'B03']);
    const byId = async (i: number) => {
      const ids = await column(page, table, 1);
      const vals = await column(page, table, i);
      return Object.fromEntries(ids.map((id, k) => [id, vals[k]]));
    };
    expect(await byId(3)).toEqual({ B02: humanize('ready_now'), B03: humanize('1_2_years') });
    expect((await byId(6)).B02).toBe('Lead the Q3 architecture review (due 2026-09-30)');
    // The server has what the page shows.
    const v1 = await planNow(leader);
    expect(v1.canEdit).toBe(true);
    expect(v1.plan?.version).toBe(1);
    expect(v1.plan?.successors.find((s) => s.employee_id === 'B02')?.actions).toEqual([
      { action: 'Lead the Q3 architecture review', due_on: '2026-09-30', done: false }]);

    // Version 2: Uma is decided ready now although the evidence says 1–2 years (the calibration gap).
    await page.getByRole('button', { name: 'Edit plan' }).click();
    await form.getByLabel('Decided readiness of Uma Nominee').selectOption('ready_now');
    await form.getByRole('button', { name: 'Save plan' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved version 2.' }).waitFor();
    await expect.poll(() => history(page)).toEqual(['Version 2', 'Version 1']);
    const v2 = await planNow(leader);
    const uma = v2.plan!.successors.find((s) => s.employee_id === 'B03')!;
    expect(uma.decided_readiness).toBe('ready_now');
    expect(uma.calibration).toBe('decided_earlier');
    await expect.poll(async () => (await byId(3)).B03).toBe(humanize('ready_now'));
    expect((await byId(4)).B03).toBe(humanize(uma.evidence_readiness ?? ''));
    expect((await byId(5)).B03).toBe(`⚠ ${humanize('decided_earlier')}`);
    // Each version says what changed.
    const v2Changes = await page.getByTestId('plan-history-version').first().locator('li').allTextContents();
    expect(v2Changes.length).toBeGreaterThan(0);
    await screenshot(page, 'succession-plan-saved');
    await noAxe(page);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a stale save gets 409 with the other version; the page shows the conflict and loads the other version', async () => {
    const before = (await planNow(leader)).plan!;
    expect(before.version).toBe(2);
    const second = await h.contextAs('leader');
    const body = (base: number, notes: string) => ({
      base_version: base, notes, emergency_successor_id: 'B02',
      successors: before.successors.map((s) => ({ employee_id: s.employee_id, decided_readiness: s.decided_readiness, actions: s.actions })),
    });
    const put = (base: number, notes: string) => second.request.put(`${h.baseUrl}/api/succession/plans/TL`,
      { headers: { 'x-trellis-csrf': '1' }, data: body(base, notes) });

    // A save based on version 1 when version 2 exists: 409, the current version in the answer, nothing written.
    const stale = await put(1, 'stale notes');
    expect(stale.status()).toBe(409);
    const staleBody = await stale.json() as { error: string; current: { version: number } };
    expect(staleBody.error).toBe('conflict');
    expect(staleBody.current.version).toBe(2);
    expect((await planNow(leader)).plan!.version).toBe(2);

    // The leader starts editing version 2; meanwhile the second session saves version 3.
    const { page, errors } = await h.open(ROLE, leader);
    await page.getByRole('button', { name: 'Edit plan' }).click();
    const form = page.getByRole('form', { name: 'Edit the succession plan for Tech Lead' });
    await form.getByLabel('Notes', { exact: true }).fill('My notes, written on version 2.');
    const theirs = await put(2, 'Their notes, saved first.');
    expect(theirs.status()).toBe(200);
    await form.getByRole('button', { name: 'Save plan' }).click();

    const alert = page.getByTestId('plan-conflict');
    await alert.waitFor();
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.textContent()).toContain('Not saved: someone else changed this plan first.');
    expect(await alert.textContent()).toContain('The plan is now version 3');
    // Nothing was overwritten: the server still has their notes, and the form still has mine.
    expect((await planNow(leader)).plan!.notes).toBe('Their notes, saved first.');
    expect(await form.getByLabel('Notes', { exact: true }).inputValue()).toBe('My notes, written on version 2.');
    await expect.poll(() => history(page)).toEqual(['Version 3', 'Version 2', 'Version 1']);
    await expect.poll(() => column(page, 'Succession plans', 2)).toEqual(['3']); // the list of plans shows theirs too
    await screenshot(page, 'succession-plan-conflict');
    await noAxe(page);

    await alert.getByRole('button', { name: 'Load version 3' }).click();
    await alert.waitFor({ state: 'detached' });
    expect(await page.getByTestId('plan-notes').textContent()).toBe('Their notes, saved first.');
    expect(await form.getByLabel('Notes', { exact: true }).inputValue()).toBe('Their notes, saved first.');
    expect(await page.getByTestId('plan-version').textContent()).toMatch(/^Version 3,/);
    // Saving now builds on version 3.
    await form.getByLabel('Notes', { exact: true }).fill('Their notes, and mine.');
    await form.getByRole('button', { name: 'Save plan' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved version 4.' }).waitFor();
    expect((await planNow(leader)).plan!.notes).toBe('Their notes, and mine.');
    expect(errors.filter((e) => !e.includes('409'))).toEqual([]); // the browser logs the refused PUT itself
    await second.close();
    await page.close();
  });

  it("a leader runs a what-if: the chain of vacancies, bench before and after, the index, and the successor's reports", async () => {
    const res = await leader.request.get(`${h.baseUrl}/api/succession/plans/TL/what-if?successor=B02`);
    expect(res.status()).toBe(200);
    const expected = await res.json() as WhatIf;
    // Worked by hand (fixture README, docs/marts.md "What-if"): Sam (B02, SSE) moves into TL. SSE, left by
    // Sam: Vic (B04, SE) covers SSE's skills fully but has no review → 1–2 years (Uma and Eli hold SSE, Abe
    // is not ready). Sam's active reports are Vic and Abe (Bea left, Cal starts after as_of): Vic, who
    // fills SSE, goes to Sam's manager Tara; Abe to Vic. Index before = the org's 0.6; after, Sam and Vic
    // leave every pool: TL keeps 2 incumbents with Uma's ½ → min(1, 0.5/2) = 0.25, the rest unchanged
    // (ARCH 0.5, SEC 0, HOP 1, COO 0.5) → 2.25 / 5 = 0.45.
    expect(expected.index_before).toBeCloseTo(0.6, 9);
    expect(expected.index_after).toBeCloseTo(0.45, 9);
    expect(expected.steps[0]).toMatchObject({ step: 1, role_id: 'SSE', vacated_by_id: 'B02', successor_id: 'B04', successor_readiness: '1_2_years' });
    expect([...expected.reports].sort((a, b) => a.employee_id.localeCompare(b.employee_id))
      .map((r) => [r.employee_id, r.manager_now_id, r.manager_to_be_id])).toEqual([['B04', 'B02', 'B01'], ['B09', 'B02', 'B04']]);
    expect(expected.roles[0]).toMatchObject({ role_id: 'TL', bench_before: 2, bench_after: 0.5 });

    const { page, errors } = await h.open(ROLE, leader);
    await page.getByRole('button', { name: 'What if Sam Ready moved in now?' }).click();
    const panel = page.getByTestId('whatif');
    await panel.getByTestId('index-before').waitFor();
    expect(await panel.getByTestId('index-before').textContent()).toBe(formatNumber(0.6, 'decimal'));
    expect(await panel.getByTestId('index-after').textContent()).toBe(formatNumber(0.45, 'decimal'));
    expect(await panel.getByTestId('whatif-move').textContent()).toBe('Sam Ready (B02) moves into Tech Lead.');
    const steps = (await panel.getByTestId('whatif-step').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(steps.length).toBe(expected.steps.length);
    expect(steps[0]).toBe('Senior Engineer, left by Sam Ready (B02): filled by Vic Unreviewed (B04), ready in 1–2 years (by the evidence).');
    for (const [i, s] of expected.steps.entries()) {
      expect(steps[i]).toContain(s.title ?? s.role_id);
      expect(steps[i]).toContain(s.successor_id ? `filled by ${s.successor_name} (${s.successor_id})` : 'stays open');
    }
    expect(await column(page, 'Bench before and after', 1)).toEqual(expected.roles.map((r) => r.role_id));
    expect(await column(page, 'Bench before and after', 2)).toEqual(expected.roles.map((r) => formatNumber(r.bench_before, 'decimal')));
    expect(await column(page, 'Bench before and after', 3)).toEqual(expected.roles.map((r) => formatNumber(r.bench_after, 'decimal')));
    const reports = 'Direct reports of Sam Ready';
    const reportIds = await column(page, reports, 1);
    const toBe = await column(page, reports, 3);
    expect(Object.fromEntries(reportIds.map((id, i) => [id, toBe[i]]))).toEqual({ B04: 'Tara Lead', B09: 'Vic Unreviewed' });
    await page.getByRole('figure', { name: 'Bench strength before and after the move' }).waitFor();
    await screenshot(page, 'succession-plan-whatif');
    await noAxe(page);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the plan and the what-if fit a phone (390 px) without sideways scrolling', async () => {
    const { page, errors } = await h.open(ROLE, leader, PHONE);
    await page.getByRole('button', { name: 'What if Sam Ready moved in now?' }).click();
    await page.getByTestId('whatif').getByTestId('index-after').waitFor();
    await page.getByRole('button', { name: 'Edit plan' }).click();
    await page.getByRole('form', { name: 'Edit the succession plan for Tech Lead' }).waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width + 1);
    await screenshot(page, 'succession-plan-phone');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a manager whose subtree holds the role sees the plan read-only', async () => {
    const context = await h.contextAs('manager', 'B01'); // Tara: TL is held in her subtree
    const answer = await planNow(context);
    expect(answer.canEdit).toBe(false);
    const { page, errors } = await h.open(ROLE, context);
    await page.getByTestId('plan-version').waitFor();
    expect(await page.getByTestId('plan-version').textContent()).toMatch(/^Version 4, .*\(read-only\)$/);
    expect(await page.getByRole('button', { name: /Edit plan|Create a plan/ }).count()).toBe(0);
    expect(await page.getByRole('form').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^What if/ }).count()).toBe(0); // the what-if is the editors'
    expect((await column(page, 'Plan successors for Tech Lead', 1)).sort()).toEqual(['B02', 'B03']);
    await expect.poll(() => history(page)).toEqual(['Version 4', 'Version 3', 'Version 2', 'Version 1']);
    // The plans list shows the plan to the manager too.
    expect(await column(page, 'Succession plans', 1)).toEqual(['TL']);
    // A write from the manager is refused by the server.
    const put = await context.request.put(`${h.baseUrl}/api/succession/plans/TL`, { headers: { 'x-trellis-csrf': '1' },
      data: { base_version: 4, notes: 'x', emergency_successor_id: null, successors: [] } });
    expect(put.status()).toBe(403);
    await screenshot(page, 'succession-plan-manager');
    await noAxe(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a leader adds a successor from anyone in scope (not a candidate): no evidence, so no calibration', async () => {
    const { page, errors } = await h.open('/succession?role=HOP', leader);
    await page.getByRole('button', { name: 'Create a plan' }).click();
    const form = page.getByRole('form', { name: 'Edit the succession plan for Head of Product' });
    await form.getByLabel('Anyone in your scope (name or id)', { exact: true }).fill('Xia');
    await form.getByRole('button', { name: 'Find', exact: true }).click();
    await form.getByLabel('Found', { exact: true }).selectOption('B06');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await form.getByLabel('Decided readiness of Xia Analyst').selectOption('3_plus_years');
    await form.getByRole('button', { name: 'Save plan' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved version 1.' }).waitFor();
    const table = 'Plan successors for Head of Product';
    expect(await column(page, table, 1)).toEqual(['B06']);
    expect(await column(page, table, 4)).toEqual(['—']); // Xia is no candidate for HOP
    expect(await column(page, table, 5)).toEqual(['—']);
    await expect.poll(async () => (await column(page, 'Succession plans', 1)).sort()).toEqual(['HOP', 'TL']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists every saved decision that disagrees with the evidence, page-wide; a manager sees their roles read-only', async () => {
    // ARCH (vacant): Tara decided 1–2 years (the evidence's), Dee 3+ years (evidence 1–2 years: decided later).
    const arch = await leader.request.put(`${h.baseUrl}/api/succession/plans/ARCH`, { headers: { 'x-trellis-csrf': '1' }, data: {
      base_version: 0, notes: null, emergency_successor_id: null, successors: [
        { employee_id: 'B01', decided_readiness: '1_2_years', actions: [] }, { employee_id: 'B12', decided_readiness: '3_plus_years', actions: [] }] } });
    expect(arch.status()).toBe(200);
    const api = await leader.request.get(`${h.baseUrl}/api/succession/disagreements`);
    const { rows } = await api.json() as { rows: PlanDisagreement[] };
    // TL: Uma decided ready now, evidence 1–2 years (version 2 above); Sam agrees; HOP: Xia has no evidence
    expect(rows.map((r) => [r.role_id, r.employee_id, r.decided_readiness, r.evidence_readiness, r.calibration])).toEqual([
      ['ARCH', 'B12', '3_plus_years', 'ready_1_2_years', 'decided_later'],
      ['TL', 'B03', 'ready_now', 'ready_1_2_years', 'decided_earlier'],
    ]);

    const table = 'Saved decisions against the evidence';
    const { page, errors } = await h.open('/succession', leader);
    await rowsOf(page, table).first().waitFor();
    expect(await column(page, table, 0)).toEqual(['Architect', 'Tech Lead']);
    expect(await column(page, table, 2)).toEqual(['Dee Lead', 'Uma Nominee']);
    expect(await column(page, table, 3)).toEqual(['B12', 'B03']);
    expect(await column(page, table, 5)).toEqual(rows.map((r) => humanize(r.decided_readiness)));
    expect(await column(page, table, 6)).toEqual(rows.map((r) => humanize(r.evidence_readiness)));
    expect(await column(page, table, 7)).toEqual([`⚠ ${humanize('decided_later')}`, `⚠ ${humanize('decided_earlier')}`]);
    expect(await column(page, table, 9)).toEqual(rows.map((r) => String(r.version)));
    await screenshot(page, 'succession-plan-disagreements');
    await noAxe(page);
    // a role links to its plan
    await rowsOf(page, table).nth(1).getByRole('link', { name: 'Tech Lead', exact: true }).click();
    await page.waitForURL(/[?&]role=TL/);
    await page.getByTestId('plan-version').waitFor();
    expect(await page.getByTestId('plan-version').textContent()).toMatch(/^Version 4,/);

    // Tara (manager): TL is held in her subtree, ARCH is vacant, so only TL's decision; no way to edit
    const tara = await h.contextAs('manager', 'B01');
    const mine = await (await tara.request.get(`${h.baseUrl}/api/succession/disagreements`)).json() as { rows: PlanDisagreement[] };
    expect(mine.rows.map((r) => `${r.role_id} ${r.employee_id}`)).toEqual(['TL B03']);
    const seen = await h.open('/succession', tara);
    await rowsOf(seen.page, table).first().waitFor();
    expect(await column(seen.page, table, 3)).toEqual(['B03']);
    expect(await seen.page.getByTestId('plan-disagreements').textContent()).toContain('read-only');
    expect(await seen.page.getByRole('button', { name: /Edit plan|Create a plan/ }).count()).toBe(0);
    await screenshot(seen.page, 'succession-plan-disagreements-manager');
    await noAxe(seen.page);
    expect(seen.errors).toEqual([]);
    await tara.close();

    // Saving TL with Uma at the evidence's readiness takes her off the list without a reload.
    await page.getByRole('button', { name: 'Edit plan' }).click();
    const form = page.getByRole('form', { name: 'Edit the succession plan for Tech Lead' });
    await form.getByLabel('Decided readiness of Uma Nominee').selectOption('1_2_years');
    await form.getByRole('button', { name: 'Save plan' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved version 5.' }).waitFor();
    await expect.poll(() => column(page, table, 3)).toEqual(['B12']);
    expect(errors).toEqual([]);
    await page.close();
  });
});
