// API benchmark (issue 4): latency of endpoints under 32 concurrent connections (autocannon, bounded
// duration; overview by default, DEFAULT_ENDPOINTS from bench/run.ts) and the full retention list as
// Arrow vs JSON (bytes, time until the client has every byte). The list is fetched by a client in its own
// process (`startClient`), so its reads do not share the server's event loop: the first Arrow request
// (cold: computed, nothing kept yet), repeats of it (the answer kept for the data version), and requests
// with other limits above the row count (the same rows, computed again in a warm process — as the first
// request after a run is). The bench runner calls
// `benchApi({ db })` on a database already loaded with a generated org; run alone with
// `npx tsx bench/api.ts --employees 2000` to generate and load one first.
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { all, openDb, type Db } from '../pipeline/src/db.ts';
import { buildServer } from '../dashboard/server/index.ts';
import { createLocalToken } from '../dashboard/server/server-file.ts';

export interface BenchApiOptions {
  db: Db;
  /** Seconds of load on each endpoint (default 5). */
  durationSeconds?: number;
  connections?: number;
  /** Endpoints to load, by name (default: overview only). */
  endpoints?: { name: string; path: string }[];
  /** Also time the employee page's answer (EMPLOYEE_PAGE: its API calls together, for many employees): `employee_page_alone` (one client), `employee_page` (`connections` clients). */
  employeePage?: boolean;
  /** Timed fetches of the full retention list per format (default 3; the median is reported). */
  retentionRepeats?: number;
  log?: (line: string) => void;
}

export interface Latency { path: string; connections: number; durationSeconds: number; requests: number; errors: number; non2xx: number; rps: number; p50Ms: number; p95Ms: number; p99Ms: number }

export interface BenchApiResult {
  /** The first endpoint's figures (overview by default). */
  overview: Latency;
  latency: Record<string, Latency>;
  retention: RetentionFigures;
}

export interface RetentionFigures {
  rows: number; jsonBytes: number; arrowBytes: number; jsonMs: number;
  /** The first Arrow request of the server (cold: computed, nothing kept): the figure the target is checked on. */
  arrowMs: number;
  /** Median of requests with other limits (same rows, not kept, computed in a warm process). */
  arrowComputedMs: number;
  /** Median of repeats of the first URL (the answer kept for this data version). */
  arrowKeptMs: number;
  /** As arrowComputedMs with the client in the server's process (the bench's measure before 2026-12). */
  arrowInProcessMs: number;
  ratio: number; jsonMsAll: number[]; arrowComputedMsAll: number[]; arrowKeptMsAll: number[]; arrowInProcessMsAll: number[];
  /** The measuring client (curl, or node:http when there is no curl), in its own process. */
  client: string;
}

export interface TimedFetch { ms: number; bytes: number; status: number; total: string | null }

// The measuring client: a small Node process started once, before the server (`startClient`), that runs
// each timed GET on request — by curl when there is one (the leanest reader of a 4 MB body: a fresh Node
// process took 20–50 ms more for the same bytes, undici's fetch 30–200 ms more), else by node:http — and
// answers with the time until the last byte arrived. Not forked per request from the bench process: a
// fork of the ~1.5 GB server process write-protects its pages, and the server's next request then paid
// thousands of page faults (curl started from the server's process measured ~400 ms where curl started
// from a shell measured ~200 ms).
const CLIENT = `
const http = require('node:http');
const { execFile } = require('node:child_process');
const readline = require('node:readline');
const viaHttp = (url, headers) => new Promise((resolve, reject) => {
  const t = performance.now();
  http.get(url, { headers }, (res) => {
    let bytes = 0;
    res.on('data', (chunk) => { bytes += chunk.length; });
    res.on('end', () => resolve({ ms: performance.now() - t, bytes, status: res.statusCode, total: res.headers['x-total-count'] ?? null }));
    res.on('error', reject);
  }).on('error', reject);
});
const viaCurl = (url, headers) => new Promise((resolve, reject) => {
  const args = ['-s', '-o', '/dev/null', '-w', '%{time_total} %{size_download} %{http_code} %header{x-total-count}'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', k + ': ' + v);
  execFile('curl', [...args, url], (err, stdout) => {
    if (err) return reject(err);
    const [s, bytes, status, total] = stdout.trim().split(' ');
    resolve({ ms: Number(s) * 1000, bytes: Number(bytes), status: Number(status), total: total || null });
  });
});
let client;
readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  const { warm, urls, headers } = JSON.parse(line);
  try {
    if (!client) client = await viaCurl(warm, headers).then(() => 'curl', () => 'node:http');
    const get = client === 'curl' ? viaCurl : viaHttp;
    await get(warm, headers);
    const out = [];
    for (const url of urls) out.push(await get(url, headers));
    process.stdout.write(JSON.stringify({ client, out }) + '\\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e) }) + '\\n');
  }
});`;

