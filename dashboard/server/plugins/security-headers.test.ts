// Security headers (issue 15) on the SPA shell, its fallback, static files, API answers and errors,
// through the real server (inject) over a real DuckDB file, with a hand-made built index.html whose
// inline script's hash is worked out here independently.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../pipeline/src/db.ts';
import { buildServer } from '../index.ts';
import { ADMIN, LOCAL_TOKEN, tmpDir } from '../test-org.ts';
import { inlineScriptHashes } from './security-headers.ts';

const BOOT = '\n  window.__boot = 1;\n';
const HTML = `<!doctype html><html><head><script type="module" src="/_app/x.js"></script></head>
<body><div style="display: contents"><script>${BOOT}</script></div></body></html>`;
const sha = (text: string) => `'sha256-${crypto.createHash('sha256').update(text).digest('base64')}'`;

let dir: string;
let db: Db;
let app: FastifyInstance;
beforeAll(async () => {
  dir = tmpDir('trellis-headers-');
  fs.mkdirSync(path.join(dir, 'build', '_app'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'build', 'index.html'), HTML);
  fs.writeFileSync(path.join(dir, 'build', '_app', 'x.js'), 'export {};');
  db = await openDb(path.join(dir, 'h.duckdb'));
  app = await buildServer({ config: { inbox: path.join(dir, 'inbox'), staticDir: path.join(dir, 'build') }, db, localToken: LOCAL_TOKEN });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The CSP header as directive → sources. */
function csp(header: unknown): Map<string, string[]> {
  expect(typeof header).toBe('string');
  return new Map((header as string).split(';').map((d) => d.trim()).filter(Boolean)
    .map((d) => { const [name, ...sources] = d.split(/\s+/); return [name, sources]; }));
}

describe('inlineScriptHashes', () => {
  it('hashes inline scripts only, exactly as written (whitespace included)', () => {
    expect(inlineScriptHashes(HTML)).toEqual([sha(BOOT)]);
    expect(inlineScriptHashes('<script src="a.js"></script><SCRIPT>a</SCRIPT ><script type="module">b</script>'))
      .toEqual([sha('a'), sha('b')]);
    expect(inlineScriptHashes('<p>no script</p>')).toEqual([]);
  });
});

describe('security headers', () => {
  it.each([
    ['the SPA shell', '/'],
    ['the SPA fallback of a client route', '/employees/E1/brief'],
    ['a static file', '/_app/x.js'],
    ['an API answer', '/api/meta'],
    ['an API refusal (no sign-in)', '/api/employees'],
    ['an unknown API path', '/api/nothing-here'],
  ])('%s carries the CSP, frame and referrer headers', async (_what, url) => {
    const res = await app.inject({ url, headers: url === '/api/meta' ? ADMIN : {} });
    expect(res.statusCode).toBeLessThan(500);
    const policy = csp(res.headers['content-security-policy']);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'", sha(BOOT)]);
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
    expect(policy.get('script-src-attr')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(policy.has('upgrade-insecure-requests')).toBe(false);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('follows a rebuilt index.html without a restart', async () => {
    const file = path.join(dir, 'build', 'index.html');
    fs.writeFileSync(file, HTML.replace(BOOT, 'boot(2)'));
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const res = await app.inject({ url: '/' });
    expect(csp(res.headers['content-security-policy']).get('script-src')).toEqual(["'self'", sha('boot(2)')]);
  });
});
