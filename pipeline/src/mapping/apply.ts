// Applies a mapping to one source file: reads it (source.ts), compiles each dataset (compile.ts) and
// materialises one raw table per dataset — canonical columns as VARCHAR plus `_line` — the shape the
// ingest validation consumes. Nothing is validated or loaded here. The expressions of one file share
// one time limit (limits.ts). A failed statement aborts a transaction: apply mappings outside one.
import type { DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import type { DatasetName } from '../datasets.ts';
import { exec, ident, one } from '../db.ts';
import { compileDataset, pickParams, type CompiledDataset } from './compile.ts';
import { MappingError } from './errors.ts';
import { beforeDeadline, isOverLimit, mappingLimits, MappingTimeout, type MappingLimits } from './limits.ts';
import { lookupWarningsSql } from './lookup.ts';
import { readSource, tempName, type ReadReject } from './source.ts';
import type { Mapping } from './types.ts';

export interface MappedDataset {
  dataset: DatasetName;
  /** Temp table: canonical VARCHAR columns + `_line INTEGER`. */
  table: string;
  rows: number;
  /** Canonical column → where its value comes from (for `mapping check`). */
  sources: { column: string; source: string }[];
  /** Temp table of warnings about its rows (`_line, "column", value, reason`): lookups that found no single value. */
  warningsTable?: string;
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
  /** Every temp table it made (`dropMapped`). */
  tables: string[];
}

/**
 * Read `file` through `mapping` into one raw temp table per dataset. Throws `MappingError` for a bad
 * mapping, and for expressions over the limits.
 */
export async function applyMapping(conn: DuckDBConnection, mapping: Mapping, file: string,
  given?: Partial<MappingLimits>): Promise<MappedFile> {
  const limits = mappingLimits(given);
  const base = tempName(path.basename(file));
  const src = await readSource(conn, file, mapping.source, `${base}_src`);
  const deadline = Date.now() + limits.mappingTimeoutSeconds * 1000;
  const mapped: MappedFile = { file, mapping, sourceTable: src.table, header: src.header, rowsRead: src.rowsRead,
    readRejects: src.readRejects, datasets: [], tables: [src.table] };
  try {
    for (const ds of mapping.datasets) {
      const compiled = await compileDataset(conn, mapping, ds, src.header, src.table, limits);
      for (const lookup of compiled.lookups) {
        mapped.tables.push(lookup.notes);
        for (const sql of lookup.statements) {
          await beforeDeadline(conn, deadline, () => exec(conn, sql, pickParams(compiled.params.values, sql))).catch((e) => {
            throw new MappingError(mapping.file, failure(lookup.describe, e, limits), { dataset: ds.dataset, column: lookup.column });
          });
        }
      }
      const table = `${base}_${ds.dataset}`;
      mapped.tables.push(table);
      await materialise(conn, mapping, compiled, table, src.table, limits, deadline);
      const n = await one<{ n: number }>(conn, `select count(*)::int as n from ${ident(table)}`);
      const dataset: MappedDataset = {
        dataset: ds.dataset, table, rows: Number(n?.n ?? 0),
        sources: compiled.columns.map((c) => ({ column: c.name, source: c.describe })),
      };
      if (compiled.lookups.length) {
        dataset.warningsTable = `${table}_warnings`;
        mapped.tables.push(dataset.warningsTable);
        const sql = compiled.lookups.map((l) => lookupWarningsSql(l, table, compiled.params)).join('\nunion all\n');
        await exec(conn, `create or replace temp table ${ident(dataset.warningsTable)} as ${sql}`, pickParams(compiled.params.values, sql));
      }
      mapped.datasets.push(dataset);
    }
  } catch (e) {
    await dropMapped(conn, mapped);
    throw e;
  }
  return mapped;
}

/** Drop the temp tables of a mapped file. */
export async function dropMapped(conn: DuckDBConnection, mapped: MappedFile): Promise<void> {
  for (const t of mapped.tables) await exec(conn, `drop table if exists ${ident(t)}`);
}

async function materialise(conn: DuckDBConnection, mapping: Mapping, compiled: CompiledDataset, table: string,
  sourceTable: string, limits: MappingLimits, deadline: number): Promise<void> {
  try {
    await beforeDeadline(conn, deadline, () => exec(conn, `create or replace temp table ${ident(table)} as ${compiled.sql}`,
      pickParams(compiled.params.values, compiled.sql)));
  } catch (e) {
    // Find the expression to name: each alone, within a second allowance of the same time.
    const probeDeadline = Date.now() + limits.mappingTimeoutSeconds * 1000;
    const probes = compiled.columns.filter((c) => c.expression)
      .map((c) => ({ column: c.name as string | undefined, describe: c.describe, sql: `select ${c.sql} from ${ident(sourceTable)}` }));
    if (compiled.where) probes.push({ column: undefined, describe: `where ${compiled.mapping.where}`, sql: `select count(*) from ${ident(sourceTable)} where ${compiled.where}` });
    for (const p of probes) {
      try {
        await beforeDeadline(conn, probeDeadline, () => exec(conn, p.sql, pickParams(compiled.params.values, p.sql)));
      } catch (inner) {
        throw new MappingError(mapping.file, failure(p.describe, inner, limits), { dataset: compiled.mapping.dataset, column: p.column });
      }
    }
    throw new MappingError(mapping.file, e instanceof MappingTimeout ? failure('its expressions', e, limits)
      : `cannot be applied: ${(e as Error).message.split('\n')[0]}`, { dataset: compiled.mapping.dataset });
  }
}

/** Why an expression cannot be used on this file: over a limit, or failing on a value. */
function failure(describe: string, e: unknown, limits: MappingLimits): string {
  const message = (e as Error).message.split('\n')[0];
  if (e instanceof MappingTimeout) {
    return `${describe} took over ${limits.mappingTimeoutSeconds} s on this file (the limit: mappingTimeoutSeconds, TRELLIS_MAPPING_TIMEOUT)`;
  }
  if (isOverLimit(message)) {
    const fn = /(\w+\(\)) would make/.exec(message)?.[1];
    return `${describe} would produce a value over ${limits.mappingMaxChars} characters (in ${fn}) on this file (the limit: mappingMaxChars, TRELLIS_MAPPING_MAX_CHARS)`;
  }
  return `${describe} fails on this file: ${message} (use try_cast or a CASE to handle such values)`;
}
