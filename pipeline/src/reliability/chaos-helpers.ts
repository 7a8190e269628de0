// Shared by the chaos tests: a seeded PRNG, a child pipeline run that can be killed, and fingerprints of
// every table a run produces.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../db.ts';
import { fingerprint } from './fingerprint.ts';
import { REPO_ROOT } from './corpus.ts';

/** mulberry32: a small deterministic PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChildEvent { i?: number; phase?: string; message?: string; done?: unknown; runId?: number; error?: string | null; events?: number }

export interface ChildRun {
  child: ChildProcess;
  events: ChildEvent[];
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Calls `fn` for each event as it arrives. */
  onEvent(fn: (e: ChildEvent) => void): void;
}

/** Start run-child.ts on a database and inbox. */
export function startChildRun(db: string, inbox: string, asOf: string, pauseAt?: number, env: Record<string, string> = {}): ChildRun {
  const args = [path.join(REPO_ROOT, 'pipeline/bin/run-ts.js'), path.join(REPO_ROOT, 'pipeline/src/reliability/run-child.ts'), db, inbox, asOf];
  if (pauseAt !== undefined) args.push(String(pauseAt));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const events: ChildEvent[] = [];
  const listeners: ((e: ChildEvent) => void)[] = [];
  let buf = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const lineText = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!lineText.trim()) continue;
      const e = JSON.parse(lineText) as ChildEvent;
      events.push(e);
      for (const fn of listeners) fn(e);
    }
  });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, events, exited, onEvent: (fn) => listeners.push(fn) };
}

/** Tables that record runs rather than results (their rows differ by run id and time). */
const RUN_RECORDS = new Set(['runs', 'run_files', 'loaded_files', 'rejects', 'run_notes', 'users', 'sessions', 'audit_log']);
/** Columns naming the run or the time a row was written. */
const RUN_COLUMNS = ['_run_id', '_file', '_line', 'run_id', 'loaded_at', 'started_at', 'finished_at'];

/** Fingerprint of every result `main` serves (src_*, staging, intermediate models, marts; tables or views), by name. */
export async function resultFingerprints(conn: DuckDBConnection): Promise<Record<string, string>> {
  const tables = await all<{ table_name: string }>(conn,
    `select table_name from information_schema.tables
      where table_catalog = current_database() and table_schema = 'main' and table_type in ('BASE TABLE', 'VIEW') order by 1`);
  const out: Record<string, string> = {};
  for (const { table_name: t } of tables) {
    if (RUN_RECORDS.has(t)) continue;
    const cols = (await all<{ c: string }>(conn,
      "select column_name as c from information_schema.columns where table_schema = 'main' and table_name = $t", { t })).map((r) => r.c);
    out[t] = await fingerprint(conn, t, RUN_COLUMNS.filter((c) => cols.includes(c)));
  }
  return out;
}

/** The CSV/Parquet files directly in a folder, sorted. */
export function dataFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && /\.(csv|parquet)$/i.test(e.name)).map((e) => e.name).sort();
}

/** Every data file under inbox/archive/<run>/, as `<run>/<name>`. */
export function archivedFiles(inbox: string): string[] {
  const dir = path.join(inbox, 'archive');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).sort().flatMap((run) => dataFiles(path.join(dir, run)).map((f) => `${run}/${f}`));
}
