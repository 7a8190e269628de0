// Test helpers for the SQL models: load a folder of contract CSVs through the real pipeline (ingest, models,
// .yml tests) into a temp database, and compare marts with hand-written expected CSVs.
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { all, ident, openDb, type Db, type Row } from '../../pipeline/src/db.ts';
import { runPipeline } from '../../pipeline/src/run.ts';
import type { ModelSettings } from '../../pipeline/src/model-settings.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ORGS_DIR = path.join(REPO_ROOT, 'fixtures/orgs');
export const DATASETS_DIR = path.resolve(REPO_ROOT, '../shared/datasets');

/** A fresh database file in a temp dir. */
export async function tempDb(prefix = 'trellis-sql-'): Promise<{ db: Db; conn: DuckDBConnection; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const db = await openDb(path.join(dir, 'trellis.duckdb'));
  return { db, conn: await db.connect(), dir };
}

// ---------------------------------------------------------------------------------------------
// Comparing a mart with an expected CSV

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** A value as comparable text: null → '', lists joined by '|', booleans true/false, dates ISO. */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(asText).join('|');
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

function sameValue(actual: string, expected: string, tolerance: number): boolean {
  if (actual === expected) return true;
  const a = Number(actual);
  const e = Number(expected);
  if (actual !== '' && expected !== '' && Number.isFinite(a) && Number.isFinite(e)) return Math.abs(a - e) <= tolerance;
  return false;
}

export interface MartDiff { mart: string; problems: string[] }

/**
 * Compare a mart with an expected CSV: only the CSV's columns, rows sorted by all those columns' text,
 * numbers within `tolerance`. Returns human-readable problems (empty when equal).
 */
export async function compareMart(conn: DuckDBConnection, mart: string, expectedFile: string, tolerance = 1e-6): Promise<string[]> {
  const [header, ...expectedRows] = parseCsv(fs.readFileSync(expectedFile, 'utf8'));
  const rows = await all(conn, `select ${header.map(ident).join(', ')} from ${ident(mart)}`);
  const actual = rows.map((r: Row) => header.map((h) => asText(r[h])));
  const key = (r: string[]) => r.join('\u0001');
  actual.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const expected = [...expectedRows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const problems: string[] = [];
  const show = (r: string[]) => header.map((h, i) => `${h}=${r[i]}`).join(', ');
  // Each expected row must match a distinct actual row (numbers within tolerance); leftovers are reported.
  const used = new Set<number>();
  for (const e of expected) {
    let match = actual.findIndex((a, i) => !used.has(i) && a.every((v, j) => sameValue(v, e[j] ?? '', tolerance)));
    if (match >= 0) { used.add(match); continue; }
    problems.push(`missing or different: ${show(e)}`);
  }
  actual.forEach((a, i) => { if (!used.has(i)) problems.push(`unexpected: ${show(a)}`); });
  return problems;
}

export interface Built {
  db: Db;
  conn: DuckDBConnection;
  /** Number of .yml tests the run executed. */
  tests: number;
  /** Rejected/warned rows of the run (fixtures are meant to load cleanly apart from deliberate cases). */
  rejects: Row[];
  /** The run's notes. */
  notes: string[];
}

/**
 * A fresh database with the org folder's CSVs (but those named in `leaveOut`) dropped into a temp inbox and
 * loaded by the real `runPipeline` (ingest → models → .yml tests) as of `asOf`. Throws with the run's error
 * when it fails.
 */
export async function buildOrg(dir: string, asOf: string,
  { leaveOut = [], historyMonths, settings }: { leaveOut?: string[]; historyMonths?: number; settings?: Partial<ModelSettings> } = {}): Promise<Built> {
  const { db, conn, dir: tmp } = await tempDb();
  const inbox = path.join(tmp, 'inbox');
  fs.mkdirSync(inbox);
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.csv') && !leaveOut.includes(f)) fs.copyFileSync(path.join(dir, f), path.join(inbox, f));
  }
  // an org may pin its history depth (history_months.txt); else the default
  const monthsFile = path.join(dir, 'history_months.txt');
  historyMonths ??= fs.existsSync(monthsFile) ? Number(fs.readFileSync(monthsFile, 'utf8').trim()) : undefined;
  const summary = await runPipeline(db, { inbox, asOf, historyMonths, settings, trigger: 'cli', clock: () => new Date('2026-01-01T00:00:00Z') });
  if (summary.status !== 'succeeded') throw new Error(`run of ${dir} as of ${asOf} ${summary.status}: ${summary.error}`);
  const rejects = await all(conn, 'select * from rejects');
  return { db, conn, tests: summary.tests, rejects, notes: summary.notes };
}
