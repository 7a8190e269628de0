// `npm run bench [-- --sizes 10000,100000] [--format csv|parquet] [--duration 5] [--no-api] [--no-bundle]`
// For each org size: generate (cached in $TMPDIR/trellis-bench-data), run the pipeline in a child
// process (per-phase times, peak RSS), the plain-DuckDB floor on the same files, a no-change re-run,
// then the API under 32 clients and the retention list as Arrow vs JSON, then a re-run as of the next
// month-end (every model rebuilt on the loaded database, as a nightly run does); finally the dashboard's
// initial JS. Prints a table per size and writes bench/results/<date>.json.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openDb } from '../pipeline/src/db.ts';
import { benchApi, DEFAULT_ENDPOINTS } from './api.ts';
import { checks, formatSize, type SizeResult } from './report.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AS_OF = '2026-06-30';
/** The re-run's as-of date: a month later, so every model is rebuilt on the database the full run left. */
const REBUILD_AS_OF = '2026-07-31';
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Run bench/child.ts with a request; its `BENCH_RESULT` line parsed, with the process's spawn-to-exit time. */
function child<T>(request: Record<string, unknown>): Promise<T & { processWallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const p = spawn(process.execPath, [path.join(repoRoot, 'pipeline/bin/run-ts.js'), path.join(repoRoot, 'bench/child.ts'), JSON.stringify(request)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) reject(new Error(`bench child (${request.mode}) exited ${code}:\n${err.slice(-4000)}`));
      else resolve({ ...(JSON.parse(line.slice('BENCH_RESULT '.length)) as T), processWallMs: Math.round(performance.now() - started) });
    });
  });
}

/** The generated org for a size, made once and kept between bench runs. */
async function orgFiles(dataDir: string, employees: number, seed: number, format: 'csv' | 'parquet'): Promise<string[]> {
  const dir = path.join(dataDir, `org-${employees}-s${seed}-${format}`);
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    log(`generating ${employees} employees (${format}) into ${dir} …`);
    const { generateOrg } = await import('../fixtures/generate.ts');
    const t = performance.now();
    await generateOrg({ employees, seed, asOf: AS_OF, out: dir, format });
    fs.writeFileSync(path.join(dir, '.complete'), '');
    log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return fs.readdirSync(dir).filter((f) => /\.(csv|parquet)$/i.test(f)).sort().map((f) => path.join(dir, f));
}

/** Put the files into an inbox (hard links when possible: the pipeline moves them to archive/). */
function fillInbox(inbox: string, files: string[]): void {
  fs.mkdirSync(inbox, { recursive: true });
  for (const f of files) {
    const to = path.join(inbox, path.basename(f));
    try { fs.linkSync(f, to); } catch { fs.copyFileSync(f, to); }
  }
}

interface RunChild {
  status: string; wallMs: number; cpuMs: number; timings: Record<string, number>; phases: SizeResult['full']['phases'];
  counts: { rowsRead: number; rowsLoaded: number }; models: number; tests: number; maxRssMb: number;
}

