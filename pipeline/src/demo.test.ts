// `trellis demo` (npm start) in a temp folder, with a stand-in for the Vite build (a real child process
// that prints a hundred lines and writes index.html): the build is one line, how to sign in comes last,
// and a new database loads the demo although the first start archived the demo files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { all, openDb } from './db.ts';
import { runDemo, type DashboardBuild } from './commands/demo.ts';
import { createContext } from './commands/context.ts';
import { TextSink } from './text-sink.ts';

const AS_OF = '2026-06-30';
let tmp: string;
let port: number;

/** A build that prints like Vite (including its "preview" hint), exits with `code` and, on success, writes index.html. */
function standInBuild(dir: string, code = 0): DashboardBuild {
  const script = path.join(tmp, `build-${code}.cjs`);
  fs.writeFileSync(script, `for (let i = 1; i <= 100; i++) console.log('vite: chunk ' + i);
    console.log('Run npm run preview to preview your production build locally.');
    if (${code} === 0) {
      require('fs').mkdirSync(${JSON.stringify(dir)}, { recursive: true });
      require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'index.html'))}, '<!doctype html><title>stand-in</title>');
    }
    process.exit(${code});`);
  return { dir, command: process.execPath, args: [script], cwd: tmp };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
}

/** Run the demo with stdout and stderr into one sink (as a terminal shows them), stopping it once it serves. */
async function demo(db: string, args: string[], build: DashboardBuild, checkWhileServing?: (text: string) => Promise<void>) {
  const out = new TextSink();
  let stop!: (s: string) => void;
  const stopped = new Promise<string>((resolve) => { stop = resolve; });
  const ctx = createContext({
    stdout: out, stderr: out, cwd: tmp, stopSignal: () => stopped,
    env: { TRELLIS_DB: db, TRELLIS_AS_OF: AS_OF, TRELLIS_PORT: String(port) },
  });
  const running = runDemo(['--employees', '40', ...args], ctx, build).then((code) => ({ code }), (error: Error) => ({ code: 1, error }));
  if (checkWhileServing) {
    for (let i = 0; i < 600 && !/Sign in as:[\s\S]*manager2/.test(out.text); i++) {
      if (await Promise.race([running.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))])) break;
    }
    await checkWhileServing(out.text);
    stop('test done');
  }
  const result = await running;
  return { ...result, text: out.text };
}

