// Shared setup of the run tests: a temp folder with an inbox and a DuckDB file, run options with a
// pinned as_of and clock, and a CSV writer for any dataset of the contract.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataset, type DatasetName } from './datasets.ts';
import { openDb, type Db } from './db.ts';
import type { RunOptions } from './run.ts';

/** A CSV of a dataset with every canonical column (missing values empty). */
export function csv(name: DatasetName, rows: Record<string, string>[]): string {
  const cols = dataset(name).columns.map((c) => c.name);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => r[c] ?? '').join(','))].join('\n') + '\n';
}

export interface RunEnv {
  tmp: string;
  inbox: string;
  db: Db;
  opts: RunOptions;
  /** Write a file into the inbox. */
  drop(name: string, text: string): void;
}

export async function runEnv(prefix: string, asOf: string, clockIso: string, extra: Partial<RunOptions> = {}): Promise<RunEnv> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const inbox = path.join(tmp, 'inbox');
  fs.mkdirSync(inbox);
  const db = await openDb(path.join(tmp, 'trellis.duckdb'));
  const opts: RunOptions = { inbox, asOf, trigger: 'cli', clock: () => new Date(clockIso), ...extra };
  return { tmp, inbox, db, opts, drop: (name, text) => fs.writeFileSync(path.join(inbox, name), text) };
}
