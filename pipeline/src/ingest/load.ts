// loadFiles: one drop of inbox files into `src_*`, inside the caller's transaction. Decides which file
// is which dataset, which are superseded, and the order (byte order of names; datasets in reference
// order so references see the rows in effect after the run). It never moves files.
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import { DATASET_NAMES, dataset as datasetDef, datasetForFile, nearName, type DatasetName } from '../datasets.ts';
import { RefusedError } from './columns.ts';
import { scanCsv, type CsvScan } from './csv-scan.ts';
import { dropReadTemps, readFile } from './read.ts';
import { DEFAULT_MAX_REJECTS_PER_FILE, validateAndApply } from './validate.ts';

export interface LoadContext {
  runId: number;
  maxRejectsPerFile?: number;
  /** The mappings folder the run searched (named when a file's name places it nowhere). */
  mappingsDir?: string;
  onProgress?: (e: { phase: 'read' | 'validate'; dataset: string; file: string; message: string }) => void;
  /**
   * More connections, in the same schema as the first, to load on at the same time: once the datasets others
   * reference are loaded, the rest load beside each other (one dataset's files in order, on one connection).
   * A run passes one.
   */
  workers?: DuckDBConnection[];
}

/** A file on disk, placed by its name. */
export interface FileInput {
  path: string;
  name: string;
}

/**
 * A dataset already read into a raw table (canonical VARCHAR columns + `_line`), e.g. by a column
 * mapping. It takes part in the same order and "last snapshot file wins" rule as the files on disk.
 */
export interface RawInput {
  /** File name recorded in results, `rejects` and `src_*._file`. */
  file: string;
  dataset: DatasetName;
  rawTable: string;
  /** Rejects found while reading (`_line, "column", value, reason`), counted with this dataset. */
  readRejectsTable?: string;
  /** Warnings about rows of the raw table (`_line, "column", value, reason`), e.g. a mapping's lookups. */
  warningsTable?: string;
}

export type LoadInput = FileInput | RawInput;

