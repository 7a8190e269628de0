// Single sign-on end to end: a real OpenID provider (oidc-provider, in process, on a loopback port), the
// real server on a generated org, and Chromium going through the sign-in page, the provider's own login
// and consent forms, and back. One provider and one server for the file; a fresh browser context
// (no cookies) per person. The people are picked from the org: someone without reports (employee),
// someone with reports below the top (manager), and the top of the org, in the leaders' group (leader).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestProvider, type TestAccount, type TestProvider } from '../server/auth/test-oidc-provider.ts';
import { screenshot, startHarness, type Harness } from './harness.ts';

const AS_OF = '2026-03-31';
const accounts: TestAccount[] = [];
let provider: TestProvider;
let h: Harness;
const people: Record<'employee' | 'manager' | 'leader', { id: string; email: string }> = {} as never;

beforeAll(async () => {
  provider = await startTestProvider(accounts, () => [`${h.baseUrl}/api/auth/oidc/callback`]);
  h = await startHarness({ generate: { employees: 80, seed: 11, asOf: AS_OF } }, {
    config: {
      oidc: {
        issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, redirectUrl: null,
        name: 'Example SSO', scopes: 'openid email profile', emailClaim: 'email', groupsClaim: 'groups',
        groupRoles: { admin: [], leader: ['trellis-leads'] },
      },
    },
  });
  const active = `select e.employee_id as id, lower(e.email) as email, e.manager_id,
      exists (select 1 from org_closure r where r.ancestor_id = e.employee_id and r.depth > 0) as has_reports
    from stg_employees e join org_closure c on c.employee_id = e.employee_id and c.ancestor_id = e.employee_id
    where e.email is not null`;
  const pick = async (where: string) => {
    const [row] = await h.sql<{ id: string; email: string }>(`select id, email from (${active}) where ${where} order by id limit 1`);
    if (!row) throw new Error(`the generated org has nobody with ${where}`);
    return row;
  };
  people.employee = await pick('not has_reports');
  people.manager = await pick('has_reports and manager_id is not null');
  people.leader = await pick('manager_id is null');
  accounts.push(
    { login: 'employee', email: people.employee.email },
    { login: 'manager', email: people.manager.email.toUpperCase() }, // matched lower-case
    { login: 'leader', email: people.leader.email, groups: ['trellis-leads'] },
    { login: 'stranger', email: 'stranger@elsewhere.example' },
  );
});

afterAll(async () => {
  await h?.close();
  await provider?.close();
});

/** From the sign-in page through the provider's login and consent forms; returns the page where it lands. */
async function signInThroughProvider(login: string): Promise<Page> {
  const context = await h.browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${h.baseUrl}/login`);
  await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any-password');
  await page.locator('button[type="submit"]').click();
  // the provider asks for consent once per person: Continue
  await Promise.race([
    page.locator('input[name="prompt"][value="consent"]').waitFor({ state: 'attached' }).catch(() => undefined),
    page.waitForURL((url) => url.href.startsWith(h.baseUrl)).catch(() => undefined),
  ]);
  if (page.url().startsWith(provider.issuer)) await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.href.startsWith(h.baseUrl));
  await page.waitForLoadState('networkidle');
  return page;
}

async function whoAmI(page: Page) {
  return page.evaluate(async () => {
    const res = await fetch('/api/auth/me', { headers: { accept: 'application/json' } });
    return res.ok ? (await res.json()).user : res.status;
  });
}

describe('signing in with single sign-on in Chromium', () => {
  it('the sign-in page offers "Sign in with Example SSO" beside the password form', async () => {
    const { page } = await h.open('/login', await h.browser.newContext());
    await page.getByRole('link', { name: 'Sign in with Example SSO' }).waitFor();
    expect(await page.getByLabel('Username').count()).toBe(1);
    await screenshot(page, 'login-sso');
    await page.context().close();
  });

  it('an employee lands on their own page, as an employee', async () => {
    const page = await signInThroughProvider('employee');
    expect(new URL(page.url()).pathname).toBe('/me');
    expect(await whoAmI(page)).toEqual({ username: people.employee.email, role: 'employee', employeeId: people.employee.id });
    await page.getByRole('heading', { level: 1, name: 'My path' }).waitFor();
    await expect.poll(() => page.getByTestId('signed-in').textContent()).toContain('(employee)');
    await screenshot(page, 'sso-employee-my-path');
    // the organisation's pages stay closed to them
    expect(await page.evaluate(async () => (await fetch('/api/employees')).status)).toBe(403);
    await page.context().close();
  });

  it('a manager lands on the overview, as the manager of their subtree', async () => {
    const page = await signInThroughProvider('manager');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await whoAmI(page)).toEqual({ username: people.manager.email, role: 'manager', employeeId: people.manager.id });
    await expect.poll(() => page.getByTestId('signed-in').textContent()).toContain('(manager)');
    await screenshot(page, 'sso-manager-overview');
    await page.context().close();
  });

  it('the top of the org, in the leaders\' group, lands on the overview as a leader', async () => {
    const page = await signInThroughProvider('leader');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await whoAmI(page)).toEqual({ username: people.leader.email, role: 'leader', employeeId: people.leader.id });
    await expect.poll(() => page.getByTestId('signed-in').textContent()).toContain('(leader)');
    await page.context().close();
  });

  it('someone whose email is not in the HR data gets a page saying so, and no session', async () => {
    const page = await signInThroughProvider('stranger');
    await expect.poll(() => page.getByRole('alert').textContent())
      .toContain('Your email (stranger@elsewhere.example) is not in the HR data Trellis has');
    expect(await whoAmI(page)).toBe(401);
    await screenshot(page, 'sso-refused-unknown-email');
    await page.getByRole('link', { name: 'Back to the sign-in page' }).click();
    await page.getByRole('link', { name: 'Sign in with Example SSO' }).waitFor();
    await page.context().close();
  });
});
