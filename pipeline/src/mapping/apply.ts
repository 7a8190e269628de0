// Applies a mapping to one source file: reads it (source.ts), compiles each dataset (compile.ts) and
// materialises one raw table per dataset — canonical columns as VARCHAR plus `_line` — the shape the
// ingest validation consumes. Nothing is validated or loaded here.
import type { DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import type { DatasetName } from '../datasets.ts';
import { exec, ident, one } from '../db.ts';
import { compileDataset, pickParams, type CompiledDataset } from './compile.ts';
import { MappingError } from './errors.ts';
import { readSource, tempName, type ReadReject } from './source.ts';
import type { Mapping } from './types.ts';

export interface MappedDataset {
  dataset: DatasetName;
  /** Temp table: canonical VARCHAR columns + `_line INTEGER`. */
  table: string;
  rows: number;
  /** Canonical column → where its value comes from (for `mapping check`). */
  sources: { column: string; source: string }[];
}

export interface MappedFile {
  file: string;
  mapping: Mapping;
  /** Temp table with the source as read (VARCHAR columns named as in the header, plus `_line`). */
  sourceTable: string;
  header: string[];
  rowsRead: number;
  /** Records DuckDB could not split into the header's columns (wrong number of fields): reject with no column. */
  readRejects: ReadReject[];
  datasets: MappedDataset[];
}

/** Read `file` through `mapping` into one raw temp table per dataset. Throws `MappingError` for a bad mapping. */
export async function applyMapping(conn: DuckDBConnection, mapping: Mapping, file: string): Promise<MappedFile> {
  const base = tempName(path.basename(file));
  const src = await readSource(conn, file, mapping.source, `${base}_src`);
  const datasets: MappedDataset[] = [];
  for (const ds of mapping.datasets) {
    const compiled = await compileDataset(conn, mapping, ds, src.header, src.table);
    const table = `${base}_${ds.dataset}`;
    await materialise(conn, mapping, compiled, table, src.table);
    const n = await one<{ n: number }>(conn, `select count(*)::int as n from ${ident(table)}`);
    datasets.push({
      dataset: ds.dataset, table, rows: Number(n?.n ?? 0),
      sources: compiled.columns.map((c) => ({ column: c.name, source: c.describe })),
    });
  }
  return { file, mapping, sourceTable: src.table, header: src.header, rowsRead: src.rowsRead, readRejects: src.readRejects, datasets };
}

/** Drop the temp tables of a mapped file. */
export async function dropMapped(conn: DuckDBConnection, mapped: MappedFile): Promise<void> {
  for (const t of [mapped.sourceTable, ...mapped.datasets.map((d) => d.table)]) await exec(conn, `drop table if exists ${ident(t)}`);
}

async function materialise(conn: DuckDBConnection, mapping: Mapping, compiled: CompiledDataset, table: string,
  sourceTable: string): Promise<void> {
  try {
    await exec(conn, `create or replace temp table ${ident(table)} as ${compiled.sql}`, compiled.params.values);
  } catch (e) {
    // A value that an expression cannot handle (e.g. a cast of "n/a" to int): find the column to name.
    for (const c of compiled.columns) {
      try {
        await exec(conn, `select ${c.sql} from ${ident(sourceTable)}`, pickParams(compiled.params.values, c.sql));
      } catch (inner) {
        throw new MappingError(mapping.file, `${c.describe} fails on this file: ${(inner as Error).message.split('\n')[0]} (use try_cast or a CASE to handle such values)`,
          { dataset: compiled.mapping.dataset, column: c.name });
      }
    }
    throw new MappingError(mapping.file, `cannot be applied: ${(e as Error).message.split('\n')[0]}`, { dataset: compiled.mapping.dataset });
  }
}
