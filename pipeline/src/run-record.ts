// What a run writes about itself besides `runs` (run.ts): its files (run_files, loaded_files), its rejects
// written back after a rollback, the notes it reads from the models at commit; and the latest runs.
import type { DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import { all, exec, one, tableExists } from './db.ts';
import { UNKNOWN_REFERENCE_LIKE } from './ingest/index.ts';
import type { FileResult } from './ingest-link.ts';

export const ts = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

export async function insertRunFiles(conn: DuckDBConnection, runId: number, files: FileResult[]): Promise<void> {
  for (const f of files) {
    await exec(conn, `insert into run_files (run_id, file, dataset, sha256, status, rows_read, rows_loaded, rows_rejected, rows_warned, reason, mapping)
      values ($run_id, $file, $dataset, $sha256, $status, $rows_read, $rows_loaded, $rows_rejected, $rows_warned, $reason, $mapping)`, {
      run_id: runId, file: f.file, dataset: f.dataset ?? null, sha256: f.sha256 ?? null, status: f.status, rows_read: f.rowsRead,
      rows_loaded: f.rowsLoaded, rows_rejected: f.rowsRejected, rows_warned: f.rowsWarned, reason: f.reason ?? null,
      mapping: f.mapping ? path.basename(f.mapping) : null,
    });
  }
}

/** The files of a committed run that loaded, as loaded_files rows (their hashes are skipped from now on). */
export async function insertLoadedFiles(conn: DuckDBConnection, runId: number, results: FileResult[], clock: () => Date): Promise<void> {
  for (const r of results.filter((x) => x.status === 'loaded')) {
    await exec(conn, 'insert into loaded_files (sha256, file, dataset, run_id, loaded_at) values ($sha256, $file, $dataset, $run_id, $at::timestamp)',
      { sha256: r.sha256, file: r.file, dataset: r.dataset, run_id: runId, at: ts(clock()) });
  }
}

/**
 * Each file content loaded before: its hash, the run of its latest load, and whether rows of that load were
 * rejected, or links emptied, for want of a row they refer to (ingest's UNKNOWN_REFERENCE_LIKE).
 */
export async function loadedContents(conn: DuckDBConnection): Promise<{ sha256: string; run_id: number; unresolved: boolean }[]> {
  return all(conn, `with latest as (select sha256, max(run_id) as run_id from loaded_files group by sha256),
    unresolved as (
      select distinct f.sha256 from loaded_files f
      join latest using (sha256, run_id)
      semi join rejects r on r.run_id = f.run_id and r.file = f.file and r.reason like $unknown)
    select latest.sha256, latest.run_id::int as run_id, unresolved.sha256 is not null as unresolved
    from latest left join unresolved using (sha256)`, { unknown: UNKNOWN_REFERENCE_LIKE });
}

/** The run's notes, in order (the Pipeline page shows them); a note that cannot be written is not worth failing the run for. */
export async function recordNotes(conn: DuckDBConnection, runId: number, notes: string[]): Promise<void> {
  for (const [position, note] of notes.entries()) {
    await exec(conn, 'insert into run_notes (run_id, position, note) values ($run_id, $position, $note)', { run_id: runId, position, note })
      .catch(() => undefined);
  }
}

export interface RejectRow extends Record<string, unknown> {
  file: string | null;
  dataset: string | null;
  line: number | null;
  column: string | null;
  value: string | null;
  reason: string | null;
  severity: string | null;
}

/** This run's rejects, read while its transaction is still readable. */
export async function readRejects(conn: DuckDBConnection, runId: number): Promise<RejectRow[]> {
  return all<RejectRow>(conn, `select file, dataset, line, "column", value, reason, severity from rejects
      where run_id = $run_id order by file, dataset, line, "column"`, { run_id: runId });
}

/** Write kept rejects back after a rollback (an appender, in the table's column order: there may be thousands). */
export async function appendRejects(conn: DuckDBConnection, runId: number, rows: RejectRow[]): Promise<void> {
  const appender = await conn.createAppender('rejects');
  try {
    const text = (v: string | null) => (v === null ? appender.appendNull() : appender.appendVarchar(v));
    for (const r of rows) {
      appender.appendInteger(runId);
      text(r.file);
      if (r.line === null) appender.appendNull(); else appender.appendInteger(Number(r.line));
      text(r.column);
      text(r.value);
      text(r.reason);
      text(r.severity);
      text(r.dataset);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * History's fallback (history.md "Role and manager at T"): how many employee-dates took the current role,
 * manager and department for want of a job_history row on or before the date. Null when none did.
 */
export async function historyFallbackNote(conn: DuckDBConnection): Promise<string | null> {
  if (!(await tableExists(conn, 'history_overview'))) return null;
  const row = await one<{ filled: number; total: number; dates: number }>(conn,
    'select coalesce(sum(n_roles_from_snapshot), 0)::int as filled, coalesce(sum(n_active), 0)::int as total, count(*)::int as dates from history_overview');
  if (!row || row.filled === 0) return null;
  return `history: ${row.filled} of ${row.total} employee-dates over ${row.dates} date${row.dates === 1 ? '' : 's'} have no job_history row on or before the date and use the current role, manager and department`;
}

/** The latest runs, newest first (for the CLI and the API). */
export async function recentRuns(conn: DuckDBConnection, limit = 20) {
  return all(conn, `select run_id, strftime(started_at, '%Y-%m-%dT%H:%M:%S') as started_at, strftime(finished_at, '%Y-%m-%dT%H:%M:%S') as finished_at,
    strftime(as_of, '%Y-%m-%d') as as_of, trigger, status, error from runs order by run_id desc limit $limit`, { limit });
}
