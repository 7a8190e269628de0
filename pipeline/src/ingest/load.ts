// loadFiles: one drop of inbox files into `src_*`, inside the caller's transaction. Decides which file
// is which dataset, which are superseded, and the order (byte order of names; datasets in reference
// order so references see the rows in effect after the run). It never moves files.
import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASET_NAMES, dataset as datasetDef, datasetForFile, type DatasetName } from '../datasets.ts';
import { RefusedError } from './columns.ts';
import { dropReadTemps, readFile } from './read.ts';
import { DEFAULT_MAX_REJECTS_PER_FILE, validateAndApply } from './validate.ts';

export interface LoadContext {
  runId: number;
  maxRejectsPerFile?: number;
  onProgress?: (e: { phase: 'read' | 'validate'; dataset: string; file: string; message: string }) => void;
}

export interface FileResult {
  file: string;
  dataset: DatasetName | null;
  status: 'loaded' | 'refused' | 'superseded';
  reason?: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsWarned: number;
}

/** Datasets others point at come first; then the rest in contract order. */
export const LOAD_ORDER: readonly DatasetName[] = (() => {
  const first: DatasetName[] = ['roles', 'skills', 'objectives', 'employees', 'role_progressions', 'role_skills'];
  return [...first, ...DATASET_NAMES.filter((n) => !first.includes(n))];
})();

const RAW = '_ingest_raw';
const READ_REJECTS = '_ingest_read_rejects';

export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const empty = (file: string, dataset: DatasetName | null, status: FileResult['status'], reason?: string): FileResult =>
  ({ file, dataset, status, ...(reason ? { reason } : {}), rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rowsWarned: 0 });

export async function loadFiles(
  conn: DuckDBConnection, files: { path: string; name: string }[], ctx: LoadContext,
): Promise<FileResult[]> {
  const sorted = [...files].sort((a, b) => byteOrder(a.name, b.name));
  const results = new Map<string, FileResult>();
  const byDataset = new Map<DatasetName, { path: string; name: string }[]>();
  for (const f of sorted) {
    if (!/\.(csv|parquet)$/i.test(f.name)) {
      const ds = datasetForFile(f.name.replace(/\.[^./\\]*$/, '.csv'));
      results.set(f.name, empty(f.name, ds, 'refused', `${f.name}: only .csv and .parquet files can be loaded`));
      continue;
    }
    const ds = datasetForFile(f.name);
    if (!ds) {
      results.set(f.name, empty(f.name, null, 'refused',
        `${f.name}: the file name names no dataset; start it with one of ${DATASET_NAMES.join(', ')} (e.g. employees.csv or check_ins_2026-11.csv)`));
      continue;
    }
    byDataset.set(ds, [...(byDataset.get(ds) ?? []), f]);
  }

  for (const ds of LOAD_ORDER) {
    const group = byDataset.get(ds);
    if (!group) continue;
    const def = datasetDef(ds);
    let toLoad = group;
    if (def.kind === 'snapshot' && group.length > 1) {
      const last = group[group.length - 1];
      for (const f of group.slice(0, -1)) {
        results.set(f.name, empty(f.name, ds, 'superseded', `${f.name}: superseded by ${last.name} (a later ${ds} snapshot in the same drop)`));
      }
      toLoad = [last];
    }
    for (const f of toLoad) results.set(f.name, await loadOne(conn, f, ds, ctx));
  }
  return sorted.map((f) => results.get(f.name)!);
}

async function loadOne(
  conn: DuckDBConnection, f: { path: string; name: string }, ds: DatasetName, ctx: LoadContext,
): Promise<FileResult> {
  const def = datasetDef(ds);
  const maxRejects = ctx.maxRejectsPerFile ?? DEFAULT_MAX_REJECTS_PER_FILE;
  ctx.onProgress?.({ phase: 'read', dataset: ds, file: f.name, message: `reading ${f.name}` });
  await dropReadTemps(conn, RAW, READ_REJECTS);
  let read;
  try {
    read = await readFile(conn, f.path, f.name, def, RAW, READ_REJECTS, maxRejects);
  } catch (err) {
    if (err instanceof RefusedError) return empty(f.name, ds, 'refused', err.message);
    throw err;
  }
  ctx.onProgress?.({ phase: 'validate', dataset: ds, file: f.name, message: `checking ${read.rowsRead} rows of ${f.name}` });
  const res = await validateAndApply(conn, RAW, ds, {
    runId: ctx.runId, file: f.name, maxRejectsPerFile: maxRejects, readRejectsTable: READ_REJECTS,
  });
  await dropReadTemps(conn, RAW, READ_REJECTS);
  return { file: f.name, dataset: ds, ...res };
}