async function benchSize(employees: number, o: { format: 'csv' | 'parquet'; seed: number; dataDir: string; api: boolean; duration: number; connections: number }): Promise<SizeResult> {
  const files = await orgFiles(o.dataDir, employees, o.seed, o.format);
  const inputBytes = files.reduce((t, f) => t + fs.statSync(f).size, 0);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-'));
  try {
    const before = os.loadavg();
    const db = path.join(work, 'trellis.duckdb');
    const inbox = path.join(work, 'inbox');
    fillInbox(inbox, files);
    log(`${employees}: full pipeline run …`);
    const full = await child<RunChild>({ mode: 'run', db, inbox, asOf: AS_OF });
    log(`${employees}: full run ${full.wallMs} ms (${full.status}), peak RSS ${full.maxRssMb} MB`);
    fillInbox(inbox, files);
    const noChange = await child<RunChild>({ mode: 'run', db, inbox, asOf: AS_OF });
    log(`${employees}: no-change re-run ${noChange.wallMs} ms (${noChange.status})`);
    const floor = await child<SizeResult['floor']>({ mode: 'floor', db: path.join(work, 'floor.duckdb'), files });
    log(`${employees}: plain DuckDB floor ${floor.wallMs} ms`);
    fs.rmSync(path.join(work, 'floor.duckdb'), { force: true });
    // what history and the backtest add: the same full run, on a database of its own, with history off
    const plain = path.join(work, 'no-history');
    fillInbox(path.join(plain, 'inbox'), files);
    const noHistory = await child<RunChild>({ mode: 'run', db: path.join(plain, 'trellis.duckdb'), inbox: path.join(plain, 'inbox'), asOf: AS_OF, historyMonths: 0 });
    log(`${employees}: full run with history off ${noHistory.wallMs} ms (${noHistory.status})`);
    fs.rmSync(plain, { recursive: true, force: true });
    let api: SizeResult['api'];
    if (o.api) {
      const handle = await openDb(db);
      try {
        const r = await benchApi({ db: handle, durationSeconds: o.duration, connections: o.connections, endpoints: DEFAULT_ENDPOINTS, employeePage: true, log });
        api = { latency: r.latency, retention: r.retention };
      } finally {
        handle.close();
      }
    }
    // a nightly run: nothing new to load, every model rebuilt (in the run's own schema, then published)
    fillInbox(inbox, files);
    const rebuild = await child<RunChild>({ mode: 'run', db, inbox, asOf: REBUILD_AS_OF });
    log(`${employees}: re-run as of ${REBUILD_AS_OF} (every model rebuilt) ${rebuild.wallMs} ms (${rebuild.status})`);
    const rows = full.counts.rowsLoaded;
    const load = full.phases.readMs + full.phases.validateMs;
    return {
      employees, format: o.format, rows, inputBytes,
      loadAverage: { before: before.map((x) => Number(x.toFixed(2))), after: os.loadavg().map((x) => Number(x.toFixed(2))) },
      full: {
        processWallMs: full.processWallMs, wallMs: full.wallMs, cpuMs: full.cpuMs, timings: full.timings, phases: full.phases, maxRssMb: full.maxRssMb, models: full.models, tests: full.tests,
        rowsPerSecond: Math.round(rows / Math.max(0.001, full.wallMs / 1000)),
      },
      floor, loadVsFloor: load / Math.max(1, floor.wallMs),
      noChange: { wallMs: noChange.wallMs, status: noChange.status, maxRssMb: noChange.maxRssMb },
      noHistory: { wallMs: noHistory.wallMs, cpuMs: noHistory.cpuMs, maxRssMb: noHistory.maxRssMb },
      rebuild: { wallMs: rebuild.wallMs, cpuMs: rebuild.cpuMs, status: rebuild.status, modelsMs: rebuild.phases.modelsMs },
      api,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function bundle(build: boolean) {
  const { measureBundle } = await import('../dashboard/scripts/bundle-size.ts');
  const dir = path.join(repoRoot, 'dashboard');
  if (build || !fs.existsSync(path.join(dir, '.svelte-kit/output/client/.vite/manifest.json'))) {
    log('building the dashboard (npm run build) …');
    await new Promise<void>((resolve, reject) => {
      const p = spawn('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited ${code}`))));
    });
  }
  const r = measureBundle(dir, 250);
  return { maxGzipBytes: r.maxGzipBytes, limitKb: r.limitKb, ok: r.ok, largestPage: r.pages[0]?.node ?? null, pages: r.pages };
}

const USAGE = `npm run bench -- [--sizes 10000,100000] [--format csv|parquet] [--seed 42] [--duration 5]
  [--connections 32] [--no-api] [--no-bundle] [--build] [--data-dir DIR] [--out FILE]
Generates each org size (cached in --data-dir), measures a full run by phase against the plain-DuckDB floor,
a no-change re-run, API latency under --connections clients, Arrow vs JSON for the full retention list and the
dashboard's initial JS; prints a table and writes bench/results/<date>.json. See bench/README.md.`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(`${USAGE}\n`); return 0; }
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '10000,100000' }, format: { type: 'string', default: 'csv' },
      seed: { type: 'string', default: '42' }, duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '32' },
      'no-api': { type: 'boolean' }, 'no-bundle': { type: 'boolean' }, build: { type: 'boolean' },
      'data-dir': { type: 'string', default: path.join(os.tmpdir(), 'trellis-bench-data') }, out: { type: 'string' },
    },
  });
  const sizes = values.sizes!.split(',').map((s) => Number(s.replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000')));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    log(`--sizes must be a comma-separated list of employee counts, e.g. 10000,100000 (got "${values.sizes}")`);
    return 2;
  }
  const format = values.format as 'csv' | 'parquet';
  if (format !== 'csv' && format !== 'parquet') { log(`--format must be csv or parquet (got "${values.format}")`); return 2; }
  const started = new Date();
  const results: SizeResult[] = [];
  for (const employees of sizes) {
    const r = await benchSize(employees, {
      format, seed: Number(values.seed), dataDir: values['data-dir']!, api: !values['no-api'],
      duration: Number(values.duration), connections: Number(values.connections),
    });
    results.push(r);
    process.stdout.write(`\n${formatSize(r)}\n`);
  }
  let bundleResult = null;
  if (!values['no-bundle']) {
    try {
      bundleResult = await bundle(Boolean(values.build));
      process.stdout.write(`\ndashboard initial JS: ${(bundleResult.maxGzipBytes / 1024).toFixed(1)} kB gzipped (largest page ${bundleResult.largestPage}; target < ${bundleResult.limitKb} kB): ${bundleResult.ok ? 'ok' : 'MISS'}\n`);
    } catch (err) {
      process.stdout.write(`\ndashboard initial JS: not measured (${(err as Error).message})\n`);
    }
  }
  const doc = {
    startedAt: started.toISOString(), finishedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, totalMemGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    sizes: results.map((r) => ({ ...r, checks: checks(r) })), bundle: bundleResult,
  };
  const out = values.out ?? path.join(repoRoot, 'bench/results', `${started.toISOString().slice(0, 10)}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(`\nresults written to ${path.relative(process.cwd(), out)}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
}
