// In a real browser: a manager signs in on the login page and the retention page shows only their team.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, screenshot, type Harness } from '../../e2e/harness.ts';
import { createUser } from './test-helpers.ts';

let h: Harness;
beforeAll(async () => { h = await startHarness('succession'); });
afterAll(async () => { await h?.close(); });

describe('a manager in the browser', () => {
  it('signs in and sees only their team on the retention page', async () => {
    // A manager below the top whose team has people on the retention list, in an org with people outside it.
    const [pick] = await h.sql<{ ancestor_id: string; n: number }>(`
      select c.ancestor_id, count(*)::int as n
      from org_closure c join retention_risk r using (employee_id)
      where c.ancestor_id not in (select employee_id from org_closure group by employee_id having count(*) = 1)
      group by c.ancestor_id order by n desc, c.ancestor_id limit 1`);
    expect(pick, 'the fixture org has a manager below the top').toBeTruthy();
    const team = new Set((await h.sql<{ employee_id: string }>(
      'select employee_id from org_closure where ancestor_id = $m', { m: pick.ancestor_id })).map((r) => r.employee_id));
    const everyone = await h.sql<{ n: number }>('select count(*)::int as n from retention_risk');
    expect(everyone[0].n).toBeGreaterThan(team.size); // there is someone to hide

    const user = await createUser(h.app, { role: 'manager', employeeId: pick.ancestor_id, username: 'browser-mgr', password: 'browser-pass-1' });
    const context = await h.browser.newContext(); // no admin cookie here
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${h.baseUrl}/retention`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Sign-in failed/);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/retention$/);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'retention-as-manager');

    const ids = await page.locator('a[href^="/employees/"]').evaluateAll((links) =>
      links.map((a) => decodeURIComponent((a as HTMLAnchorElement).getAttribute('href')!.slice('/employees/'.length))));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => !team.has(id))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
