// One measured step of the bench in its own process, so its peak RSS is its own:
//   node pipeline/bin/run-ts.js bench/child.ts '<json>'
//   {"mode":"run","db":…,"inbox":…,"asOf":…}        a pipeline run (full or no-change) with per-phase times
//                                                    ("historyMonths":0 for the run without history)
//   {"mode":"floor","db":…,"files":[…]}             plain DuckDB bulk load of the same files into typed tables
// Prints one line `BENCH_RESULT <json>` on stdout; progress and errors go to stderr.
import { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { dataset as datasetDef, datasetForFile, duckType } from '../pipeline/src/datasets.ts';
import { exec, ident, literal, one, openDb } from '../pipeline/src/db.ts';
import { phaseRecorder, summarize } from './phases.ts';

interface RunRequest { mode: 'run'; db: string; inbox: string; asOf: string; historyMonths?: number }
interface FloorRequest { mode: 'floor'; db: string; files: string[] }

/**
 * With BENCH_PROFILE=N set, time every statement on every connection and print the N slowest to
 * stderr at the end (for finding hot spots; off in normal bench runs).
 */
const statements: { sql: string; ms: number }[] = [];
function profileStatements(): void {
  const proto = DuckDBConnection.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['run', 'runAndReadAll']) {
    const original = proto[name];
    proto[name] = async function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      try { return await original.apply(this, args); } finally { statements.push({ sql: String(args[0]), ms: performance.now() - t }); }
    };
  }
}
function printProfile(top: number): void {
  const bySql = new Map<string, { ms: number; n: number }>();
  for (const s of statements) {
    const k = s.sql.replace(/\s+/g, ' ').slice(0, 400);
    const e = bySql.get(k) ?? { ms: 0, n: 0 };
    e.ms += s.ms; e.n++;
    bySql.set(k, e);
  }
  const rows = [...bySql.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
  for (const [sql, e] of rows) process.stderr.write(`${e.ms.toFixed(0).padStart(7)} ms ${String(e.n).padStart(4)}× ${sql}\n`);
}

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuMs = () => { const u = process.cpuUsage(); return Math.round((u.user + u.system) / 1000); };

async function run(req: RunRequest) {
  const { runPipeline } = await import('../pipeline/src/run.ts');
  const db = await openDb(req.db);
  if (process.env.BENCH_SETUP) {
    // A/B of DuckDB settings: e.g. BENCH_SETUP="set global threads = 1"
    const c = await db.connect();
    await exec(c, process.env.BENCH_SETUP);
    c.closeSync();
  }
  const rec = phaseRecorder();
  const started = performance.now();
  const cpuStart = cpuMs();
  const summary = await runPipeline(db, { inbox: req.inbox, asOf: req.asOf, historyMonths: req.historyMonths, trigger: 'cli', onProgress: (e) => rec.onProgress(e) });
  const wallMs = Math.round(performance.now() - started);
  const runCpuMs = cpuMs() - cpuStart;
  const phases = summarize(rec.finish(), summary.modelTimings);
  db.close();
  if (summary.status === 'failed') throw new Error(`pipeline run failed: ${summary.error}`);
  return {
    status: summary.status, wallMs, cpuMs: runCpuMs, timings: summary.timings, phases, counts: summary.counts,
    files: summary.files.map((f) => ({ file: f.file, dataset: f.dataset, rowsRead: f.rowsRead, rowsLoaded: f.rowsLoaded })),
    models: summary.models, tests: summary.tests, maxRssMb: maxRssMb(),
  };
}

/** The plain-DuckDB floor: each file straight into a typed table, no validation, no lineage. */
async function floor(req: FloorRequest) {
  const db = await openDb(req.db);
  const conn = await db.connect();
  const perFile: { file: string; rows: number; ms: number }[] = [];
  const started = performance.now();
  const cpuStart = cpuMs();
  for (const file of req.files) {
    const ds = datasetForFile(path.basename(file));
    if (!ds) continue;
    const def = datasetDef(ds);
    const t = performance.now();
    const table = ident(`floor_${ds}`);
    if (/\.parquet$/i.test(file)) {
      await exec(conn, `create or replace table ${table} as select * from read_parquet(${literal(file)})`);
    } else {
      const header = fs.readFileSync(file, 'utf8').slice(0, 64 * 1024).split(/\r?\n/)[0].split(',');
      const types = header.map((h) => {
        const col = def.columns.find((c) => c.name === h);
        return `${literal(h)}: ${literal(col ? duckType(col) : 'VARCHAR')}`;
      });
      await exec(conn, `create or replace table ${table} as select * from read_csv(${literal(file)}, header = true,
        auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${types.join(', ')}})`);
    }
    const rows = Number((await one<{ n: number }>(conn, `select count(*)::int as n from ${table}`))?.n ?? 0);
    perFile.push({ file: path.basename(file), rows, ms: Math.round(performance.now() - t) });
  }
  const wallMs = Math.round(performance.now() - started);
  const floorCpuMs = cpuMs() - cpuStart;
  await exec(conn, 'checkpoint');
  conn.closeSync();
  db.close();
  return { wallMs, cpuMs: floorCpuMs, perFile, maxRssMb: maxRssMb() };
}

async function main() {
  const top = Number(process.env.BENCH_PROFILE ?? 0);
  if (top > 0) profileStatements();
  const req = JSON.parse(process.argv[2] ?? '{}') as RunRequest | FloorRequest;
  const result = req.mode === 'run' ? await run(req) : req.mode === 'floor' ? await floor(req) : null;
  if (!result) throw new Error(`bench/child.ts: unknown mode ${JSON.stringify((req as { mode?: unknown }).mode)}; use "run" or "floor"`);
  if (top > 0) printProfile(top);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

main().then(() => process.exit(0), (err) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
