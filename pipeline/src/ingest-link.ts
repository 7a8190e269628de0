// What the run needs from ingest (pipeline/src/ingest/), as types, and the loader of the real module.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetName } from './datasets.ts';

/** A file of the inbox, hashed, handed to ingest. */
export interface InboxFile {
  path: string;
  name: string;
  sha256: string;
  bytes: number;
  dataset: DatasetName | null;
}

/** What happened to one file in a run (one `run_files` row). */
export interface FileResult {
  file: string;
  dataset: string | null;
  sha256: string | null;
  status: 'loaded' | 'skipped' | 'refused' | 'superseded';
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsWarned: number;
  reason: string | null;
}

export interface IngestContext {
  runId: number;
  asOf: string;
  maxRejectsPerFile?: number;
  onProgress?: (e: { phase: 'read' | 'validate'; dataset?: string; done: number; total: number; message: string }) => void;
}

export interface Ingest {
  ensureSourceTables(conn: DuckDBConnection): Promise<void>;
  loadFiles(conn: DuckDBConnection, files: InboxFile[], ctx: IngestContext): Promise<FileResult[]>;
}

/** The real ingest module. */
export async function loadIngest(): Promise<Ingest> {
  const mod = await import(new URL('./ingest/index.ts', import.meta.url).href) as Partial<Ingest>;
  if (typeof mod.loadFiles !== 'function' || typeof mod.ensureSourceTables !== 'function') {
    throw new Error('pipeline/src/ingest/index.ts must export loadFiles and ensureSourceTables');
  }
  return mod as Ingest;
}