export interface BenchClient {
  /** GET each URL in turn (after one untimed GET of `warm`), timed in the client's process. */
  fetches(warm: string, urls: string[], headers: Record<string, string>): Promise<TimedFetch[]>;
  /** 'curl' or 'node:http', once it has fetched. */
  readonly name: string;
  close(): void;
}

/** Start the measuring client process (do it before the server is loaded: see CLIENT). */
export function startClient(): BenchClient {
  const child = spawn(process.execPath, ['-e', CLIENT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  let name = 'not yet used';
  return {
    get name() { return name; },
    fetches(warm, urls, headers) {
      return new Promise((resolve, reject) => {
        waiting.push((line) => {
          const answer = JSON.parse(line) as { client?: string; out?: TimedFetch[]; error?: string };
          if (answer.error || !answer.out) return reject(new Error(`bench client: ${answer.error}`));
          name = answer.client ?? name;
          resolve(answer.out);
        });
        child.stdin!.write(`${JSON.stringify({ warm, urls, headers })}\n`);
      });
    },
    close() { child.stdin!.end(); child.kill(); },
  };
}

/** The endpoints the bench runner loads: the overview, succession and retention pages' first requests. */
export const DEFAULT_ENDPOINTS = [
  { name: 'overview', path: '/api/overview' },
  { name: 'succession', path: '/api/succession/summary' },
  { name: 'succession_roles', path: '/api/succession/roles' },
  { name: 'retention', path: '/api/retention?limit=50' },
];

/** The API calls the employee page makes at once (dashboard/src/routes/employees/[id]/+page.ts). */
export const EMPLOYEE_PAGE = (id: string) => [`/api/employees/${encodeURIComponent(id)}`, `/api/employees/${encodeURIComponent(id)}/suggestions`];

/**
 * The employee page's answer under load: `connections` clients, each opening employee pages one after another
 * for `durationSeconds` (the ids in turn), a page being all its calls at once; its latency is the time until
 * the last call's body has arrived. In the server's process, like autocannon.
 */
async function pageLatency(address: string, headers: Record<string, string>, ids: string[], connections: number, durationSeconds: number): Promise<Latency> {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let next = 0;
  const end = performance.now() + durationSeconds * 1000;
  const open = async (id: string) => {
    const t = performance.now();
    await Promise.all(EMPLOYEE_PAGE(id).map(async (p) => {
      const res = await fetch(`${address}${p}`, { headers });
      await res.arrayBuffer();
      if (res.status < 200 || res.status >= 300) non2xx++;
    }));
    latencies.push(performance.now() - t);
  };
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) await open(ids[next++ % ids.length]).catch(() => { errors++; });
  }));
  latencies.sort((a, b) => a - b);
  return {
    path: '/api/employees/:id + /suggestions', connections, durationSeconds, requests: latencies.length, errors, non2xx,
    rps: Math.round(latencies.length / durationSeconds),
    p50Ms: Math.round(percentile(latencies, 50)), p95Ms: Math.round(percentile(latencies, 95)), p99Ms: Math.round(percentile(latencies, 99)),
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchApi(opts: BenchApiOptions): Promise<BenchApiResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const client = startClient();
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
    if (opts.employeePage) {
      // Employees with suggestions first (the fuller page), a fixed spread of them (not the first by id).
      const conn = await opts.db.connect();
      const ids = await all(conn, `select employee_id from int_employees_active
        order by employee_id in (select employee_id from mobility_matches) desc, hash(employee_id), employee_id limit 500`)
        .finally(() => conn.closeSync());
      const idList = ids.map((r) => String(r.employee_id));
      for (const id of idList.slice(0, 20)) await Promise.all(EMPLOYEE_PAGE(id).map((p) => fetch(`${address}${p}`, { headers }).then((r) => r.arrayBuffer())));
      // One person opening pages (the page's own answer time), then as many at once as the other endpoints get.
      for (const [name, n] of [['employee_page_alone', 1], ['employee_page', connections]] as const) {
        const r = await pageLatency(address, headers, idList, n, duration);
        latency[name] = r;
        log(`${name} ${r.path} (${idList.length} employees in turn, ${n} at once): ${r.requests} pages, ${r.rps} pages/s, p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, p99 ${r.p99Ms} ms, ${r.non2xx} non-2xx`);
      }
    }

    const ARROW = { ...headers, accept: 'application/vnd.apache.arrow.stream' };
    const list = (limit: number) => `${address}/api/retention?limit=${limit}`;
    const health = `${address}/api/health`;
    const repeats = opts.retentionRepeats ?? 3;
    const ok = (fetches: TimedFetch[]) => {
      for (const f of fetches) if (f.status !== 200) throw new Error(`/api/retention answered ${f.status}`);
      return fetches;
    };
    // Cold: the server's first Arrow list (its Arrow encoder only warmed on a small synthetic result).
    const [cold] = ok(await client.fetches(health, [list(100_000)], ARROW));
    const kept = ok(await client.fetches(health, Array.from({ length: repeats }, () => list(100_000)), ARROW));
    const computedUrls = Array.from({ length: repeats }, (_, k) => list(99_999 - k));
    const computed = ok(await client.fetches(health, computedUrls, ARROW));
    const arrowInProcessMsAll: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const t = performance.now();
      const res = await fetch(list(99_000 - k), { headers: ARROW });
      await res.arrayBuffer();
      arrowInProcessMsAll.push(Math.round(performance.now() - t));
    }
    const json = ok(await client.fetches(health, Array.from({ length: repeats }, () => list(100_000)), headers));
    const ms = (fetches: TimedFetch[]) => fetches.map((f) => Math.round(f.ms));
    const retention: RetentionFigures = {
      rows: Number(cold.total), jsonBytes: json[0].bytes, arrowBytes: cold.bytes, jsonMs: median(ms(json)),
      arrowMs: Math.round(cold.ms),
      arrowComputedMs: median(ms(computed)), arrowKeptMs: median(ms(kept)), arrowInProcessMs: median(arrowInProcessMsAll),
      ratio: cold.bytes / Math.max(1, json[0].bytes),
      jsonMsAll: ms(json), arrowComputedMsAll: ms(computed), arrowKeptMsAll: ms(kept), arrowInProcessMsAll, client: client.name,
    };
    log(`retention: ${retention.rows} rows; Arrow ${retention.arrowBytes} B: cold ${retention.arrowMs} ms, computed ${retention.arrowComputedMs} ms `
      + `(in-process client ${retention.arrowInProcessMs} ms), kept ${retention.arrowKeptMs} ms; JSON ${retention.jsonBytes} B in ${retention.jsonMs} ms `
      + `(medians of ${repeats}; client: ${client.name} in its own process unless said)`);
    const first = Object.values(latency)[0];
    return { overview: latency.overview ?? first, latency, retention };
  } finally {
    client.close();
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
  const result = await benchApi({ db, durationSeconds: Number(arg('duration', '5')), employeePage: true });
  process.stdout.write(`${JSON.stringify({ employees, ...result }, null, 2)}\n`);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
}
