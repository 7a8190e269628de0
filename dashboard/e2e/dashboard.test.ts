// The dashboard end to end: real pipeline, real server, real browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => { h = await startHarness('succession'); });
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
