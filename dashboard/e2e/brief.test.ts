// The career-conversation brief (issue 14 §3) end to end: the real build in Chromium over
// fixtures/orgs/succession, printed to an A4 PDF (print CSS) whose text pdfjs reads back.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { REPO_ROOT, axeViolations, screenshot, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => { h = await startHarness('succession'); });
afterAll(async () => { await h?.close(); });

/** The page printed as A4 (as a browser prints it: print media, backgrounds), and the PDF's text per page. */
async function printed(page: Page, name: string): Promise<{ pages: number; text: string }> {
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  fs.writeFileSync(path.join(REPO_ROOT, 'test-results', `${name}.pdf`), pdf); // for a look by eye
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const texts: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    texts.push(content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : '') : '')).join(''));
  }
  await doc.destroy();
  return { pages: doc.numPages, text: texts.join('\n').replace(/\s+/g, ' ') };
}

describe('career-conversation brief', () => {
  it('B02 from the profile\'s Brief link: one A4 page with role, path, goals, check-ins and talking points, no risk score', async () => {
    const [risk] = await h.sql<{ score: number }>(`select score::int as score from retention_risk where employee_id = 'B02'`);
    expect(risk.score).toBe(20); // the profile shows it; the brief must not
    const { page, errors } = await h.open('/employees/B02');
    await page.getByTestId('risk-score').waitFor();
    await page.getByTestId('brief-link').click();
    await page.getByRole('heading', { level: 1, name: 'Career conversation: Sam Ready' }).waitFor();
    await page.getByTestId('talking-points').waitFor();
    expect(page.url()).toBe(`${h.baseUrl}/employees/B02/brief`);
    await screenshot(page, 'brief-B02');
    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'brief-B02-print');
    await page.emulateMedia({ media: null }); // back to the default: page.pdf() prints with print media

    const { pages, text } = await printed(page, 'brief-B02');
    expect(pages).toBe(1);
    for (const expected of [
      'Career conversation: Sam Ready',
      'Talking points',
      'Discuss the next level and a date: 45 months since the last promotion (or hire) with a latest performance of 4.',
      'Senior Engineer (level 3, IC)',
      '45 months (since 2022-06-01)',
      'Tara Lead',
      '2025-H2: performance 4, potential 2',
      'Career path: On path',
      'backed by at least one linked live goal',
      'Target: Tech Lead — skills covered 100.0%',
      'Suggested moves',
      'Lead a project',
      '50 %',
      'Career discussed 2026-03-24',
      'Not nominated as a successor.',
      'Data as of 2026-03-31',
    ]) expect(text).toContain(expected);
    // no navigation, no buttons, and nothing of the retention model: no score, band or the word risk
    expect(text).not.toMatch(/risk|score|retention|Print|Sign out|Overview/i);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('B03: the suggested next step with its skills to close, the nomination, and the talking points of its rules', async () => {
    const [first] = await h.sql<{ title: string }>(`select title from mobility_matches where employee_id = 'B03' order by rank limit 1`);
    const { page, errors } = await h.open('/employees/B03/brief');
    await page.getByTestId('talking-points').waitFor();
    expect(await page.getByTestId('talking-points').locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule'))))
      .toEqual(['stalled', 'no_path', 'nominated']);
    const { pages, text } = await printed(page, 'brief-B03');
    expect(pages).toBe(1);
    for (const expected of [
      'Career path: No path',
      'Suggested next step: Tech Lead — skills covered 68.8%',
      'Skills to close: Architecture 2→3; Coding 3→4; Mentoring 1→2',
      `A suggested move to start from: ${first.title}`,
      'Nominated for Tech Lead: Ready now (2026-01-10); by the evidence ready in 1–2 years',
      'Talk about readiness for Tech Lead (nominated ready now): what is left to close.',
    ]) expect(text).toContain(expected);
    expect(text).not.toMatch(/risk|score/i);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a manager gets the brief of their own team only', async () => {
    const tara = await h.contextAs('manager', 'B01');
    const inside = await h.open('/employees/B02/brief', tara);
    await inside.page.getByTestId('talking-points').waitFor();
    const outside = await h.open('/employees/B07/brief', tara);
    await outside.page.getByRole('alert').waitFor();
    expect(await outside.page.getByRole('alert').textContent()).toMatch(/not in your part of the org/);
    expect(await outside.page.getByText('Yan Head').count()).toBe(0);
    await tara.close();
  });
});
