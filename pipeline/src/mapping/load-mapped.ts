// Loads inbox files that a mapping applies to: each file is read through its mapping into raw tables
// (`prepareMappedFiles`), and the raw tables go to the ingest's `loadFiles` as `RawInput`s, so mapped and
// canonical files of one drop share LOAD_ORDER and the "last snapshot file wins" rule. Runs inside the
// caller's transaction.
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { DatasetName } from '../datasets.ts';
import { exec, ident } from '../db.ts';
import { LOAD_ORDER, loadFiles, type FileInput, type LoadContext, type RawInput } from '../ingest/index.ts';
import { applyMapping, dropMapped, type MappedFile } from './apply.ts';
import { MappingError } from './errors.ts';
import type { MappingLimits } from './limits.ts';
import type { ReadReject } from './source.ts';
import type { Mapping } from './types.ts';

export interface MappedFileResult {
  file: string;
  /** One result per dataset the file feeds; null when the mapping could not be applied. */
  dataset: DatasetName | null;
  mapping: string;
  status: 'loaded' | 'refused' | 'superseded';
  reason?: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsWarned: number;
}

export interface MappedLoadContext {
  runId: number;
  maxRejectsPerFile?: number;
  mappingLimits?: Partial<MappingLimits>;
}

export interface PreparedMappedFiles {
  /** One raw table per file and dataset, ready for `loadFiles`. */
  inputs: RawInput[];
  /** Files whose mapping could not be applied (MappingError), refused with the reason. */
  refused: MappedFileResult[];
  /** File name → the mapping file it was read through. */
  mappingOf: Map<string, string>;
  /** Drop the temp tables (after `loadFiles`). */
  drop(): Promise<void>;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Write read-level rejects (records that cannot be read: wrong number of fields, …) in the shape `validateAndApply` takes. */
export async function readRejectsTable(conn: DuckDBConnection, table: string, rejects: ReadReject[]): Promise<void> {
  await exec(conn, `create or replace temp table ${ident(table)} (_line INTEGER, "column" VARCHAR, value VARCHAR, reason VARCHAR)`);
  if (rejects.length === 0) return;
  await exec(conn, `insert into ${ident(table)} select unnest($lines::INTEGER[]), NULL, unnest($values::VARCHAR[]), unnest($reasons::VARCHAR[])`, {
    lines: listValue(rejects.map((r) => r.line)), values: listValue(rejects.map((r) => r.value)), reasons: listValue(rejects.map((r) => r.reason)),
  });
}

/**
 * Read every mapped file through its mapping into raw tables; a mapping that cannot be used refuses its
 * file. Call it outside a transaction: an expression failing on the data, or stopped at its time limit,
 * would abort one.
 */
export async function prepareMappedFiles(conn: DuckDBConnection, files: { file: FileInput; mapping: Mapping }[],
  limits?: Partial<MappingLimits>): Promise<PreparedMappedFiles> {
  const inputs: RawInput[] = [];
  const refused: MappedFileResult[] = [];
  const mappingOf = new Map<string, string>();
  const applied: MappedFile[] = [];
  const extra: string[] = [];
  for (const { file, mapping } of [...files].sort((a, b) => byteOrder(a.file.name, b.file.name))) {
    mappingOf.set(file.name, mapping.file);
    let mapped: MappedFile;
    try {
      mapped = await applyMapping(conn, mapping, file.path, limits);
    } catch (e) {
      if (!(e instanceof MappingError)) throw e;
      refused.push({ file: file.name, dataset: null, mapping: mapping.file, status: 'refused', reason: e.message,
        rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rowsWarned: 0 });
      continue;
    }
    applied.push(mapped);
    // A record that cannot be read is in none of the datasets the file feeds: rejected (and counted) in each.
    let readRejects: string | undefined;
    if (mapped.readRejects.length > 0) {
      readRejects = `${mapped.sourceTable}_read_rejects`;
      await readRejectsTable(conn, readRejects, mapped.readRejects);
      extra.push(readRejects);
    }
    for (const d of mapped.datasets) {
      inputs.push({ file: file.name, dataset: d.dataset, rawTable: d.table, warningsTable: d.warningsTable, ...(readRejects ? { readRejectsTable: readRejects } : {}) });
    }
  }
  return {
    inputs, refused, mappingOf,
    async drop() {
      for (const m of applied) await dropMapped(conn, m);
      for (const t of extra) await exec(conn, `drop table if exists ${ident(t)}`);
    },
  };
}

/** Load only mapped files (tests, `mapping` tools): `prepareMappedFiles` → `loadFiles` → drop. */
export async function loadMappedFiles(conn: DuckDBConnection, files: { file: FileInput; mapping: Mapping }[],
  ctx: MappedLoadContext & Pick<LoadContext, 'onProgress'>): Promise<MappedFileResult[]> {
  const prepared = await prepareMappedFiles(conn, files, ctx.mappingLimits);
  // on an error the caller rolls back, which drops the temp tables too
  const loaded = await loadFiles(conn, prepared.inputs, ctx);
  await prepared.drop();
  const results: MappedFileResult[] = [
    ...prepared.refused,
    ...loaded.map((r) => ({ ...r, mapping: prepared.mappingOf.get(r.file) ?? '' })),
  ];
  const rank = (ds: DatasetName | null) => (ds ? LOAD_ORDER.indexOf(ds) : -1);
  return results.sort((a, b) => byteOrder(a.file, b.file) || rank(a.dataset) - rank(b.dataset));
}
