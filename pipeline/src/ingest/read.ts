// Reading a file of the inbox into a raw table, by its extension. Reading is kept apart from validation
// so that column mappings can feed their own raw table to `validateAndApply`.
import type { DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import type { DatasetDef } from '../datasets.ts';
import { RefusedError } from './columns.ts';
import type { CsvScan } from './csv-scan.ts';
import { dropCsvTemps, readCsv, type FinishResult, type ReadResult } from './read-csv.ts';
import { exec, ident } from '../db.ts';
import { readParquet } from './read-parquet.ts';

export type { FinishResult, ReadResult };

export async function readFile(
  conn: DuckDBConnection, file: string, name: string, def: DatasetDef, rawTable: string, rejectsTable: string,
  maxRejects: number, scan?: Promise<CsvScan>,
): Promise<ReadResult> {
  const ext = path.extname(name).toLowerCase();
  if (ext === '.csv') return readCsv(conn, file, name, def, rawTable, rejectsTable, maxRejects, scan);
  if (ext === '.parquet') return readParquet(conn, file, name, def, rawTable, rejectsTable);
  throw new RefusedError(`${name}: only .csv and .parquet files can be loaded`);
}

/** Drop the raw view and temp tables a read left, once validation is done with them. */
export async function dropReadTemps(conn: DuckDBConnection, rawTable: string, rejectsTable: string): Promise<void> {
  await dropCsvTemps(conn, rawTable);
  await exec(conn, `drop table if exists ${ident(rejectsTable)}`);
}
