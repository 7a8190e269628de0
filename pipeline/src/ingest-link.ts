// What the run needs from ingest (pipeline/src/ingest/), as types, and the loader of the real module.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetName } from './datasets.ts';
import { ensureSourceTables, loadFiles, type LoadInput } from './ingest/index.ts';

/** A file of the inbox, hashed, handed to ingest. */
export interface InboxFile {
  path: string;
  name: string;
  sha256: string;
  bytes: number;
  /** Size and modification time when hashed (run-files.ts stampOf). */
  stamp: string;
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
  /** The mapping file the file was read through (null: by dataset name). */
  mapping?: string | null;
}

export interface IngestContext {
  runId: number;
  maxRejectsPerFile?: number;
  /** The mappings folder the run searched (for the reason a file is placed nowhere). */
  mappingsDir?: string;
  onProgress?: (e: { phase: 'read' | 'validate'; dataset?: string; file?: string; message: string }) => void;
  /** More connections in the run's schema, to load datasets on at the same time. */
  workers?: DuckDBConnection[];
}

/** What ingest answers per file (its FileResult: no hash, reason optional). */
export type IngestResult = Omit<FileResult, 'sha256' | 'reason' | 'dataset'> & { dataset: string | null; reason?: string | null };

export interface Ingest {
  ensureSourceTables(conn: DuckDBConnection): Promise<void>;
  /** Files on disk and raw tables read through a mapping, in one drop. */
  loadFiles(conn: DuckDBConnection, files: LoadInput[], ctx: IngestContext): Promise<IngestResult[]>;
}

/** The real ingest module (pipeline/src/ingest). */
export const defaultIngest: Ingest = { ensureSourceTables, loadFiles };
