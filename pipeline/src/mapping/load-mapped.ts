// Loads inbox files that a mapping applies to: each file is read through its mapping into raw tables,
// then every raw table goes through the ingest validation (`validateAndApply`) in reference order, just as
// a canonical file would. Runs inside the caller's transaction.
import type { DuckDBConnection } from '@duckdb/node-api';
import { dataset as datasetDef, type DatasetName } from '../datasets.ts';
import { exec, ident } from '../db.ts';
import { LOAD_ORDER, validateAndApply } from '../ingest/index.ts';
import { applyMapping, dropMapped, type MappedFile } from './apply.ts';
import { MappingError } from './errors.ts';
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
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Write read-level rejects (wrong number of fields) in the shape `validateAndApply` takes. */
export async function readRejectsTable(conn: DuckDBConnection, table: string, rejects: ReadReject[]): Promise<void> {
  await exec(conn, `create or replace temp table ${ident(table)} (_line INTEGER, "column" VARCHAR, value VARCHAR, reason VARCHAR)`);
  for (const r of rejects) {
    await exec(conn, `insert into ${ident(table)} values ($line, null, null, $reason)`, { line: r.line, reason: r.reason });
  }
}

export async function loadMappedFiles(conn: DuckDBConnection, files: { file: { path: string; name: string }; mapping: Mapping }[],
  ctx: MappedLoadContext): Promise<MappedFileResult[]> {
  const results: MappedFileResult[] = [];
  const applied: { name: string; mapped: MappedFile }[] = [];
  for (const { file, mapping } of [...files].sort((a, b) => byteOrder(a.file.name, b.file.name))) {
    try {
      applied.push({ name: file.name, mapped: await applyMapping(conn, mapping, file.path) });
    } catch (e) {
      if (!(e instanceof MappingError)) throw e;
      results.push({ file: file.name, dataset: null, mapping: mapping.file, status: 'refused', reason: e.message,
        rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rowsWarned: 0 });
    }
  }
  // The read rejects of a file are counted once: with the first of its datasets in load order.
  const firstDataset = new Map(applied.map((a) => [a.name,
    LOAD_ORDER.find((d) => a.mapped.datasets.some((x) => x.dataset === d))]));
  for (const ds of LOAD_ORDER) {
    let group = applied.filter((a) => a.mapped.datasets.some((d) => d.dataset === ds));
    if (group.length === 0) continue;
    if (datasetDef(ds).kind === 'snapshot' && group.length > 1) {
      const last = group[group.length - 1];
      for (const a of group.slice(0, -1)) {
        results.push({ file: a.name, dataset: ds, mapping: a.mapped.mapping.file, status: 'superseded',
          reason: `${a.name}: superseded by ${last.name} (a later ${ds} snapshot in the same drop)`,
          rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rowsWarned: 0 });
      }
      group = [last];
    }
    for (const a of group) {
      const raw = a.mapped.datasets.find((d) => d.dataset === ds)!;
      const withReadRejects = firstDataset.get(a.name) === ds && a.mapped.readRejects.length > 0;
      const rejTable = `${raw.table}_read_rejects`;
      if (withReadRejects) await readRejectsTable(conn, rejTable, a.mapped.readRejects);
      const res = await validateAndApply(conn, raw.table, ds, {
        runId: ctx.runId, file: a.name, maxRejectsPerFile: ctx.maxRejectsPerFile,
        ...(withReadRejects ? { readRejectsTable: rejTable } : {}),
      });
      if (withReadRejects) await exec(conn, `drop table if exists ${ident(rejTable)}`);
      results.push({ file: a.name, dataset: ds, mapping: a.mapped.mapping.file, ...res });
    }
  }
  for (const a of applied) await dropMapped(conn, a.mapped);
  return results;
}