async function employeesIn(db: string): Promise<number> {
  const handle = await openDb(path.join(tmp, db));
  const conn = await handle.connect();
  try {
    return (await all<{ n: number }>(conn, 'select count(*)::int as n from src_employees'))[0].n;
  } finally {
    conn.closeSync();
    handle.close();
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-demo-'));
  port = await freePort();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('trellis demo', () => {
  it('summarises the build in one line and prints the address and how to sign in last', async () => {
    const r = await demo('data/first.duckdb', [], standInBuild(path.join(tmp, 'build')), async (text) => {
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(await page.text()).toContain('stand-in'); // serves the build it made
      expect(text).toMatch(/Sign in as:/);
    });
    expect(r).toMatchObject({ code: 0 });
    expect(r.text).toMatch(/dashboard built \(\d+ s\)/);
    expect(r.text).not.toMatch(/vite: chunk|npm run preview/);
    const lines = r.text.trim().split('\n');
    const running = lines.findIndex((l) => l.startsWith('Trellis is running at'));
    expect(lines.slice(running, running + 5)).toEqual([
      `Trellis is running at http://localhost:${port}  (Ctrl+C stops it)`,
      'Sign in as:',
      expect.stringMatching(/^ {2}admin \/ [A-Za-z0-9_-]{24} {3}\(shown once; change it with: trellis user passwd/),
      expect.stringMatching(/^ {2}leader \/ trellis-demo {3}\(demo account: leader, the whole org\)$/),
      expect.stringMatching(/^ {2}manager1 \/ trellis-demo {3}\(demo account: manager of \w+'s team\)$/),
    ]);
    // after the sign-in lines only the stop (the last manager, the employee, then "test done: stopping")
    expect(lines.slice(running + 5)).toEqual([expect.stringMatching(/^ {2}manager2 \//),
      expect.stringMatching(/^ {2}employee \/ trellis-demo {3}\(demo account: employee \w+, their own page "My path"\)$/), 'test done: stopping']);
    expect(await employeesIn('data/first.duckdb')).toBe(40);
    expect(fs.readdirSync(path.join(tmp, 'data', 'demo-inbox')).filter((f) => f.endsWith('.csv'))).toEqual([]); // archived
  });

  it('loads the demo into a new database although the demo files were archived', async () => {
    const r = await demo('data/second.duckdb', ['--no-serve'], standInBuild(path.join(tmp, 'build')));
    expect(r).toMatchObject({ code: 0 });
    expect(r.text).toMatch(/generating the demo org \(40 employees/);
    expect(await employeesIn('data/second.duckdb')).toBe(40);
    const lines = r.text.trim().split('\n');
    expect(lines.slice(-7)).toEqual([
      'Loaded. Start the dashboard with  trellis serve  (or npm start)', 'Sign in as:',
      expect.stringMatching(/^ {2}admin \/ [A-Za-z0-9_-]{24} /), expect.stringMatching(/^ {2}leader \//),
      expect.stringMatching(/^ {2}manager1 \//), expect.stringMatching(/^ {2}manager2 \//), expect.stringMatching(/^ {2}employee \//),
    ]);
  });

  it('leaves a database with employees as it is, and shows the whole build output when the build fails', async () => {
    const r = await demo('data/first.duckdb', [], standInBuild(path.join(tmp, 'failed-build'), 3));
    expect(r.code).toBe(1);
    expect(String((r as { error?: Error }).error?.message)).toMatch(/building the dashboard failed: .* exited with code 3/);
    expect(r.text).not.toMatch(/generating the demo org/);
    expect(r.text).toMatch(/run \d+ no_change/);
    expect(r.text).toMatch(/vite: chunk 1\n[\s\S]*vite: chunk 100\nRun npm run preview/);
    expect(await employeesIn('data/first.duckdb')).toBe(40); // and the database was closed: it opens again
  });

  // npm start's default org (1,500 people, seed 42): a trend of 25 month-ends and a backtest judged on
  // ≥ 30 voluntary exits, so the Overview trend and "Does the score work?" are populated on the first start.
  it('the default demo org has a populated history and a judged backtest whose score predicts (planted hazard); --no-planted-hazard does not', async () => {
    const figures = async (db: string) => {
      const handle = await openDb(path.join(tmp, db));
      const conn = await handle.connect();
      try {
        return {
          dates: (await all<{ n: number }>(conn, 'select count(*)::int as n from history_overview where n_active > 0'))[0].n,
          ...(await all<{ n_left: number; auc: number; warning: string | null }>(conn,
            `select n_left, auc, warning from risk_backtest where scope = 'pooled'`))[0],
          aligned: (await all<{ rate: number }>(conn, `select aligned_rate::double as rate from goal_alignment where scope = 'company'`))[0].rate,
        };
      } finally {
        conn.closeSync();
        handle.close();
      }
    };
    const plain = await demo('data/full.duckdb', ['--employees', '1500', '--no-planted-hazard', '--no-serve'], standInBuild(path.join(tmp, 'build')));
    expect(plain.text).toMatch(/generating the demo org \(1500 employees, seed 42, as of 2026-06-30\) into/);
    expect(plain).toMatchObject({ code: 0 });
    const f = await figures('data/full.duckdb');
    expect(f.dates).toBe(25);
    expect(f.n_left).toBeGreaterThanOrEqual(30);
    expect(f.warning).toBeNull();
    fs.rmSync(path.join(tmp, 'data', 'demo-inbox'), { recursive: true, force: true });
    const planted = await demo('data/planted.duckdb', ['--employees', '1500', '--no-serve'], standInBuild(path.join(tmp, 'build')));
    expect(planted.text).toMatch(/generating the demo org \(1500 employees, seed 42, as of 2026-06-30, planted retention hazard\)/);
    const p = await figures('data/planted.duckdb');
    expect(p.warning).toBeNull();
    expect(p.auc).toBeGreaterThan(0.6);
    expect(p.auc).toBeGreaterThan(f.auc);
    // the planted org's goals also work to objectives (the Goals page is not empty on npm start), a share
    // aligned like the plain org's; its path states stay the planted ones (recovery.test.ts: row for row)
    expect(f.aligned).toBeGreaterThan(0.3);
    expect(p.aligned).toBeGreaterThan(0.3);
  }, 300_000);
});
