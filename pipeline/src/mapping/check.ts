// `trellis mapping check`: what a mapping would do to a file, before anything is loaded. Runs on a
// throwaway in-memory DuckDB: reads the file through the mapping, shows each column's source and the
// first rows, then runs the real ingest validation and lists every row that would be rejected and why.
// References to datasets the file does not bring cannot be known here: they are assumed to exist, and
// the report says so. When most employees would lose their manager, it says how many and what to check.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { dataset as datasetDef, type DatasetName } from '../datasets.ts';
import { all, exec, ident } from '../db.ts';
import { ensureSourceTables, LOAD_ORDER, srcTable, validateAndApply } from '../ingest/index.ts';
import { migrate } from '../migrations/index.ts';
import { applyMapping, type MappedDataset } from './apply.ts';
import { MappingError } from './errors.ts';
import type { MappingLimits } from './limits.ts';
import { readRejectsTable } from './load-mapped.ts';
import { loadMapping } from './parse.ts';
import { mappingMatches } from './resolve.ts';

export interface CheckReject { line: number | null; column: string | null; value: string | null; reason: string; severity: string }

export interface CheckDataset {
  dataset: DatasetName;
  rows: number;
  rowsLoaded: number;
  status: string;
  reason?: string;
  sources: { column: string; source: string }[];
  preview: Record<string, unknown>[];
  rejects: CheckReject[];
  /** Datasets this one points at that the file does not bring: not checked. */
  assumed: string[];
  /** What looks wrong with the mapping as a whole (e.g. most employees lose their manager). */
  warnings: string[];
}

export interface CheckReport {
  mapping: string;
  file: string;
  ok: boolean;
  /** The mapping cannot be used on this file (bad mapping, unknown column, expression refused...). */
  error?: string;
  /** The file name does not match the mapping's pattern (a warning: the run would not pick it). */
  patternWarning?: string;
  rowsRead: number;
  datasets: CheckDataset[];
}

export async function checkMapping(mappingFile: string, sourceFile: string,
  opts: { previewRows?: number; limits?: Partial<MappingLimits> } = {}): Promise<CheckReport> {
  const report: CheckReport = { mapping: mappingFile, file: sourceFile, ok: false, rowsRead: 0, datasets: [] };
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const conn = await instance.connect();
    const mapping = loadMapping(mappingFile);
    if (!mappingMatches(mapping, sourceFile)) {
      report.patternWarning = `the file name does not match the mapping's pattern (${mapping.patterns.join(', ')}): a run would not read it through this mapping`;
    }
    const mapped = await applyMapping(conn, mapping, sourceFile, opts.limits);
    report.rowsRead = mapped.rowsRead + mapped.readRejects.length;
    await migrate(conn); // the tables a database has (rejects among them), as openDb makes them
    await ensureSourceTables(conn);
    const produced = new Set(mapped.datasets.map((d) => d.dataset));
    // as in a run: a record that cannot be read is rejected for every dataset
    if (mapped.readRejects.length > 0) await readRejectsTable(conn, '_check_read_rejects', mapped.readRejects);
    for (const ds of LOAD_ORDER) {
      const raw = mapped.datasets.find((d) => d.dataset === ds);
      if (!raw) continue;
      const assumed = await assumeReferences(conn, ds, raw.table, produced);
      const preview = await all(conn, `select * from ${ident(raw.table)} order by _line limit ${Math.max(0, opts.previewRows ?? 5)}`);
      const res = await validateAndApply(conn, raw.table, ds, {
        runId: 1, file: ds, maxRejectsPerFile: Number.MAX_SAFE_INTEGER, warningsTable: raw.warningsTable,
        ...(mapped.readRejects.length > 0 ? { readRejectsTable: '_check_read_rejects' } : {}),
      });
      const rejects = await all<CheckReject & Record<string, unknown>>(conn,
        'select line, "column", value, reason, severity from rejects where file = $file order by line, "column"', { file: ds });
      const lost = ds === 'employees' && res.status === 'loaded' ? await managersLost(conn, raw) : null;
      report.datasets.push({
        dataset: ds, rows: raw.rows, rowsLoaded: res.rowsLoaded, status: res.status, reason: res.reason,
        sources: raw.sources, preview, rejects: rejects.map((r) => ({ ...r, line: r.line === null ? null : Number(r.line) })), assumed,
        warnings: lost ? [lost] : [],
      });
    }
    report.ok = report.datasets.every((d) => d.status === 'loaded');
  } catch (e) {
    if (!(e instanceof MappingError) && !/cannot be read/.test((e as Error).message)) throw e;
    report.error = (e as Error).message;
  } finally {
    instance.closeSync();
  }
  return report;
}

