// End-to-end harness: build the SPA when needed, load a hand-made fixture org through the real
// pipeline into a temp DuckDB file, start the real server on a free loopback port, sign in, and
// drive Debian's Chromium with playwright-core.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { openDb, all, type Db, type Row } from '../../pipeline/src/db.ts';
import { runPipeline } from '../../pipeline/src/run.ts';
import { buildServer, type ServerConfig } from '../server/index.ts';
import { createUser, login } from '../server/auth/test-helpers.ts';
import type { Role } from '../server/auth/user.ts';
import { generateOrg } from '../../fixtures/generate.ts';

export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(DASHBOARD_DIR, '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  const index = path.join(DASHBOARD_DIR, 'build', 'index.html');
  const sources = Math.max(newestMtime(path.join(DASHBOARD_DIR, 'src')),
    ...['svelte.config.js', 'vite.config.ts'].map((f) => fs.statSync(path.join(DASHBOARD_DIR, f)).mtimeMs));
  return fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Build dashboard/build when it is missing or older than the sources (src, configs). Test processes
 * running at the same time take turns through a lock folder (a build wipes .svelte-kit/output, so two
 * at once break each other); a failed build is retried once in case another build raced it.
 */
export async function ensureBuilt(): Promise<void> {
  if (isFresh()) return;
  const lock = path.join(os.tmpdir(), 'trellis-dashboard-build.lock');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try { fs.mkdirSync(lock); break; } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() > deadline) { fs.rmSync(lock, { recursive: true, force: true }); continue; } // stale lock
      await sleep(1000);
    }
  }
  try {
    for (let attempt = 1; attempt <= 3 && !isFresh(); attempt++) {
      try {
        // the production build users get: under vitest NODE_ENV is "test", and Vite would bundle Svelte's and
        // SvelteKit's development builds (their checks, their console warnings)
        execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
          { cwd: DASHBOARD_DIR, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
      } catch (e) {
        if (attempt >= 2) throw new Error(`building the dashboard failed twice (cd dashboard && npx vite build): ${String(e)}`);
        await sleep(3000);
      }
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Content-Security-Policy violations (issue 15): every browser context of a harness reports them — the
 * page's `securitypolicyviolation` events through a binding, and Chromium's console messages about the
 * policy — and the test during which one happens fails (the afterEach below), as does `close()` for any
 * reported after the last test. A test that means to cause one takes it with `takeCspViolations()`.
 */
const liveHarnesses = new Set<Harness>();
afterEach(async () => {
  const found: string[] = [];
  for (const h of liveHarnesses) found.push(...(await h.takeCspViolations()));
  if (found.length) throw new Error(`Content-Security-Policy violations during this test:\n${found.join('\n')}`);
});

async function watchCsp(context: BrowserContext, found: string[]): Promise<void> {
  await context.exposeBinding('__trellisCspViolation', (_source, v: Record<string, unknown>) => {
    found.push(`${String(v.directive)} blocked ${String(v.blocked) || '(inline)'} at ${String(v.page)}`
      + `${v.sample ? ` — "${String(v.sample)}"` : ''}${v.source ? ` (${String(v.source)}:${String(v.line)})` : ''}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      void (window as unknown as { __trellisCspViolation: (v: unknown) => Promise<void> }).__trellisCspViolation({
        directive: e.effectiveDirective, blocked: e.blockedURI, page: location.pathname, sample: e.sample,
        source: e.sourceFile, line: e.lineNumber,
      });
    });
  });
  context.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) found.push(`console: ${m.text()}`);
  });
}

export interface Viewport { width: number; height: number }
/** A phone held upright (the width the dashboard must fit without sideways scrolling). */
export const PHONE: Viewport = { width: 390, height: 844 };

export interface Harness {
  dir: string;
  inbox: string;
  asOf: string;
  db: Db;
  app: FastifyInstance;
  baseUrl: string;
  browser: Browser;
  context: BrowserContext;
  /** SQL against the same database the server reads (the marts the pages must show). */
  sql<T extends Row = Row>(text: string, params?: Record<string, string | number>): Promise<T[]>;
  /** A fresh page that records console errors and warnings and failed requests (at `viewport` when given, e.g. PHONE). */
  open(pathname: string, context?: BrowserContext, viewport?: Viewport): Promise<{ page: Page; errors: string[] }>;
  /** A browser context signed in as a new account with this role (a manager needs `employeeId`). */
  contextAs(role: Role, employeeId?: string): Promise<BrowserContext>;
  /** The CSP violations reported since the last call (each test ends with none left, see above). */
  takeCspViolations(): Promise<string[]>;
  close(): Promise<void>;
}

/** A hand-made org of fixtures/orgs/<name>, or a synthetic org from the fixtures generator. */
export type OrgSource = string | { generate: { employees: number; seed: number; asOf: string } };

export interface HarnessOptions {
  /** Mapping files of fixtures/mappings to configure (copied to `mappings/` beside the inbox). */
  mappings?: string[];
  /** More server settings (e.g. `oidc`, `localLogin`). */
  config?: Partial<ServerConfig>;
  /** The server's clock (the auth plugin's `now`, which also dates exports such as career plans): pinned in tests that read a date. */
  now?: () => Date;
}

export async function startHarness(org: OrgSource = 'succession', options: HarnessOptions = {}): Promise<Harness> {
  await ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-e2e-'));
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  if (options.mappings?.length) {
    fs.mkdirSync(path.join(dir, 'mappings'));
    for (const m of options.mappings) fs.copyFileSync(path.join(REPO_ROOT, 'fixtures', 'mappings', m), path.join(dir, 'mappings', m));
  }
  let asOf: string;
  if (typeof org === 'string') {
    const orgDir = path.join(REPO_ROOT, 'fixtures', 'orgs', org);
    asOf = fs.readFileSync(path.join(orgDir, 'as_of.txt'), 'utf8').trim();
    for (const f of fs.readdirSync(orgDir)) if (f.endsWith('.csv')) fs.copyFileSync(path.join(orgDir, f), path.join(inbox, f));
  } else {
    ({ asOf } = org.generate);
    await generateOrg({ ...org.generate, out: inbox, format: 'csv' });
  }

  const db = await openDb(path.join(dir, 'trellis.duckdb'));
  const summary = await runPipeline(db, { inbox, asOf, trigger: 'cli', clock: () => new Date(`${asOf}T06:00:00Z`) });
  if (summary.status !== 'succeeded') throw new Error(`fixture org ${JSON.stringify(org)} did not load: ${summary.error ?? summary.status}`);

  const app = await buildServer({
    config: { inbox, db: db.path, asOf, maxRejectsPerFile: 1000, uploadLimitMb: 5, port: 0, host: '127.0.0.1', ...options.config },
    db,
    logger: false,
    ...(options.now ? { auth: { now: options.now } } : {}),
  });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const user = await createUser(app, { role: 'admin', username: 'e2e-admin' });
  const cookie = await login(app, user.username, user.password);

  const signedIn = async (cookieHeader: string) => {
    const [name, value] = cookieHeader.split('=');
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    await context.addCookies([{ name, value, url: baseUrl }]);
    return context;
  };
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  // Every context, including those a test makes itself with h.browser.newContext(), watches for CSP violations.
  const cspViolations: string[] = [];
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
    const created = await newContext(...args);
    await watchCsp(created, cspViolations);
    return created;
  };
  const context = await signedIn(cookie);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });

  const conn = await db.connect();
  const harness: Harness = {
    dir, inbox, asOf, db, app, baseUrl, browser, context,
    sql: (text, params) => all(conn, text, params),
    async contextAs(role, employeeId) {
      const other = await createUser(app, { role, employeeId: employeeId ?? null });
      return signedIn(await login(app, other.username, other.password));
    },
    async open(pathname, inContext = context, viewport) {
      const page = await inContext.newPage();
      if (viewport) await page.setViewportSize(viewport);
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(baseUrl + pathname);
      return { page, errors };
    },
    async takeCspViolations() {
      await sleep(50); // a violation's event reaches the binding a moment after the page reports it
      return cspViolations.splice(0);
    },
    async close() {
      liveHarnesses.delete(harness);
      const left = cspViolations.splice(0);
      await context.close().catch((e: unknown) => console.warn('closing the browser context:', e));
      await browser.close();
      await app.close();
      conn.closeSync();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
      if (left.length) throw new Error(`Content-Security-Policy violations after the last test:\n${left.join('\n')}`);
    },
  };
  liveHarnesses.add(harness);
  return harness;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export interface AxeViolation { id: string; impact: string; help: string; targets: string[] }

/** axe-core's violations of impact serious or critical on the page as it is now (the suite allows none). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, not a <script> element, which the CSP would (rightly) refuse.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const found = await page.evaluate(async () => {
    const { violations } = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The page's full width (more than the viewport's: the page scrolls sideways). */
export function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement!.scrollWidth);
}
