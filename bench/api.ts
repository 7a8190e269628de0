// API benchmark (issue 4): latency of endpoints under 32 concurrent connections (autocannon, bounded
// duration; overview by default, DEFAULT_ENDPOINTS from bench/run.ts) and the full retention list as
// Arrow vs JSON (bytes, time). The bench runner calls
// `benchApi({ db })` on a database already loaded with a generated org; run alone with
// `npx tsx bench/api.ts --employees 2000` to generate and load one first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { openDb, type Db } from '../pipeline/src/db.ts';
import { buildServer } from '../dashboard/server/index.ts';
import { createLocalToken } from '../dashboard/server/server-file.ts';

export interface BenchApiOptions {
  db: Db;
  /** Seconds of load on each endpoint (default 5). */
  durationSeconds?: number;
  connections?: number;
  /** Endpoints to load, by name (default: overview only). */
  endpoints?: { name: string; path: string }[];
  /** Timed fetches of the full retention list per format (default 3; the median is reported). */
  retentionRepeats?: number;
  log?: (line: string) => void;
}

export interface Latency { path: string; connections: number; durationSeconds: number; requests: number; errors: number; non2xx: number; rps: number; p50Ms: number; p95Ms: number; p99Ms: number }

export interface BenchApiResult {
  /** The first endpoint's figures (overview by default). */
  overview: Latency;
  latency: Record<string, Latency>;
  retention: { rows: number; jsonBytes: number; arrowBytes: number; jsonMs: number; arrowMs: number; ratio: number; jsonMsAll: number[]; arrowMsAll: number[] };
}

/** The endpoints the bench runner loads: the overview, succession and retention pages' first requests. */
export const DEFAULT_ENDPOINTS = [
  { name: 'overview', path: '/api/overview' },
  { name: 'succession', path: '/api/succession/summary' },
  { name: 'succession_roles', path: '/api/succession/roles' },
  { name: 'retention', path: '/api/retention?limit=50' },
];

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchApi(opts: BenchApiOptions): Promise<BenchApiResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const token = createLocalToken();
  const app = await buildServer({
    config: { inbox: path.join(os.tmpdir(), 'trellis-bench-inbox'), staticDir: path.join(os.tmpdir(), 'trellis-bench-no-build') },
    db: opts.db, localToken: token,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const headers = { authorization: `Bearer ${token}` };
  try {
    const connections = opts.connections ?? 32;
    const duration = opts.durationSeconds ?? 5;
    const latency: Record<string, Latency> = {};
    for (const ep of opts.endpoints ?? [{ name: 'overview', path: '/api/overview' }]) {
      const warm = await fetch(`${address}${ep.path}`, { headers });
      if (!warm.ok) throw new Error(`${ep.path} answered ${warm.status}: ${(await warm.text()).slice(0, 300)}`);
      await warm.arrayBuffer();
      const latencies: number[] = [];
      const instance = autocannon({ url: `${address}${ep.path}`, connections, duration, headers });
      instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
      const result = await instance;
      latencies.sort((a, b) => a - b);
      const r: Latency = {
        path: ep.path, connections, durationSeconds: duration, requests: result.requests.total, errors: result.errors,
        non2xx: result.non2xx, rps: result.requests.average,
        p50Ms: Math.round(percentile(latencies, 50)), p95Ms: Math.round(percentile(latencies, 95)), p99Ms: Math.round(percentile(latencies, 99)),
      };
      latency[ep.name] = r;
      log(`${ep.name} ${ep.path}: ${r.requests} requests, ${r.rps} req/s, p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, p99 ${r.p99Ms} ms, ${r.non2xx} non-2xx`);
    }

    const url = `${address}/api/retention?limit=100000`;
    const repeats = opts.retentionRepeats ?? 3;
    const jsonMsAll: number[] = [];
    const arrowMsAll: number[] = [];
    let jsonBody = Buffer.alloc(0);
    let arrowBody = Buffer.alloc(0);
    for (let i = 0; i < repeats; i++) {
      let t = performance.now();
      const json = await fetch(url, { headers });
      jsonBody = Buffer.from(await json.arrayBuffer());
      jsonMsAll.push(Math.round(performance.now() - t));
      t = performance.now();
      const arrow = await fetch(url, { headers: { ...headers, accept: 'application/vnd.apache.arrow.stream' } });
      arrowBody = Buffer.from(await arrow.arrayBuffer());
      arrowMsAll.push(Math.round(performance.now() - t));
    }
    const rows = (JSON.parse(jsonBody.toString()) as { rows: unknown[] }).rows.length;
    const retention = {
      rows, jsonBytes: jsonBody.length, arrowBytes: arrowBody.length,
      jsonMs: median(jsonMsAll), arrowMs: median(arrowMsAll), ratio: arrowBody.length / Math.max(1, jsonBody.length), jsonMsAll, arrowMsAll,
    };
    log(`retention: ${rows} rows, JSON ${retention.jsonBytes} B in ${retention.jsonMs} ms, Arrow ${retention.arrowBytes} B in ${retention.arrowMs} ms (median of ${repeats})`);
    const first = Object.values(latency)[0];
    return { overview: latency.overview ?? first, latency, retention };
  } finally {
    await app.close();
  }
}

/** CLI: generate an org, load it through the pipeline, run the bench, print JSON. */
async function main(argv: string[]): Promise<number> {
  const arg = (name: string, dflt: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
  const employees = Number(arg('employees', '2000'));
  const asOf = arg('as-of', '2026-06-30');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-api-'));
  const inbox = path.join(dir, 'inbox');
  const { generateOrg } = await import('../fixtures/generate.ts');
  const { runPipeline } = await import('../pipeline/src/run.ts');
  await generateOrg({ employees, seed: 42, asOf, out: inbox });
  const db = await openDb(path.join(dir, 'bench.duckdb'));
  const run = await runPipeline(db, { inbox, asOf, trigger: 'cli' });
  if (run.status !== 'succeeded') throw new Error(`pipeline ${run.status}: ${run.error}`);
  const result = await benchApi({ db, durationSeconds: Number(arg('duration', '5')) });
  process.stdout.write(`${JSON.stringify({ employees, ...result }, null, 2)}\n`);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
}