/** Fill the in-memory src_ tables of referenced datasets the file does not bring with the referenced keys. */
async function assumeReferences(conn: DuckDBConnection, ds: DatasetName, rawTable: string, produced: Set<DatasetName>): Promise<string[]> {
  const assumed: string[] = [];
  for (const col of datasetDef(ds).columns) {
    if (!col.ref || produced.has(col.ref.dataset)) continue;
    await exec(conn, `insert into ${ident(srcTable(col.ref.dataset))} (${ident(col.ref.column)})
      select distinct trim(${ident(col.name)}) from ${ident(rawTable)} where nullif(trim(${ident(col.name)}), '') is not null
      except select ${ident(col.ref.column)} from ${ident(srcTable(col.ref.dataset))}`);
    if (!assumed.includes(col.ref.dataset)) assumed.push(col.ref.dataset);
  }
  return assumed;
}

/**
 * When more than half of the employees that would load lose their manager — the source gave one (a
 * manager_id, or a value to look up) but manager_id ends up empty — say how many and what to check.
 */
async function managersLost(conn: DuckDBConnection, raw: MappedDataset): Promise<string | null> {
  const lookedUp = raw.warningsTable
    ? `left join (select distinct _line from ${ident(raw.warningsTable)} where "column" = 'manager_id') w on w._line = e._line` : '';
  const [n] = await all<{ loaded: number; byLookup: number; notEmployees: number }>(conn, `
    select count(*)::int as loaded,
      count(*) filter (where e.manager_id is null and ${lookedUp ? 'w._line is not null' : 'false'})::int as "byLookup",
      count(*) filter (where e.manager_id is null and nullif(trim(r.manager_id), '') is not null)::int as "notEmployees"
    from ${ident(srcTable('employees'))} e join ${ident(raw.table)} r on r._line = e._line ${lookedUp}`);
  const lost = n.byLookup + n.notEmployees;
  if (lost * 2 <= n.loaded) return null;
  const why = [
    n.byLookup && `for ${n.byLookup} the lookup found no single manager (the warnings below say which): check that both sides write names the same way — first and last name in the same order (or any_order: true), middle names, nicknames`,
    n.notEmployees && `${n.notEmployees} manager_id value${n.notEmployees === 1 ? ' is' : 's are'} not an employee_id of this file (or make a cycle): check that manager_id is mapped from the managers' ids, not their names — to find the id from a name, use a lookup (docs/mappings.md)`,
  ].filter(Boolean);
  return `${lost} of ${n.loaded} employees (${Math.round((100 * lost) / n.loaded)} %) would lose their manager: ${why.join('; ')}`;
}

/** The report as text for the terminal. */
export function formatCheck(r: CheckReport): string {
  const out: string[] = [`mapping ${r.mapping}`, `file    ${r.file}`];
  if (r.patternWarning) out.push(`warning: ${r.patternWarning}`);
  if (r.error) { out.push('', `error: ${r.error}`); return out.join('\n'); }
  out.push(`${r.rowsRead} record${r.rowsRead === 1 ? '' : 's'} read`);
  for (const d of r.datasets) {
    const rejected = d.rejects.filter((x) => x.severity === 'reject').length;
    const warned = d.rejects.length - rejected;
    out.push('', `== ${d.dataset}: ${d.rows} rows mapped, ${d.rowsLoaded} would load, ${rejected} reject${rejected === 1 ? '' : 's'}, ${warned} warning${warned === 1 ? '' : 's'}${d.status === 'refused' ? ` — REFUSED: ${d.reason}` : ''}`);
    for (const w of d.warnings) out.push(`warning: ${w}`);
    out.push('columns:');
    const w = Math.max(...d.sources.map((s) => s.column.length));
    for (const s of d.sources) out.push(`  ${s.column.padEnd(w)}  ← ${s.source.replace(/\s+/g, ' ')}`);
    if (d.preview.length) {
      out.push(`first ${d.preview.length} rows (as they would be loaded, before validation):`);
      const cols = ['_line', ...d.sources.filter((s) => s.source !== '(not mapped)').map((s) => s.column)];
      out.push(table(cols, d.preview));
    }
    if (d.assumed.length) out.push(`note: references to ${d.assumed.join(', ')} are not checked (this file does not bring them)`);
    if (d.rejects.length) {
      out.push('rejected rows and warnings:');
      for (const x of d.rejects) {
        out.push(`  line ${x.line ?? '?'}${x.column ? `, ${x.column}` : ''}: ${x.severity === 'warning' ? 'warning: ' : ''}${x.reason}`);
      }
    }
  }
  out.push('', r.ok && r.datasets.every((d) => d.rejects.length === 0) ? 'OK: every row would load.'
    : r.ok ? 'The file would load, except the rows listed above.' : 'The file would be refused (see above).');
  return out.join('\n');
}

function table(cols: string[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v)).replace(/\s+/g, ' ').slice(0, 32);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => `  ${vals.map((v, i) => v.padEnd(widths[i])).join(' | ')}`.trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}