export function isRawInput(f: LoadInput): f is RawInput {
  return (f as RawInput).rawTable !== undefined;
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

/** The datasets another dataset references (roles, skills, objectives, employees): loaded before the rest. */
const REFERENCED: ReadonlySet<DatasetName> = new Set(DATASET_NAMES.flatMap((name) =>
  datasetDef(name).columns.flatMap((c) => (c.ref && c.ref.dataset !== name ? [c.ref.dataset] : []))));

export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const empty = (file: string, dataset: DatasetName | null, status: FileResult['status'], reason?: string): FileResult =>
  ({ file, dataset, status, ...(reason ? { reason } : {}), rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rowsWarned: 0 });

type Entry = { input: LoadInput; name: string; dataset: DatasetName };

/** Why a file whose name names no dataset (and that no mapping matched) is refused, and the two ways to place it. */
function unplacedReason(name: string, mappingsDir?: string): string {
  const near = nearName(name);
  return `${name}: the file name names no dataset and no column mapping matches it; `
    + (near ? `a dataset name must be followed by "_" or the extension: rename it ${near}, `
      : `rename it to start with one of ${DATASET_NAMES.join(', ')} (e.g. employees.csv or check_ins_2026-11.csv), `)
    + 'or place it with a column mapping: a YAML file whose pattern matches the name (docs/mappings.md)'
    + (mappingsDir ? `, in the mappings folder searched: ${mappingsDir}` : '');
}

/**
 * Load a drop: files on disk (dataset from the name) and raw tables (dataset given), together. Every
 * entry is in byte order of its file name; datasets load in LOAD_ORDER, so a canonical file's
 * references see the rows a mapped file brings in the same drop; of several entries of one snapshot
 * dataset the last by name wins, the others are superseded. One result per file and dataset, in
 * byte order of file name, then LOAD_ORDER.
 */
export async function loadFiles(conn: DuckDBConnection, files: LoadInput[], ctx: LoadContext): Promise<FileResult[]> {
  const nameOf = (f: LoadInput) => (isRawInput(f) ? f.file : f.name);
  const sorted = [...files].sort((a, b) => byteOrder(nameOf(a), nameOf(b)));
  const results = new Map<string, FileResult>();
  const key = (file: string, ds: DatasetName | null) => `${file}\u0000${ds ?? ''}`;
  const byDataset = new Map<DatasetName, Entry[]>();
  for (const f of sorted) {
    if (isRawInput(f)) {
      byDataset.set(f.dataset, [...(byDataset.get(f.dataset) ?? []), { input: f, name: f.file, dataset: f.dataset }]);
      continue;
    }
    if (!/\.(csv|parquet)$/i.test(f.name)) {
      const ds = datasetForFile(f.name.replace(/\.[^./\\]*$/, '.csv'));
      results.set(key(f.name, null), empty(f.name, ds, 'refused', `${f.name}: only .csv and .parquet files can be loaded; save or export it as CSV (UTF-8) or Parquet and drop it again`));
      continue;
    }
    const ds = datasetForFile(f.name);
    if (!ds) {
      results.set(key(f.name, null), empty(f.name, null, 'refused', unplacedReason(f.name, ctx.mappingsDir)));
      continue;
    }
    byDataset.set(ds, [...(byDataset.get(ds) ?? []), { input: f, name: f.name, dataset: ds }]);
  }

  const plan: Entry[] = [];
  for (const ds of LOAD_ORDER) {
    const group = byDataset.get(ds);
    if (!group) continue;
    const def = datasetDef(ds);
    let toLoad = group;
    if (def.kind === 'snapshot' && group.length > 1) {
      const last = group[group.length - 1];
      for (const e of group.slice(0, -1)) {
        results.set(key(e.name, ds), empty(e.name, ds, 'superseded', `${e.name}: superseded by ${last.name} (a later ${ds} snapshot in the same drop)`));
      }
      toLoad = [last];
    }
    plan.push(...toLoad);
  }
  // The datasets others reference load first, one after another; then the rest, a dataset's files in order
  // on the first connection free, the largest dataset first. A mapped file's raw table is a temp table of
  // `conn`: it loads there.
  const first = plan.filter((e) => REFERENCED.has(e.dataset));
  const rest = new Map<DatasetName, Entry[]>();
  for (const e of plan) if (!REFERENCED.has(e.dataset)) rest.set(e.dataset, [...(rest.get(e.dataset) ?? []), e]);
  const bytes = (e: Entry) => (isRawInput(e.input) ? 0 : fs.statSync(e.input.path).size);
  const groups = [...rest.values()].map((entries) => ({ entries, bytes: entries.reduce((n, e) => n + bytes(e), 0) }))
    .sort((a, b) => b.bytes - a.bytes);
  const order = [...first, ...groups.flatMap((g) => g.entries)];
  // The next CSV file is scanned (JavaScript, on this thread) while DuckDB works on the current one.
  const scans = new Map<Entry, Promise<CsvScan>>();
  const started = new Set<Entry>();
  const scan = (e: Entry | undefined) => {
    if (!e || isRawInput(e.input) || !/\.csv$/i.test(e.name) || scans.has(e)) return;
    const scanning = scanCsv(e.input.path);
    scanning.catch(() => {}); // a failure is reported when the file's turn comes
    scans.set(e, scanning);
  };
  const load = async (c: DuckDBConnection, e: Entry) => {
    started.add(e);
    scan(e);
    scan(order.find((x) => !started.has(x)));
    const res = isRawInput(e.input) ? await loadRaw(c, e.input, ctx) : await loadOne(c, e.input, e.dataset, ctx, scans.get(e));
    scans.delete(e);
    results.set(key(e.name, e.dataset), res);
  };
  for (const e of first) await load(conn, e);
  const failures: unknown[] = [];
  const worker = async (c: DuckDBConnection, own: boolean) => {
    for (;;) {
      const i = groups.findIndex((g) => own || !g.entries.some((e) => isRawInput(e.input)));
      if (i < 0 || failures.length) return;
      const [group] = groups.splice(i, 1);
      try {
        for (const e of group.entries) await load(c, e);
      } catch (err) {
        failures.push(err);
      }
    }
  };
  await Promise.all([worker(conn, true), ...(ctx.workers ?? []).map((w) => worker(w, false))]);
  if (failures.length) throw failures[0];
  const rank = (ds: DatasetName | null) => (ds ? LOAD_ORDER.indexOf(ds) : -1);
  return [...results.values()].sort((a, b) => byteOrder(a.file, b.file) || rank(a.dataset) - rank(b.dataset));
}

async function loadRaw(conn: DuckDBConnection, f: RawInput, ctx: LoadContext): Promise<FileResult> {
  ctx.onProgress?.({ phase: 'validate', dataset: f.dataset, file: f.file, message: `checking the ${f.dataset} rows of ${f.file}` });
  const res = await validateAndApply(conn, f.rawTable, f.dataset, {
    runId: ctx.runId, file: f.file, maxRejectsPerFile: ctx.maxRejectsPerFile ?? DEFAULT_MAX_REJECTS_PER_FILE,
    ...(f.readRejectsTable ? { readRejectsTable: f.readRejectsTable } : {}),
    ...(f.warningsTable ? { warningsTable: f.warningsTable } : {}),
  });
  return { file: f.file, dataset: f.dataset, ...res };
}

async function loadOne(
  conn: DuckDBConnection, f: FileInput, ds: DatasetName, ctx: LoadContext, scan?: Promise<CsvScan>,
): Promise<FileResult> {
  const def = datasetDef(ds);
  const maxRejects = ctx.maxRejectsPerFile ?? DEFAULT_MAX_REJECTS_PER_FILE;
  ctx.onProgress?.({ phase: 'read', dataset: ds, file: f.name, message: `reading ${f.name}` });
  let read;
  try {
    read = await readFile(conn, f.path, f.name, def, RAW, READ_REJECTS, maxRejects, scan);
  } catch (err) {
    if (err instanceof RefusedError) return empty(f.name, ds, 'refused', err.message);
    throw err;
  }
  ctx.onProgress?.({ phase: 'validate', dataset: ds, file: f.name, message: `checking ${read.rowsRead} rows of ${f.name}` });
  try {
    const res = await validateAndApply(conn, RAW, ds, {
      runId: ctx.runId, file: f.name, maxRejectsPerFile: maxRejects, readRejectsTable: READ_REJECTS, read,
    });
    await dropReadTemps(conn, RAW, READ_REJECTS);
    return { file: f.name, dataset: ds, ...res };
  } finally {
    read.cleanup?.();
  }
}
